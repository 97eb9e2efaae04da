"""Every URL of the app, checked for scope: a user of another district never sees a row.

The table below names every route of the project's apps and how to probe it with a record of
another district. A route missing from the table fails `test_every_route_is_covered`, so a new
page cannot skip the check. The Django admin is walked model by model at the end.
"""

import datetime
import io
import json

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from candidates.choices import Stage
from candidates.models import Enrollment, SourceList, TrainingClass
from establishments.models import PartyOrganisation
from reports.models import FinalisedReport
from sonla_party import roles
from sonla_party.models import ImportBatch
from tests.candidates.pipeline import advance, new_candidate
from tests.documents_helpers import pdf_text, require_pdf
from tests.factories import (
    AssignmentFactory,
    CadreFactory,
    CommuneFactory,
    DistrictFactory,
    EstablishmentFactory,
    PartyCellFactory,
    PartyMemberFactory,
    make_user,
)
from tests.urlwalk import app_routes

MARK = "NGOAI"  # every record of the other district carries this in its name
pytestmark = pytest.mark.django_db

# How each route is probed. "detail": GET with the other district's record → 404.
# "post": POST with the other district's record → 404. "list": GET (and exports) → 200 with no
# trace of the other district. "json": autocomplete → no match. "form": GET → no choice of the
# other district. "public": needs no scope. "own test": probed by the test named.
ROUTES = {
    "dashboard": ("list", None),
    "dashboard_chart": ("chart", None),
    "set_language": ("public", None),
    "favicon": ("public", None),
    "healthz": ("public", None),
    "establishments:establishment_list": ("list", None),
    "establishments:establishment_create": ("form", None),
    "establishments:establishment_autocomplete": ("json", None),
    "establishments:establishment_detail": ("detail", "establishment"),
    "establishments:establishment_update": ("detail", "establishment"),
    "establishments:party_cell_list": ("list", None),
    "establishments:party_cell_create": ("form", None),
    "establishments:party_cell_autocomplete": ("json", None),
    "establishments:party_cell_detail": ("detail", "cell"),
    "establishments:party_cell_update": ("detail", "cell"),
    "establishments:party_member_list": ("list", None),
    "establishments:party_member_create": ("form", None),
    "establishments:party_member_autocomplete": ("json", None),
    "establishments:party_member_detail": ("detail", "member"),
    "establishments:party_member_update": ("detail", "member"),
    "establishments:party_member_file_views": ("detail", "member"),
    "establishments:party_member_transfer": ("post", "member"),
    "establishments:unit_list": ("list", None),
    "establishments:unit_detail": ("detail", "other_commune"),
    "establishments:party_organisation_list": ("list", None),
    "establishments:party_organisation_autocomplete": ("json", None),
    "establishments:party_organisation_detail": ("detail", "committee"),
    "establishments:cadre_list": ("list", None),
    "establishments:cadre_create": ("form", None),
    "establishments:cadre_autocomplete": ("json", None),
    "establishments:cadre_detail": ("detail", "cadre"),
    "establishments:cadre_update": ("detail", "cadre"),
    "establishments:cadre_hand_over": ("post", "cadre"),
    "establishments:assignment_list": ("list", None),
    "establishments:assignment_create": ("form", None),
    "establishments:assignment_detail": ("detail", "assignment"),
    "establishments:assignment_update": ("detail", "assignment"),
    "candidates:candidate_list": ("list", None),
    "candidates:candidate_create": ("form", None),
    "candidates:work_queue": ("list", None),
    "candidates:decision_queue": ("list", None),
    "candidates:candidate_autocomplete": ("json", None),
    "candidates:source_list_list": ("list", None),
    "candidates:source_list_detail": ("detail", "source_list"),
    "candidates:candidate_detail": ("detail", "candidate"),
    "candidates:candidate_update": ("detail", "candidate"),
    "candidates:candidate_correct": ("detail", "candidate"),
    "candidates:candidate_file_views": ("detail", "candidate"),
    "candidates:candidate_step": ("post", "candidate"),
    "candidates:candidate_dossier": ("post", "candidate"),
    "candidates:candidate_introducer": ("post", "candidate"),
    "candidates:candidate_document": ("detail", "candidate"),
    "candidates:training_class_list": ("list", None),
    "candidates:training_class_create": ("form", None),
    "candidates:enrol": ("post", "training_class"),
    "candidates:training_class_detail": ("detail", "training_class"),
    "candidates:training_class_update": ("detail", "training_class"),
    "candidates:roster": ("detail", "training_class"),
    "candidates:roster_export": ("detail", "training_class"),
    "candidates:roster_print": ("detail", "training_class"),
    "candidates:class_list_document": ("detail", "training_class"),
    "candidates:certificates_document": ("pdf", None),
    "reports:quarterly": ("list", None),
    "reports:quarterly_print": ("list", None),
    "reports:quarterly_document": ("pdf", None),
    "reports:quarterly_charts": ("chart", None),
    "reports:quarterly_finalise": ("finalise", None),
    "reports:resolution03": ("list", None),
    "reports:resolution03_print": ("list", None),
    "imports:start": ("form", None),
    "imports:template": ("form", "kind"),
    # an import is seen by its uploader only: the other district's board member uploaded this one
    "imports:preview": ("detail", "import_batch"),
    "imports:confirm": ("post", "import_batch"),
    "imports:bad_rows": ("detail", "import_batch"),
    # the access log: the province's board only, a district's board with every right answers 404
    "access_log:period": ("own test", "test_access_log.py::TestThePeriodExport::test_board_only"),
    "access_log:person": ("own test", "test_access_log.py::TestThePeriodExport::test_board_only"),
    # a background job (and its file) is seen by the person who started it only
    "jobs:job_detail": ("own test", "test_jobs.py::test_jobs_and_their_files_are_their_owners_only"),
    "jobs:job_progress": ("own test", "test_jobs.py::test_jobs_and_their_files_are_their_owners_only"),
    "jobs:job_retry": ("own test", "test_jobs.py::test_jobs_and_their_files_are_their_owners_only"),
    "jobs:job_file": ("own test", "test_jobs.py::test_jobs_and_their_files_are_their_owners_only"),
    # the admin's "view on site", answered by the app: 404 for a record out of scope as for a missing one
    "view_on_site_scoped": ("own test", "TestSideDoors.test_view_on_site_answers_alike_for_out_of_scope_and_missing"),
}


class World:
    """Two districts; every kind of record exists in the other one (named with MARK)."""

    def __init__(self):
        self.home = DistrictFactory(code="123", name="Mộc Châu")
        self.other = DistrictFactory(code="126", name=f"Huyện {MARK}")
        home_commune = CommuneFactory(district=self.home, name="Chiềng Sơn")
        other_commune = self.other_commune = CommuneFactory(district=self.other, name=f"Xã {MARK}")
        self.committee = PartyOrganisation.objects.get(kind="district_committee", unit=self.other)
        self.board = make_user("board-world", roles.BOARD)
        self.home_establishment = EstablishmentFactory(commune=home_commune, name="Bản Nhà")
        self.establishment = EstablishmentFactory(commune=other_commune, name=f"Bản {MARK}")
        self.cell = PartyCellFactory(seat=self.establishment, name=f"Chi bộ {MARK}")
        self.member = PartyMemberFactory(
            establishment=self.establishment, full_name=f"Đảng viên {MARK}", party_cell=self.cell
        )
        self.candidate = new_candidate(self.board, self.establishment, full_name=f"Quần chúng {MARK}")
        waiting = new_candidate(self.board, self.establishment, full_name=f"Chờ quyết định {MARK}", citizen_id=None)
        advance(waiting, Stage.GRASSROOTS_RESOLUTION, self.board)  # in the queues
        self.source_list = SourceList.objects.get(commune=other_commune)
        self.training_class = TrainingClass.objects.create(
            name=f"Lớp {MARK}",
            organiser=f"TTCT {MARK}",
            unit=self.other,
            starts_on=datetime.date(2026, 12, 1),
            ends_on=datetime.date(2026, 12, 5),
            capacity=10,
        )
        Enrollment.objects.create(
            training_class=self.training_class,
            candidate=self.candidate,
            enrolled_on=datetime.date(2026, 11, 1),
            organiser=self.training_class.organiser,
        )
        self.cadre = CadreFactory(district=self.other, full_name=f"Cán bộ {MARK}")
        self.assignment = AssignmentFactory(cadre=self.cadre, establishment=self.establishment)
        self.import_batch = ImportBatch.objects.create(
            user=self.board, kind="candidates", file_name=f"{MARK}.csv", content=b"x", summary={}
        )
        # A user with every right of the board, but the scope of the home district only.
        self.user = make_user("district-all-rights", roles.BOARD, district=self.home, is_staff=True)
        self.client = Client()
        self.client.force_login(self.user)


@pytest.fixture
def world():
    return World()


def url_for(route_name, target, world):
    if route_name == "candidates:enrol":
        return reverse(route_name)  # its class travels in the POST
    if target == "kind":
        return reverse(route_name, kwargs={"kind": "candidates"})
    kwargs = {"pk": getattr(world, target).pk} if target is not None else {}
    if route_name == "candidates:candidate_step":
        kwargs["stage"] = "decision"
    if route_name == "candidates:candidate_document":
        kwargs["document"] = "checklist"
    return reverse(route_name, kwargs=kwargs)


def test_every_route_is_covered():
    names = {route.name for route in app_routes()}
    missing = sorted(names - set(ROUTES))
    assert missing == [], f"new URL(s) without an access check in {__file__}: {missing}"
    assert sorted(set(ROUTES) - names) == [], "the table names routes that no longer exist"


def assert_no_trace(response):
    content = response.getvalue() if hasattr(response, "getvalue") else response.content
    if response.get("Content-Type", "").startswith("application/vnd.openxmlformats"):
        workbook = load_workbook(io.BytesIO(content))
        content = "\n".join(
            str(cell) for sheet in workbook for row in sheet.iter_rows(values_only=True) for cell in row
        )
        assert MARK not in content
        return
    assert MARK.encode() not in content, "the other district shows through"


@pytest.mark.parametrize(("route_name", "probe"), sorted(ROUTES.items()), ids=sorted(ROUTES))
def test_another_district_never_shows(world, route_name, probe):
    kind, target = probe
    if kind in ("public", "own test"):
        return
    url = url_for(route_name, target, world)
    client = world.client
    if kind == "detail":
        assert client.get(url).status_code == 404
    elif kind == "post":
        data = {"training_class": world.training_class.pk, "selection": [world.candidate.pk]}
        response = client.post(url, data)
        assert response.status_code in (302, 404)
        assert (
            not Enrollment.objects.filter(candidate=world.candidate)
            .exclude(training_class=world.training_class)
            .exists()
        )
        if response.status_code == 302:  # the enrol form refuses a class it does not offer
            assert reverse("candidates:candidate_list") in response["Location"]
    elif kind == "finalise":  # a district's user cannot store the province's figures
        response = client.post(url, {"year": 2024, "quarter": 1})
        assert response.status_code == 302 and not FinalisedReport.objects.exists()
    elif kind == "chart":  # the figures of the user's own districts only
        response = client.get(url, {"chart": "admissions"})
        assert response.status_code == 200 and MARK not in response.content.decode()
        assert str(world.other.pk) not in response.json().get("series", {})
    elif kind == "json":
        response = client.get(url, {"q": MARK.lower()})
        assert response.status_code == 200 and response.json()["results"] == []
    elif kind == "pdf":  # a list as PDF: the user's own rows only
        require_pdf()
        response = client.get(url)
        assert response.status_code == 200 and MARK not in pdf_text(response.content)
    elif kind in ("list", "form"):
        response = client.get(url)
        assert response.status_code == 200
        assert_no_trace(response)
        if kind == "list" and route_name != "dashboard":
            for export in ("csv", "xlsx"):
                exported = client.get(url, {"_export": export})
                assert exported.status_code == 200
                assert_no_trace(exported)
            filtered = client.get(url, {"district": world.other.pk})
            assert_no_trace(filtered)


def test_the_home_district_is_visible_to_the_same_user(world):
    """The probe above is not vacuous: the same user sees their own district."""
    mine = PartyMemberFactory(establishment=world.home_establishment, full_name="Đảng viên Nhà")
    assert world.client.get(f"/members/{mine.pk}/").status_code == 200
    assert b"Nh\xc3\xa0" in world.client.get("/members/").content
    assert world.client.get(f"/members/{world.member.pk}/").status_code == 404
    board = Client()
    board.force_login(world.board)
    assert board.get(f"/members/{world.member.pk}/").status_code == 200


OUR_APPS = {"establishments", "candidates", "sonla_party"}


def admin_models():
    return [model for model in admin.site._registry if model._meta.app_label in OUR_APPS]


@pytest.mark.parametrize("model", admin_models(), ids=lambda m: m._meta.label)
def test_the_admin_shows_nothing_of_another_district(world, model):
    opts = model._meta
    changelist = world.client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
    assert changelist.status_code in (200, 403)
    if changelist.status_code == 200:
        assert_no_trace(changelist)
    others = [value for value in vars(world).values() if isinstance(value, model) and MARK in str(value)]
    for other in others:
        for view in ("change", "history", "delete"):
            response = world.client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=[other.pk]))
            assert response.status_code in (302, 403, 404), (view, response.status_code)
            if response.status_code == 302:
                assert "/admin/" in response["Location"] and str(other.pk) not in response["Location"].split("?")[0]
    autocomplete = world.client.get(
        "/admin/autocomplete/",
        {"term": MARK.lower(), "app_label": "candidates", "model_name": "candidate", "field_name": "helper"},
    )
    assert MARK.encode() not in autocomplete.content


def test_stage_steps_of_another_district_are_refused(world):
    before = world.candidate.events.count()
    response = world.client.post(
        f"/candidates/{world.candidate.pk}/step/trained/",
        {
            "trained-expected_stage": "source",
            "trained-certificate_number": "1",
            "trained-certificate_on": "2024-01-01",
            "trained-issuer": "x",
        },
    )
    assert response.status_code == 404
    assert world.candidate.events.count() == before


# --- Side doors: what a page says besides its rows ----------------------------------------------


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page_text(response) -> str:
    if response.get("Content-Type", "").startswith("application/json"):
        return json.dumps(response.json(), ensure_ascii=False)
    return response.content.decode()


SEARCHES = ["/candidates/", "/candidates/autocomplete/", "/members/", "/members/autocomplete/"]


class TestSideDoors:
    """A user learns nothing of another district through error messages, results, class pages
    and exports, a cadre's page, a finalised report, or search by citizen ID."""

    def test_a_citizen_id_of_another_district_is_refused_without_naming_anyone(self, world):
        from tests.candidates.test_views import person

        data = person(world.home_establishment, citizen_id=world.member.citizen_id, gender="male")
        data["birth_date"] = world.member.birth_date.isoformat()
        response = world.client.post("/candidates/new/", data)
        assert response.status_code == 200 and response.context["form"].errors["citizen_id"]
        assert MARK not in page_text(response)
        assert "organisation board" in page_text(response) or "Ban Tổ chức" in page_text(response)

    def test_nor_in_an_import(self, world):
        from django.core.files.uploadedfile import SimpleUploadedFile

        from tests.sonla_party.test_imports import HEADER, as_csv

        commune = world.home_establishment.commune.code
        row = ["Lò Văn A", world.member.birth_date.strftime("%d/%m/%Y"), "Nam", "Thái", world.member.citizen_id]
        row += ["9", commune, world.home_establishment.code, "Có", "06/01/2025"]
        upload = SimpleUploadedFile("f.csv", as_csv([row], header=HEADER))
        response = world.client.post("/imports/", {"kind": "candidates", "file": upload}, follow=True)
        assert response.status_code == 200
        batch = ImportBatch.objects.filter(user=world.user).latest("pk")
        assert batch.summary["errors"] == 1
        assert MARK not in page_text(response) and MARK not in str(batch.summary)

    def test_possible_duplicates_elsewhere_are_only_counted(self, world):
        twin = new_candidate(
            world.board, world.home_establishment, full_name="Quần chúng Ngoài", birth_date=world.candidate.birth_date
        )
        twin.full_name = world.candidate.full_name  # the same person's name, in the home district
        twin.save()
        page = page_text(world.client.get(f"/candidates/{twin.pk}/"))
        assert f"/candidates/{world.candidate.pk}/" not in page and world.establishment.name not in page
        assert "outside your scope" in page or "ngoài phạm vi" in page
        board_page = page_text(signed_in(world.board).get(f"/candidates/{twin.pk}/"))
        assert f"/candidates/{world.candidate.pk}/" in board_page  # the board sees the match itself

    def test_enrolment_results_name_only_people_in_scope(self, world):
        mine = new_candidate(world.board, world.home_establishment, full_name="Người Nhà", citizen_id=None)
        home_class = TrainingClass.objects.create(
            name="Lớp nhà",
            organiser="TTCT Mộc Châu",
            unit=world.home,
            starts_on=datetime.date(2099, 1, 5),
            ends_on=datetime.date(2099, 1, 9),
            capacity=10,
        )
        selection = {"training_class": home_class.pk, "selection": [mine.pk, world.candidate.pk]}
        response = world.client.post("/training-classes/enrol/", selection)
        page = page_text(response)
        assert response.status_code == 200 and "Người Nhà" in page
        assert MARK not in page and f"/candidates/{world.candidate.pk}/" not in page
        assert response.context["result"].outside_scope == 1

    def test_a_class_shows_each_commune_its_own_enrolments(self, world):
        neighbour = CommuneFactory(district=world.home, name="Xã Bên")
        theirs = new_candidate(
            world.board, EstablishmentFactory(commune=neighbour), full_name=f"Học viên {MARK}", citizen_id=None
        )
        mine = new_candidate(world.board, world.home_establishment, full_name="Học viên Nhà", citizen_id=None)
        shared = TrainingClass.objects.create(
            name="Lớp chung",
            organiser="TTCT Mộc Châu",
            unit=world.home,
            starts_on=datetime.date(2099, 1, 5),
            ends_on=datetime.date(2099, 1, 9),
            capacity=10,
        )
        for candidate in (theirs, mine):
            Enrollment.objects.create(
                training_class=shared, candidate=candidate, enrolled_on=datetime.date(2099, 1, 1), organiser="TTCT"
            )
        staff = make_user("commune-all-rights", roles.BOARD, commune=world.home_establishment.commune, is_staff=True)
        client = signed_in(staff)
        for url in (
            f"/training-classes/{shared.pk}/",
            f"/training-classes/{shared.pk}/print/",
            f"/training-classes/{shared.pk}/roster/",
            f"/training-classes/{shared.pk}/roster.xlsx",
            reverse("admin:candidates_trainingclass_change", args=[shared.pk]),
        ):
            response = client.get(url)
            assert response.status_code == 200, url
            assert_no_trace(response)
        assert "Học viên Nhà" in page_text(client.get(f"/training-classes/{shared.pk}/"))

    def test_a_cadres_page_shows_the_assignments_of_the_users_scope(self, world):
        neighbour = CommuneFactory(district=world.home, name="Xã Bên")
        cadre = CadreFactory(district=world.home, full_name="Cán bộ huyện")
        AssignmentFactory(cadre=cadre, establishment=world.home_establishment)
        AssignmentFactory(cadre=cadre, establishment=EstablishmentFactory(commune=neighbour, name=f"Bản {MARK} 2"))
        staff = make_user("commune-cadres", roles.BOARD, commune=world.home_establishment.commune)
        page = signed_in(staff).get(f"/cadres/{cadre.pk}/")
        assert page.status_code == 200 and world.home_establishment.name in page_text(page)
        assert_no_trace(page)

    def test_a_finalised_report_shows_a_commune_only_its_own_figures(self, world):
        board = signed_in(world.board)
        assert board.post("/reports/quarterly/finalise/", {"year": 2024, "quarter": 2}).status_code == 302
        staff = make_user("commune-report", roles.BOARD, commune=world.home_establishment.commune)
        page = signed_in(staff).get("/reports/quarterly/", {"year": 2024, "quarter": 2})
        assert page.status_code == 200
        report = page.context["report"]
        for row in [*report.rows, report.province]:
            if row is not None and row.finalised is not None:
                assert row.unit is not None and row.unit.pk == staff.unit_id

    @pytest.mark.parametrize(
        "url", ["/candidates/", "/candidates/autocomplete/", "/members/", "/members/autocomplete/"]
    )
    def test_a_citizen_id_is_not_searchable_without_the_right_to_see_it(self, world, url):
        mine = PartyMemberFactory(establishment=world.home_establishment, full_name="Đảng viên Nhà")
        candidate = new_candidate(world.board, world.home_establishment, full_name="Quần chúng Nhà")
        number = (mine if "members" in url else candidate).citizen_id
        reviewer = make_user("reviewer-masked", roles.REVIEWER, district=world.home)
        assert not reviewer.has_perm("sonla_party.view_full_citizen_id")
        for query in (number, number[-6:]):
            assert "Nhà" not in page_text(signed_in(reviewer).get(url, {"q": query}))
        assert "Nhà" in page_text(world.client.get(url, {"q": number}))  # with the right, it is found
        assert "Nhà" in page_text(signed_in(reviewer).get(url, {"q": "nha"}))  # and the name always

    def test_view_on_site_answers_alike_for_out_of_scope_and_missing(self, world):
        from django.contrib.contenttypes.models import ContentType

        kind = ContentType.objects.get_for_model(world.establishment).pk
        out_of_scope = world.client.get(f"/admin/r/{kind}/{world.establishment.pk}/")
        missing = world.client.get(f"/admin/r/{kind}/99999999/")
        nonsense = world.client.get(f"/admin/r/{kind}/{'9' * 25}/")
        assert out_of_scope.status_code == missing.status_code == nonsense.status_code == 404
        board = make_user("board-staff", roles.BOARD, is_staff=True)
        mine = signed_in(board).get(f"/admin/r/{kind}/{world.establishment.pk}/")
        assert mine.status_code == 302 and mine["Location"].endswith(f"/establishments/{world.establishment.pk}/")
