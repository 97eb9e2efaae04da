"""Dated facts, database constraints and search of the registry."""

import datetime

import pytest
from django.db import IntegrityError, transaction

from establishments.models import Establishment, PartyCell, PartyMember
from sonla_party.search import fold, search
from tests.factories import EstablishmentFactory, PartyCellFactory, PartyMemberFactory

D = datetime.date


def facts(establishment, on):
    row = Establishment.objects.with_facts(on).get(pk=establishment.pk)
    return row.has_party_members, row.has_party_cell


@pytest.mark.django_db
class TestDatedFacts:
    def test_members_count_from_admission_until_they_leave(self):
        est = EstablishmentFactory()
        PartyMemberFactory(establishment=est, admitted_on=D(2010, 5, 1), left_on=D(2015, 1, 1), left_reason="deceased")
        assert facts(est, D(2010, 4, 30))[0] is False
        assert facts(est, D(2010, 5, 1))[0] is True
        assert facts(est, D(2014, 12, 31))[0] is True
        assert facts(est, D(2015, 1, 1))[0] is False

    def test_a_cell_counts_from_founding_until_dissolution_for_every_establishment_it_covers(self):
        seat = EstablishmentFactory()
        neighbour = EstablishmentFactory(commune=seat.commune)
        PartyCellFactory(seat=seat, establishments=[neighbour], founded_on=D(2008, 3, 1), dissolved_on=D(2012, 1, 1))
        for est in (seat, neighbour):
            assert facts(est, D(2008, 2, 29))[1] is False
            assert facts(est, D(2008, 3, 1))[1] is True
            assert facts(est, D(2012, 1, 1))[1] is False

    def test_existing_on_respects_opening_and_closing(self):
        est = EstablishmentFactory(opened_on=D(2021, 6, 1), closed_on=D(2024, 1, 1))
        existing = Establishment.objects.filter(pk=est.pk)
        assert not existing.existing_on(D(2021, 5, 31)).exists()
        assert existing.existing_on(D(2021, 6, 1)).exists()
        assert not existing.existing_on(D(2024, 1, 1)).exists()

    def test_member_status_on_a_date(self):
        member = PartyMemberFactory(admitted_on=D(2020, 1, 10), official_on=D(2021, 1, 10))
        assert member.status_on(D(2020, 6, 1)) == "probationary"
        assert member.status_on(D(2021, 1, 10)) == "official"
        annotated = PartyMember.objects.with_status(D(2020, 6, 1)).get(pk=member.pk)
        assert annotated.status == "probationary"


@pytest.mark.django_db
def test_blank_counts_over_many_dates_agree_with_the_per_date_facts():
    """The three-query series must say exactly what `with_facts` says date by date."""
    seat = EstablishmentFactory()
    commune = seat.commune
    covered = EstablishmentFactory(commune=commune)
    late = EstablishmentFactory(commune=commune, opened_on=D(2012, 1, 1))
    closed = EstablishmentFactory(commune=commune, closed_on=D(2014, 6, 1))
    PartyCellFactory(seat=seat, establishments=[covered], founded_on=D(2009, 1, 1), dissolved_on=D(2013, 1, 1))
    PartyCellFactory(seat=closed, founded_on=D(2008, 1, 1))
    PartyMemberFactory(establishment=seat, admitted_on=D(2007, 1, 1), left_on=D(2011, 1, 1), left_reason="deceased")
    PartyMemberFactory(establishment=seat, admitted_on=D(2010, 1, 1))
    PartyMemberFactory(establishment=late, admitted_on=D(2012, 2, 1))
    PartyMemberFactory(establishment=closed, admitted_on=D(2006, 1, 1))
    dates = [D(year, 12, 31) for year in range(2005, 2016)]
    series = Establishment.objects.blank_counts_on(dates)
    for on, counts in zip(dates, series, strict=True):
        rows = Establishment.objects.existing_on(on).with_facts(on)
        assert counts == {
            "total": rows.count(),
            "without_members": rows.filter(has_party_members=False).count(),
            "without_cell": rows.filter(has_party_cell=False).count(),
        }, on


@pytest.mark.django_db
class TestDatabaseConstraints:
    def refused(self, callable_):
        with pytest.raises(IntegrityError), transaction.atomic():
            callable_()

    def test_closing_before_opening_is_refused(self):
        est = EstablishmentFactory(opened_on=D(2020, 1, 1))
        self.refused(lambda: Establishment.objects.filter(pk=est.pk).update(closed_on=D(2019, 1, 1)))

    def test_dissolving_before_founding_is_refused(self):
        cell = PartyCellFactory(founded_on=D(2020, 1, 1))
        self.refused(lambda: PartyCell.objects.filter(pk=cell.pk).update(dissolved_on=D(2019, 12, 31)))

    def test_unknown_kind_is_refused(self):
        est = EstablishmentFactory()
        self.refused(lambda: Establishment.objects.filter(pk=est.pk).update(kind="castle"))

    def test_leaving_needs_a_reason(self):
        member = PartyMemberFactory()
        self.refused(lambda: PartyMember.objects.filter(pk=member.pk).update(left_on=D(2020, 1, 1)))

    def test_same_code_twice_in_one_commune_is_refused(self):
        est = EstablishmentFactory(code="B01")
        self.refused(lambda: EstablishmentFactory(commune=est.commune, code="B01"))

    def test_same_citizen_id_twice_is_refused(self):
        member = PartyMemberFactory()
        self.refused(lambda: PartyMemberFactory(citizen_id=member.citizen_id))


class TestFold:
    @pytest.mark.parametrize(
        ("text", "folded"),
        [("Mường", "muong"), ("ĐIỆN BIÊN", "dien bien"), ("Chiềng  Ơn", "chieng on"), ("Nậm Ét", "nam et")],
    )
    def test_fold_removes_marks_and_case(self, text, folded):
        assert fold(text) == folded


@pytest.mark.django_db
def test_search_ignores_accents_and_case_and_survives_bulk_writes():
    first = EstablishmentFactory(name="Bản Mường Sang")
    Establishment.objects.bulk_create(
        [Establishment(commune=first.commune, kind="village", name="Bản Điện Biên", code="X1")]
    )
    assert list(search(Establishment.objects.all(), "muong").values_list("name", flat=True)) == ["Bản Mường Sang"]
    assert list(search(Establishment.objects.all(), "DIEN").values_list("name", flat=True)) == ["Bản Điện Biên"]
    assert search(Establishment.objects.all(), "ban").count() == 2
    first.name = "Bản Nà Sài"
    Establishment.objects.bulk_update([first], ["name"])
    assert not search(Establishment.objects.all(), "muong").exists()
