"""The printable documents: every one rendered for a candidate who went through every step."""

import datetime
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from pypdf import PdfReader

from candidates import services
from candidates.choices import Stage
from candidates.documents import CANDIDATE_DOCUMENTS, class_result
from candidates.models import Enrollment, TrainingClass
from establishments.choices import OrganisationKind, OrganisationLevel
from establishments.models import PartyOrganisation, PartyOrganisationParent
from sonla_party import jobs, pdf
from sonla_party.choices import JobKind, JobStatus
from sonla_party.models import FileView, Job, RenderedDocument
from tests.candidates.pipeline import TIMELINE, advance, new_candidate
from tests.candidates.test_training import roster_post
from tests.documents_helpers import one_line, pdf_text, require_pdf

D = datetime.date
NAME = "Lò Thị Hương"


@pytest.fixture
def full_file(province, board_user):
    """A candidate admitted and recognised official, every step through the services."""
    require_pdf()
    candidate = new_candidate(
        board_user, province.home_establishment, full_name=NAME, gender="female", birth_date=D(1998, 3, 14)
    )
    cell, _members = advance(candidate, Stage.OFFICIAL, board_user)
    cell.name = "Chi bộ bản Mường Sang"
    cell.save()
    grassroots = PartyOrganisation.objects.create(
        name="Đảng bộ xã Chiềng Sơn",
        level=OrganisationLevel.GRASSROOTS,
        kind=OrganisationKind.GRASSROOTS_COMMITTEE,
        unit=province.home_commune,
    )
    PartyOrganisationParent.objects.create(organisation=cell, parent=grassroots, starts_on=D(2000, 1, 1))
    candidate.refresh_from_db()
    return candidate


def document_pdf(client, url) -> bytes:
    """The PDF at `url`, laid out in the request or, for a long one, by its job run here."""
    response = client.get(url)
    if response.status_code == 302:  # a long document: the answer is its job's page
        pk = int(response["Location"].strip("/").split("/")[1])
        jobs.run_job(job_id=pk, attempt=1)
        response = client.get(reverse("jobs:job_file", args=[pk]))
    assert response["Content-Type"] == "application/pdf", response.content[:300]
    return response.content


def get_pdf(client, candidate, slug):
    response = client.get(reverse("candidates:candidate_document", args=[candidate.pk, slug]))
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"
    return one_line(pdf_text(response.content))


def test_every_document_carries_the_file_with_its_diacritics(board_client, full_file):
    texts = {document.slug: get_pdf(board_client, full_file, document.slug) for document in CANDIDATE_DOCUMENTS}
    for slug, text in texts.items():
        assert NAME in text, slug
        assert "ĐẢNG CỘNG SẢN VIỆT NAM" in text, slug
    cell_on, grassroots_on = TIMELINE[Stage.CELL_RESOLUTION], TIMELINE[Stage.GRASSROOTS_RESOLUTION]
    decided_on, official_on = TIMELINE[Stage.DECISION], TIMELINE[Stage.OFFICIAL]

    six = texts["form-6"]
    assert "Số: NQ-6" in six and "Chi bộ bản Mường Sang" in six and "Đảng bộ xã Chiềng Sơn" in six
    assert f"Chiềng Sơn, ngày {cell_on:%d} tháng {cell_on:%m} năm {cell_on:%Y}" in six
    assert "đảng viên chính thức của chi bộ: 9" in six and "tán thành việc kết nạp: 6" in six
    assert "không tán thành: 3" in six and "14/03/1998" in six and re.search(r"\b1/\d\b", six)  # page numbers

    eight = texts["form-8"]
    assert "Số: NQ-8" in eight and f"năm {grassroots_on:%Y}" in eight and "6/9" in eight
    assert "Ban Thường vụ Đảng bộ huyện Mộc Châu" in eight

    nine = texts["form-9"]
    assert "Số: QĐ-9" in nine and "BAN THƯỜNG VỤ ĐẢNG BỘ HUYỆN MỘC CHÂU" in nine
    assert f"Mộc Châu, ngày {decided_on:%d} tháng {decided_on:%m} năm {decided_on:%Y}" in nine
    assert "Kết nạp quần chúng Lò Thị Hương" in nine and "NQ-8" in nine

    sixteen = texts["form-16"]
    assert "Số: NQ-CT" in sixteen and "7/9" in sixteen and f"{official_on:%d/%m/%Y}" in sixteen
    assert "là đảng viên chính thức kể từ ngày 01/08/2024" in sixteen

    checklist = texts["checklist"]
    assert "Đơn xin vào Đảng (Mẫu 1-KNĐ)" in checklist and "NQ-6" in checklist and "QĐ-9" in checklist
    assert "Mẫu 1-KNĐ" in texts["form-1"] and "Mẫu 2-KNĐ" in texts["form-2"]


def test_documents_of_recorded_steps_print_the_same_later(board_client, full_file):
    before = get_pdf(board_client, full_file, "form-9")
    full_file.occupation = "Giáo viên"  # a later edit of the file does not rewrite a recorded decision
    full_file.full_name = "Lò Thị Hường"
    full_file.save()
    assert get_pdf(board_client, full_file, "form-9") == before


def test_the_decision_names_the_committee_stored_with_it(board_client, full_file):
    event = full_file.events.get(stage=Stage.DECISION)
    event.deciding_committee.name = "Đảng bộ huyện Mộc Châu (đã đổi)"
    event.deciding_committee.save()
    assert "BAN THƯỜNG VỤ ĐẢNG BỘ HUYỆN MỘC CHÂU (ĐÃ ĐỔI)" in get_pdf(board_client, full_file, "form-9")


def test_out_of_scope_documents_answer_404(full_file, province, board_user, reviewer_client):
    other = new_candidate(board_user, province.other_establishment, full_name="Cầm Văn Khánh")
    for document in CANDIDATE_DOCUMENTS:
        url = reverse("candidates:candidate_document", args=[other.pk, document.slug])
        assert reviewer_client.get(url).status_code == 404
    assert (
        reviewer_client.get(reverse("candidates:candidate_document", args=[full_file.pk, "nope"])).status_code == 404
    )


def test_a_step_not_recorded_answers_404(board_client, board_user, province):
    require_pdf()
    candidate = new_candidate(board_user, province.home_establishment)
    assert board_client.get(reverse("candidates:candidate_document", args=[candidate.pk, "form-9"])).status_code == 404
    assert board_client.get(reverse("candidates:candidate_document", args=[candidate.pk, "form-1"])).status_code == 200


def test_masked_ids_stay_masked_and_the_opening_is_logged(full_file, reviewer_client, reviewer_user, board_client):
    number = full_file.citizen_id
    masked = get_pdf(reviewer_client, full_file, "checklist")
    assert number not in masked and number[-4:] in masked
    assert number in get_pdf(board_client, full_file, "checklist")
    assert FileView.objects.of(full_file).filter(user=reviewer_user).count() == 1


def test_a_short_document_is_laid_out_in_the_request(board_client, full_file):
    response = board_client.get(reverse("candidates:candidate_document", args=[full_file.pk, "form-9"]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert not Job.objects.exists()


def test_a_paper_made_by_a_job_is_still_logged_as_a_read_of_the_file(
    full_file, reviewer_client, reviewer_user, settings
):
    settings.DOCUMENT_JOB_CELLS = 5  # the checklist's tables make it long here
    response = reviewer_client.get(reverse("candidates:candidate_document", args=[full_file.pk, "checklist"]))
    assert response.status_code == 302
    assert FileView.objects.of(full_file).filter(user=reviewer_user).count() == 1
    job = Job.objects.get(owner=reviewer_user)
    text = one_line(pdf_text(reviewer_client.get(reverse("jobs:job_file", args=[job.pk])).content))
    number = full_file.citizen_id
    assert NAME in text and number not in text and number[-4:] in text  # rendered with the reviewer's masking


def test_the_page_links_every_document_it_can_print(board_client, full_file):
    page = board_client.get(full_file.get_absolute_url()).content.decode()
    for document in CANDIDATE_DOCUMENTS:
        assert reverse("candidates:candidate_document", args=[full_file.pk, document.slug]) in page


class TestTrainingDocuments:
    @pytest.fixture
    def finished_class(self, province, board_user):
        require_pdf()
        training_class = TrainingClass.objects.create(
            name="Lớp 1/2025",
            organiser="Trung tâm Chính trị Mộc Châu",
            unit=province.home,
            starts_on=D(2025, 3, 3),
            ends_on=D(2025, 3, 7),
            capacity=50,
        )
        people = [new_candidate(board_user, province.home_establishment, full_name=n) for n in ("Lường Văn Đức", NAME)]
        services.enrol_candidates(
            training_class=training_class,
            candidate_ids=[p.pk for p in people],
            enrolled_on=D(2025, 2, 20),
            by=board_user,
        )
        rows = [
            services.RosterRow(
                Enrollment.objects.get(candidate=people[0]), True, True, "good", "GCN-017", D(2025, 3, 8)
            ),
            services.RosterRow(Enrollment.objects.get(candidate=people[1]), True, False, "", "", None),
        ]
        services.save_roster(training_class=training_class, rows=rows, by=board_user)
        return training_class

    def test_the_class_list_has_results_and_certificate_numbers(self, board_client, finished_class):
        response = board_client.get(reverse("candidates:class_list_document", args=[finished_class.pk]))
        name = f"danh-sach-hoc-vien-lop-{finished_class.pk}-{timezone.localdate():%Y-%m-%d}.pdf"
        assert response["Content-Disposition"] == f'inline; filename="{name}"'
        text = one_line(pdf_text(response.content))
        assert "Lường Văn Đức" in text and NAME in text and "GCN-017" in text and "08/03/2025" in text
        assert "Trung tâm Chính trị Mộc Châu".upper() in text and "lớp bồi dưỡng nhận thức về Đảng" in text
        assert re.search(r"Lường Văn Đức .*Hoàn thành \(Khá\) GCN-017 08/03/2025", text), text
        assert re.search(NAME + r" .*Không hoàn thành — —", text), text  # attended, not completed: no certificate

    def test_a_row_of_a_long_list_is_never_cut_across_two_pages(self, board_client, board_user, finished_class):
        long_name = "Trường Phổ thông Dân tộc Nội trú Trung học cơ sở và Trung học phổ thông"
        establishment = finished_class.enrollments.first().candidate.establishment
        establishment.name = long_name  # three lines in its column: a row that does not fit is easily cut
        establishment.save()
        people = [new_candidate(board_user, establishment, full_name=f"Học viên số {n:02}") for n in range(1, 41)]
        services.enrol_candidates(
            training_class=finished_class,
            candidate_ids=[p.pk for p in people],
            enrolled_on=D(2025, 2, 20),
            by=board_user,
        )
        content = document_pdf(board_client, reverse("candidates:class_list_document", args=[finished_class.pk]))
        pages = [one_line(page.extract_text()) for page in PdfReader(io.BytesIO(content)).pages]
        assert len(pages) >= 2
        births = {enrollment.candidate.birth_date for enrollment in finished_class.enrollments.all()}
        assert len(births) == 1  # one birth date a row, the same in every row
        birth = f"{births.pop():%d/%m/%Y}"
        for page in pages:  # a row's birth date and its establishment on the same page: the row is whole
            assert page.count(birth) == page.count("Trường Phổ thông Dân tộc"), page

    def test_a_long_document_asked_again_is_sent_as_kept_and_a_change_makes_it_anew(
        self, board_client, board_user, finished_class, monkeypatch
    ):
        monkeypatch.setattr(pdf, "CACHE_MIN_SECONDS", 0)  # every PDF counts as long here
        url = reverse("candidates:class_list_document", args=[finished_class.pk])
        first = board_client.get(url).content
        assert RenderedDocument.objects.count() == 1
        monkeypatch.setattr(pdf, "keep_pdf", lambda key, content: pytest.fail("made again"))
        monkeypatch.setattr(pdf._weasyprint()[0][1], "write_pdf", lambda *a, **k: pytest.fail("laid out again"))
        assert board_client.get(url).content == first  # from the kept PDF, not laid out again
        monkeypatch.undo()
        monkeypatch.setattr(pdf, "CACHE_MIN_SECONDS", 0)
        enrollment = finished_class.enrollments.get(candidate__full_name="Lường Văn Đức")
        enrollment.certificate_number = "GCN-018"
        enrollment.save()
        again = one_line(pdf_text(board_client.get(url).content))
        assert "GCN-018" in again and "GCN-017" not in again
        assert RenderedDocument.objects.count() == 2

    def test_a_long_list_is_laid_out_by_a_job_whose_pdf_only_its_owner_gets(
        self, board_client, board_user, reviewer_client, finished_class, settings
    ):
        settings.DOCUMENT_JOB_CELLS = 10  # the class's two rows (18 cells) make a long document
        url = reverse("candidates:class_list_document", args=[finished_class.pk])
        response = board_client.get(url)
        job = Job.objects.get(owner=board_user, kind=JobKind.DOCUMENT)
        assert response.status_code == 302 and response["Location"] == reverse("jobs:job_detail", args=[job.pk])
        page = board_client.get(response["Location"]).content.decode()  # the job ran at once (tests' queue)
        assert 'data-status="done"' in page and reverse("jobs:job_file", args=[job.pk]) in page
        made = board_client.get(reverse("jobs:job_file", args=[job.pk]))
        assert made["Content-Type"] == "application/pdf"
        name = f"danh-sach-hoc-vien-lop-{finished_class.pk}-{timezone.localdate():%Y-%m-%d}.pdf"
        assert made["Content-Disposition"] == f'inline; filename="{name}"'
        text = one_line(pdf_text(made.content))
        assert "Lường Văn Đức" in text and NAME in text and "GCN-017" in text
        # Another user, even one who may see the class, gets neither the job's page nor its file.
        assert reviewer_client.get(reverse("jobs:job_file", args=[job.pk])).status_code == 404
        assert reviewer_client.get(reverse("jobs:job_detail", args=[job.pk])).status_code == 404
        # The job kept the PDF: the same list asked again is answered with it, no new job.
        again = board_client.get(url)
        assert again.status_code == 200 and again.content == made.content
        assert Job.objects.filter(kind=JobKind.DOCUMENT).count() == 1

    def test_a_queued_list_asked_again_is_the_same_job_whose_page_waits_then_offers_the_pdf(
        self, board_client, board_user, finished_class, settings
    ):
        settings.DOCUMENT_JOB_CELLS = 10
        settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}  # queued, not run
        url = reverse("candidates:class_list_document", args=[finished_class.pk])
        first, second = board_client.get(url), board_client.get(url)  # a second click, a reload
        job = Job.objects.get(kind=JobKind.DOCUMENT)
        assert first["Location"] == second["Location"] == job.get_absolute_url()
        page = board_client.get(job.get_absolute_url()).content.decode()
        assert 'data-status="queued"' in page and 'data-testid="job-progress"' in page
        assert board_client.get(reverse("jobs:job_file", args=[job.pk])).status_code == 404  # not made yet
        jobs.run_job(job_id=job.pk, attempt=job.attempt)  # the worker's turn
        assert 'data-status="done"' in board_client.get(job.get_absolute_url()).content.decode()
        made = board_client.get(reverse("jobs:job_file", args=[job.pk]))
        assert "GCN-017" in one_line(pdf_text(made.content))

    def test_a_roster_saved_has_the_class_list_made_ahead_of_its_first_request(
        self, board_client, board_user, finished_class, settings, monkeypatch
    ):
        settings.DOCUMENT_JOB_CELLS = 10
        first = finished_class.enrollments.get(candidate__full_name="Lường Văn Đức")
        second = finished_class.enrollments.get(candidate__full_name=NAME)
        done = {"attended": "on", "completed": "on", "essay_result": "good", "certificate_on": "2025-03-08"}
        rows = [(first, {**done, "certificate_number": "GCN-019"}), (second, {"attended": "on"})]
        url = reverse("candidates:roster", args=[finished_class.pk])
        response = board_client.post(url, roster_post(finished_class, rows))
        assert response.status_code == 302
        job = Job.objects.get(owner=board_user, kind=JobKind.DOCUMENT)
        assert job.status == JobStatus.DONE and not job.has_file  # its PDF is the kept one, for every reader
        monkeypatch.setattr(pdf, "lay_out", lambda html: pytest.fail("laid out in the request"))
        made = board_client.get(reverse("candidates:class_list_document", args=[finished_class.pk]))
        assert made.status_code == 200 and "GCN-019" in one_line(pdf_text(made.content))
        assert Job.objects.count() == 1

    def test_a_failed_layout_says_why_on_the_job_page(self, board_client, finished_class, settings, monkeypatch):
        settings.DOCUMENT_JOB_CELLS = 10

        def broken(html):
            raise ValueError("font table unreadable")

        monkeypatch.setattr(pdf, "lay_out", broken)
        response = board_client.get(reverse("candidates:class_list_document", args=[finished_class.pk]))
        page = board_client.get(response["Location"]).content.decode()
        assert 'data-status="failed"' in page
        assert "font table unreadable" in page  # the reason, in the job's message
        assert not RenderedDocument.objects.exists()

    def test_without_weasyprint_a_long_list_says_so_and_queues_nothing(
        self, board_client, finished_class, settings, monkeypatch
    ):
        settings.DOCUMENT_JOB_CELLS = 10
        monkeypatch.setattr(pdf, "_weasyprint", lambda: (None, "cannot load library 'libpango-1.0-0'"))
        response = board_client.get(reverse("candidates:class_list_document", args=[finished_class.pk]))
        assert response.status_code == 503 and not Job.objects.exists()

    def test_the_certificates_list_of_a_period_is_scoped(
        self, board_client, reviewer_client, board_user, finished_class, province
    ):
        url = reverse("candidates:certificates_document") + "?start=2025-01-01&end=2025-06-30"
        text = one_line(pdf_text(board_client.get(url).content))
        assert "GCN-017" in text and "Lường Văn Đức" in text and NAME not in text  # no certificate: not listed
        other = TrainingClass.objects.create(
            name="Lớp Sông Mã",
            organiser="TTCT Sông Mã",
            unit=province.other,
            starts_on=D(2025, 1, 1),
            ends_on=D(2025, 1, 5),
            capacity=5,
        )
        assert reviewer_client.get(reverse("candidates:class_list_document", args=[other.pk])).status_code == 404
        Enrollment.objects.create(
            training_class=other,
            candidate=new_candidate(board_user, province.other_establishment, full_name="Cầm Văn Khánh"),
            enrolled_on=D(2024, 12, 1),
            completed=True,
            certificate_number="GCN-SM-1",
            certificate_on=D(2025, 1, 6),
            organiser=other.organiser,
        )
        both = one_line(pdf_text(board_client.get(url).content))
        heading = "Lớp 1/2025 (03/03/2025 – 07/03/2025) — đơn vị cấp: Trung tâm Chính trị Mộc Châu"
        other_heading = "Lớp Sông Mã (01/01/2025 – 05/01/2025) — đơn vị cấp: TTCT Sông Mã"
        assert re.search(re.escape(other_heading) + r" 1 GCN-SM-1 .*" + re.escape(heading) + " 2 GCN-017", both), both
        mine = one_line(pdf_text(reviewer_client.get(url).content))
        assert "GCN-017" in mine and "GCN-SM-1" not in mine
        assert "GCN-017" not in one_line(pdf_text(board_client.get(url.replace("2025-06-30", "2025-03-01")).content))


def test_a_class_heading_of_the_certificates_list_is_never_left_alone_at_a_page_foot(
    board_client, board_user, province
):
    require_pdf()
    for n in range(1, 25):  # 24 classes of 1 to 3 certificates: headings fall at every height of a page
        training_class = TrainingClass.objects.create(
            name=f"Lớp K{n:02}",
            organiser=f"TT{n:02}",
            unit=province.home,
            starts_on=D(2025, 3, 3),
            ends_on=D(2025, 3, 7),
            capacity=5,
        )
        for m in range(1 + n % 3):
            Enrollment.objects.create(
                training_class=training_class,
                candidate=new_candidate(board_user, province.home_establishment, full_name=f"Học viên {n:02}-{m}"),
                enrolled_on=D(2025, 2, 20),
                completed=True,
                certificate_number=f"K{n:02}-{m}",
                certificate_on=D(2025, 3, 8),
                organiser=training_class.organiser,
            )
    url = reverse("candidates:certificates_document") + "?start=2025-03-01&end=2025-03-31"
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(document_pdf(board_client, url))).pages]
    assert len(pages) >= 3
    for page in pages[:-1]:  # the last row of every page but the last is a certificate, not a heading
        rows = [line for line in page.splitlines() if line.strip() and not re.fullmatch(r"\s*\d+/\d+\s*", line)]
        assert not rows[-1].lstrip().startswith("Lớp K"), rows[-3:]


@pytest.mark.parametrize(
    ("attended", "completed", "essay", "ended", "result"),
    [
        (True, True, "good", True, "Hoàn thành (Khá)"),
        (True, True, "", True, "Hoàn thành"),
        (True, False, "fail", True, "Không hoàn thành (Không đạt)"),
        (True, False, "", True, "Không hoàn thành"),
        (False, False, "", True, "Không dự học"),
        (False, False, "", False, "Chưa có kết quả"),  # the class not over yet: no absence to print
        (True, False, "", False, "Không hoàn thành"),
    ],
)
def test_the_class_list_gives_every_result_in_one_column(attended, completed, essay, ended, result):
    enrollment = Enrollment(attended=attended, completed=completed, essay_result=essay)
    with translation.override("vi"):
        assert class_result(enrollment, class_ended=ended) == result


def test_decisions_need_their_number(board_user, province):
    candidate = new_candidate(board_user, province.home_establishment)
    advance(candidate, Stage.GRASSROOTS_RESOLUTION, board_user)
    with pytest.raises(services.PipelineError, match="9-KNĐ"):
        services.record_decision(
            candidate=candidate, decided_on=TIMELINE[Stage.DECISION], document_number=" ", by=board_user
        )


def test_recognition_needs_its_decision_number(board_user, province):
    candidate = new_candidate(board_user, province.home_establishment)
    advance(candidate, Stage.ADMITTED, board_user)
    with pytest.raises(services.PipelineError, match="16-KNĐ"):
        services.recognise_official(
            candidate=candidate,
            voted_on=TIMELINE[Stage.OFFICIAL],
            document_number="",
            votes_for=7,
            by=board_user,
        )


def test_without_weasyprint_the_link_says_so_in_one_line(board_client, board_user, province, monkeypatch):
    from sonla_party import pdf

    monkeypatch.setattr(pdf, "_weasyprint", lambda: (None, "cannot load library 'libpango-1.0-0'"))
    candidate = new_candidate(board_user, province.home_establishment)
    response = board_client.get(reverse("candidates:candidate_document", args=[candidate.pk, "form-1"]))
    assert response.status_code == 503 and "WeasyPrint" in response.content.decode()
    assert not FileView.objects.of(candidate).exists()
