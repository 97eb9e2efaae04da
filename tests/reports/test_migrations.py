"""Migrations that move data keep it: FinalisedReport from `sonla_party` to `reports`, and the
districts and communes into the dated administrative units.

Each test migrates a scratch database of the same engine (never the test database, whose later
migrations load reference data that migrating backwards would have to undo), puts rows in it at
the state before the move, migrates forward and reads them back."""

import datetime
import os
import uuid

import pytest
from django.db import connections
from django.db.migrations.executor import MigrationExecutor

BEFORE_REPORTS = [("sonla_party", "0004_importbatch")]
BEFORE_UNITS = [
    ("establishments", "0004_partymember_party_member_name_idx"),
    ("candidates", "0006_alter_candidate_options"),
]


@pytest.fixture
def scratch(django_db_blocker, tmp_path):
    """A connection to an empty database of the test run's engine (alias "scratch")."""
    default = connections.settings["default"]
    is_sqlite = default["ENGINE"].endswith("sqlite3")
    name = str(tmp_path / "scratch.sqlite3") if is_sqlite else f"scratch_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with django_db_blocker.unblock():
        if not is_sqlite:
            with connections["default"]._nodb_cursor() as cursor:
                cursor.execute(f'CREATE DATABASE "{name}"')
        configured = connections.configure_settings({"default": default, "scratch": {**default, "NAME": name}})
        connections.settings["scratch"] = configured["scratch"]
        try:
            yield connections["scratch"]
        finally:
            connections["scratch"].close()
            del connections.settings["scratch"]
            del connections["scratch"]
            if not is_sqlite:
                with connections["default"]._nodb_cursor() as cursor:
                    cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')


def migrate(connection, targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets or executor.loader.graph.leaf_nodes())
    return executor.loader.project_state(targets or executor.loader.graph.leaf_nodes()).apps


def test_a_finalised_report_survives_the_move_to_the_reports_app(scratch):
    old_apps = migrate(scratch, BEFORE_REPORTS)
    user = old_apps.get_model("sonla_party", "User").objects.using("scratch").create(username="finaliser")
    old_apps.get_model("sonla_party", "FinalisedReport").objects.using("scratch").create(
        year=2024, quarter=2, figures={"province": {"establishments": 3181}}, finalised_by=user
    )
    old_apps.get_model("sonla_party", "HistoricalFinalisedReport").objects.using("scratch").create(
        id=1,
        year=2024,
        quarter=2,
        figures={},
        finalised_at="2024-07-01T00:00Z",
        history_date="2024-07-01T00:00Z",
        history_type="+",
        finalised_by_id=user.pk,
    )

    new_apps = migrate(scratch, None)

    report_model = new_apps.get_model("reports", "FinalisedReport")
    report = report_model.objects.using("scratch").get()
    assert (report.year, report.quarter, report.finalised_by.username) == (2024, 2, "finaliser")
    assert report.figures == {"province": {"establishments": 3181}}
    assert new_apps.get_model("reports", "HistoricalFinalisedReport").objects.using("scratch").count() == 1
    assert report_model._meta.db_table == "reports_finalisedreport"


def test_districts_and_communes_become_dated_units_with_every_reference_kept(scratch):
    old = migrate(scratch, BEFORE_UNITS)
    db = "scratch"
    district = (
        old.get_model("establishments", "District").objects.using(db).create(code="123", name="Mộc Châu", kind="town")
    )
    commune = (
        old.get_model("establishments", "Commune")
        .objects.using(db)
        .create(code="03979", name="Mộc Sơn", kind="ward", district=district)
    )
    village = (
        old.get_model("establishments", "Establishment")
        .objects.using(db)
        .create(commune=commune, kind="village", name="Bản Mòn", code="B01")
    )
    cell = (
        old.get_model("establishments", "PartyCell")
        .objects.using(db)
        .create(name="Chi bộ bản Mòn", seat=village, founded_on=datetime.date(2001, 1, 1), founding_method="recruited")
    )
    member = (
        old.get_model("establishments", "PartyMember")
        .objects.using(db)
        .create(
            full_name="Lò Văn A",
            birth_date=datetime.date(1980, 1, 1),
            gender="male",
            ethnicity="thai",
            establishment=village,
            party_cell=cell,
            admitted_on=datetime.date(2005, 3, 1),
        )
    )
    cadre = (
        old.get_model("establishments", "Cadre")
        .objects.using(db)
        .create(full_name="Thào A Sử", force="border_guard", unit="Đồn Biên phòng", district=district)
    )
    user = old.get_model("sonla_party", "User").objects.using(db).create(username="reviewer", district=district)

    new = migrate(scratch, None)

    units = new.get_model("establishments", "AdministrativeUnit").objects.using(db)
    district_unit = units.get(level="district", code="123")
    assert (district_unit.kind, district_unit.parent.level, district_unit.valid_to) == (
        "district_town",
        "province",
        datetime.date(2025, 6, 30),
    )
    old_commune = units.get(pk=commune.pk)  # the same key: every reference to it still holds
    assert (old_commune.level, old_commune.parent_id, old_commune.valid_to) == (
        "commune",
        district_unit.pk,
        datetime.date(2025, 6, 30),
    )
    assert (
        new.get_model("establishments", "Establishment").objects.using(db).get(pk=village.pk).commune_id == commune.pk
    )
    assert new.get_model("establishments", "Cadre").objects.using(db).get(pk=cadre.pk).area_id == district_unit.pk
    assert new.get_model("sonla_party", "User").objects.using(db).get(pk=user.pk).unit_id == district_unit.pk
    moved = new.get_model("establishments", "PartyOrganisation").objects.using(db).get(pk=cell.pk)
    assert (moved.level, moved.unit_id) == ("cell", commune.pk)
    membership = new.get_model("establishments", "CellMembership").objects.using(db).get(member=member.pk)
    assert (membership.cell_id, membership.starts_on) == (cell.pk, datetime.date(2005, 3, 1))
    successor = (
        new.get_model("establishments", "UnitSuccession").objects.using(db).get(predecessor=commune.pk).successor
    )
    assert (successor.code, successor.name, successor.valid_from) == ("03979", "Mộc Sơn", datetime.date(2025, 7, 1))
    links = new.get_model("establishments", "PartyOrganisationParent").objects.using(db).filter(organisation=cell.pk)
    ordered = sorted(links, key=lambda link: link.starts_on or datetime.date.min)
    assert [link.parent.kind for link in ordered] == ["grassroots_committee", "commune_committee"]
