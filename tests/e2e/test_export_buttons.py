"""The export buttons of every list section export what the filtered page shows: the same rows,
all of them (every page), in the same order. The buttons once began their link with `??`, which
dropped the first filter and exported the whole list."""

import csv
import datetime
import io
import re

import pytest

from candidates.models import TrainingClass
from sonla_party import roles
from tests.candidates.pipeline import new_candidate
from tests.e2e.conftest import log_in
from tests.factories import (
    TEST_PASSWORD,
    AssignmentFactory,
    CadreFactory,
    CommuneFactory,
    DistrictFactory,
    EstablishmentFactory,
    PartyCellFactory,
    PartyMemberFactory,
    make_user,
)

pytestmark = pytest.mark.django_db(transaction=True)


def two_districts():
    """Rows of every section in two districts: a filter on the first keeps some rows out."""
    made = {}
    for code, name in (("123", "Mộc Châu"), ("126", "Sông Mã")):
        district = made[code] = DistrictFactory(code=code, name=name)
        board = make_user(f"board-{code}", roles.BOARD)
        for n in range(2):
            commune = CommuneFactory(district=district, name=f"Xã {name} {n}")
            village = EstablishmentFactory(commune=commune, name=f"Bản {name} {n}")
            cell = PartyCellFactory(seat=village, name=f"Chi bộ {name} {n}")
            PartyMemberFactory(establishment=village, party_cell=cell, full_name=f"Đảng viên {name} {n}")
            new_candidate(board, village, full_name=f"Quần chúng {name} {n}", citizen_id=None)
            cadre = CadreFactory(district=district, full_name=f"Cán bộ {name} {n}")
            AssignmentFactory(cadre=cadre, establishment=village)
            TrainingClass.objects.create(
                name=f"Lớp {name} {n}",
                organiser=f"TTCT {name}",
                unit=district,
                starts_on=datetime.date(2026, 3, 1 + n),
                ends_on=datetime.date(2026, 3, 5 + n),
                capacity=10,
            )
    make_user("board-export", roles.BOARD)
    return made["123"]


SECTIONS = [
    ("/establishments/", "district={pk}&kind=village"),
    ("/party-cells/", "district={pk}"),
    ("/members/", "district={pk}"),
    ("/candidates/", "district={pk}"),
    ("/candidates/source-lists/", "district={pk}"),
    ("/training-classes/", "district={pk}"),
    ("/cadres/", "district={pk}"),
    ("/cadres/assignments/", "district={pk}"),
    ("/units/", "level=commune&parent={pk}"),
    ("/party-organisations/", "district={pk}&level=cell"),
]


def shown_count(page) -> int:
    text = page.locator("main").inner_text()
    return int(re.search(r"(\d[\d.,]*) dòng", text).group(1).replace(".", "").replace(",", ""))


def test_every_sections_export_buttons_keep_the_filters(page):
    home = two_districts()
    log_in(page, "board-export", TEST_PASSWORD)
    for path, query in SECTIONS:
        page.goto(f"{path}?{query.format(pk=home.pk)}&per_page=1")  # one row a page: "all pages" counts
        shown = shown_count(page)
        first_row = page.locator("table tbody tr").first.inner_text().split("\t")[0].strip()
        with page.expect_download() as download:
            page.click("[data-testid=export-csv]")
        with open(download.value.path(), encoding="utf-8-sig") as handle:
            rows = list(csv.reader(io.StringIO(handle.read())))
        assert len(rows) - 1 == shown, (path, len(rows) - 1, shown)
        assert shown > 0, path
        assert first_row in rows[1], (path, first_row, rows[1])
        everything = page.request.get(f"{path}?_export=csv")
        assert len(everything.text().splitlines()) - 1 > shown, f"{path}: the filter keeps nothing out"
        with page.expect_download() as download:
            page.click("[data-testid=export-xlsx]")
        assert download.value.suggested_filename.endswith(".xlsx"), path
