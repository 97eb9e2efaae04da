"""The basis for processing a candidate's data (written consent with its date, or the Party's rules),
on the file, in the form, the admin and the import; a file without one is on the work queue."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client

from candidates.choices import LegalBasis
from candidates.models import Candidate
from tests.factories import CandidateFactory
from tests.sonla_party.test_imports import HEADER, as_csv, candidate_rows, confirm, preview

D = datetime.date
pytestmark = pytest.mark.django_db


def test_a_consent_has_its_date_and_only_a_consent_has_one(province):
    candidate = CandidateFactory(establishment=province.home_establishment)
    for basis, consent_on in ((LegalBasis.CONSENT, None), (LegalBasis.REGULATION, D(2024, 1, 1)), ("nonsense", None)):
        with pytest.raises(IntegrityError), transaction.atomic():
            Candidate.objects.filter(pk=candidate.pk).update(legal_basis=basis, consent_on=consent_on)
    candidate.legal_basis, candidate.consent_on = LegalBasis.CONSENT, None
    with pytest.raises(ValidationError) as refused:
        candidate.full_clean()
    assert "consent_on" in refused.value.message_dict
    Candidate.objects.filter(pk=candidate.pk).update(legal_basis=LegalBasis.CONSENT, consent_on=D(2024, 1, 1))


def test_the_work_queue_lists_the_files_without_a_basis(commune_client, province):
    where = province.home_establishment
    missing = CandidateFactory(establishment=where)
    CandidateFactory(establishment=where, legal_basis=LegalBasis.REGULATION)
    CandidateFactory(establishment=where, legal_basis=LegalBasis.CONSENT, consent_on=D(2024, 5, 1))
    CandidateFactory(establishment=where, anonymised_on=D(2030, 1, 1))  # nothing personal left to process
    CandidateFactory(establishment=province.other_establishment)  # outside the user's scope
    page = commune_client.get("/candidates/queue/", {"window": "legal_basis"})
    assert [row.record.pk for row in page.context["table"].rows] == [missing.pk]
    assert page.context["counts"]["legal_basis"] == 1
    assert list(Candidate.objects.without_legal_basis().filter(establishment=where)) == [missing]


def test_the_form_records_the_basis(commune_client, province):
    candidate = CandidateFactory(establishment=province.home_establishment, full_name="Lò Thị Hoa")
    form = commune_client.get(f"/candidates/{candidate.pk}/edit/").context["form"]
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data.update(birth_date="1995-06-15", legal_basis=LegalBasis.CONSENT, consent_on="")
    refused = commune_client.post(f"/candidates/{candidate.pk}/edit/", data)
    assert refused.status_code == 200 and "consent_on" in refused.context["form"].errors
    data.update(consent_on="2024-05-02", legal_basis_note="Đơn tự nguyện ngày 02/05/2024")
    assert commune_client.post(f"/candidates/{candidate.pk}/edit/", data).status_code == 302
    candidate.refresh_from_db()
    assert (candidate.legal_basis, candidate.consent_on) == (LegalBasis.CONSENT, D(2024, 5, 2))
    detail = commune_client.get(f"/candidates/{candidate.pk}/").content.decode()
    assert "Đơn tự nguyện ngày 02/05/2024" in detail


def test_the_admin_shows_the_basis(board_user, province):
    candidate = CandidateFactory(establishment=province.home_establishment)
    board_user.is_staff = True
    board_user.save()
    client = Client()
    client.force_login(board_user)
    form = client.get(f"/admin/candidates/candidate/{candidate.pk}/change/").context["adminform"].form
    assert {"legal_basis", "consent_on", "legal_basis_note"} <= set(form.fields)


def test_the_import_takes_the_basis(board_client, province):
    village = province.home_establishment
    rows = [
        [*row, basis, on]
        for row, (basis, on) in zip(
            candidate_rows(village, 2), [("regulation", ""), ("consent", "03/01/2025")], strict=True
        )
    ]
    batch = preview(board_client, as_csv(rows, header=[*HEADER, "Căn cứ xử lý dữ liệu", "Ngày đồng ý"]))
    assert batch.summary["errors"] == 0, batch.summary
    confirm(board_client, batch)
    stored = dict(Candidate.objects.values_list("legal_basis", "consent_on"))
    assert stored == {LegalBasis.REGULATION: None, LegalBasis.CONSENT: D(2025, 1, 3)}
