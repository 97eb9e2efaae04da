"""Every URL of the app, checked for scope: a user of another district never sees a row.

The table below names every route of the project's apps and how to probe it with a record of
another district. A route missing from the table fails `test_every_route_is_covered`, so a new
page cannot skip the check. The Django admin is walked model by model at the end.
"""

import datetime
import io

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
# other district. "public": needs no scope.
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
    if kind == "public":
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
