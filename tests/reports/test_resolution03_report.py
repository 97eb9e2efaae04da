"""The Resolution 03 report and its filters on small data: predicates, links, scope, queries, bad input."""

import datetime
import io

import pytest
from django.db import connection
from django.http import HttpResponse
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from candidates.models import SourceList, SourceListEntry
from establishments.models import Establishment, PartyCell, PartyMember
from reports import resolution03
from sonla_party.models import Job
from tests.factories import (
    CandidateFactory,
    CommuneFactory,
    DistrictFactory,
    EstablishmentFactory,
    PartyCellFactory,
    PartyMemberFactory,
)
from tests.helpers import csv_rows, xlsx_preamble, xlsx_rows

pytestmark = pytest.mark.django_db
D = datetime.date
PERIOD = "from=2006-01-01&to=2007-12-31"


def find(row, year, key, when):
    wanted = (year, key, when)
    return next(line for line in row.lines if (line.span.label, line.figure.key, line.figure.when) == wanted)


def test_year_spans_are_cut_to_the_period():
    spans = resolution03.year_spans(D(2006, 2, 10), D(2008, 3, 1))
    assert [(s.start, s.end) for s in spans] == [
        (D(2006, 2, 10), D(2006, 12, 31)),
        (D(2007, 1, 1), D(2007, 12, 31)),
        (D(2008, 1, 1), D(2008, 3, 1)),
    ]


def test_first_in_establishment_is_the_member_who_ended_the_blank(province):
    est = province.home_establishment
    first = PartyMemberFactory(establishment=est, admitted_on=D(2006, 3, 1))
    PartyMemberFactory(establishment=est, admitted_on=D(2006, 3, 1))  # the same day: counted once
    PartyMemberFactory(establishment=est, admitted_on=D(2007, 1, 1))
    assert list(PartyMember.objects.first_in_establishment()) == [first]
    # All leave; the one admitted later makes the establishment have members again.
    PartyMember.objects.update(left_on=D(2008, 1, 1), left_reason="other")
    again = PartyMemberFactory(establishment=est, admitted_on=D(2009, 1, 1))
    assert set(PartyMember.objects.first_in_establishment()) == {first, again}
    assert PartyMember.objects.first_in_establishment(False).count() == 2


def test_blank_on_reuses_the_facts(province):
    with_cell = EstablishmentFactory(commune=province.home_commune, kind="school")
    PartyCellFactory(seat=with_cell, founded_on=D(2006, 6, 1))
    PartyMemberFactory(establishment=with_cell, admitted_on=D(2000, 1, 1))
    on = D(2006, 1, 1)
    assert with_cell in Establishment.objects.blank_on(on, "no_cell")
    assert with_cell not in Establishment.objects.blank_on(on, "no_member")
    assert with_cell in Establishment.objects.blank_on(on, "either")
    assert with_cell not in Establishment.objects.blank_on(D(2006, 7, 1), "either")
    facts = Establishment.objects.existing_on(on).with_facts(on)
    assert set(Establishment.objects.blank_on(on)) == set(facts.blank())


def test_the_new_list_filters(board_client, province):
    school = EstablishmentFactory(commune=province.home_commune, kind="school")
    PartyCellFactory(seat=school, founded_on=D(2006, 6, 1), founding_method="split_off")
    PartyCell.objects.create(  # an agency's cell, seated in no establishment
        name="Chi bộ cơ quan", unit=province.home_commune, founded_on=D(2006, 6, 1), founding_method="transferred_in"
    )
    CandidateFactory(establishment=province.home_establishment)
    CandidateFactory(establishment=school)
    PartyMemberFactory(establishment=school, admitted_on=D(2006, 2, 1))

    def count(url):
        response = board_client.get(url)
        assert response.status_code == 200, url
        return response.context["table"].paginator.count

    assert count("/party-cells/?seat_kind=school") == 1
    assert count("/party-cells/?has_seat=true") == 1
    assert count("/party-cells/?has_seat=false") == 1
    assert count("/party-cells/?founding_method=split_off&seat_kind=village") == 0
    assert count("/members/?first_in_establishment=true&establishment_kind=school") == 1
    assert count("/members/?first_in_establishment=true&establishment_kind=village") == 0
    assert count("/candidates/?from_blank=no_member&blank_on=2006-01-01") == 2
    assert count("/candidates/?from_blank=no_member&blank_on=2006-03-01") == 1
    assert count("/candidates/?from_blank=no_cell&blank_on=2006-07-01&establishment_kind=school") == 0
    assert count("/candidates/?from_blank=either&blank_on=2006-07-01") == 1
    lists = [SourceList.objects.create(commune=province.home_commune, year=year) for year in (2006, 2007)]
    for source_list, establishment in zip(lists, [province.home_establishment, school], strict=True):
        SourceListEntry.objects.create(
            source_list=source_list,
            candidate=CandidateFactory(establishment=establishment),
            establishment=establishment,
            added_on=D(source_list.year, 1, 5),
        )
    assert SourceListEntry.objects.from_blank(D(2006, 3, 1), "no_member").count() == 1
    assert count("/candidates/source-lists/?from_blank=no_member&blank_on=2006-01-01") == 2
    assert count("/candidates/source-lists/?from_blank=no_member&blank_on=2006-03-01") == 1
    assert count("/candidates/source-lists/?from_blank=no_cell&blank_on=2006-07-01") == 1


def test_every_figure_of_a_small_province_equals_its_list(board_client, province):
    est = province.home_establishment
    PartyMemberFactory(establishment=est, admitted_on=D(2006, 4, 1))
    PartyCellFactory(seat=est, founded_on=D(2007, 5, 1))
    PartyCellFactory(seat=province.other_establishment, founded_on=D(1990, 1, 1), dissolved_on=D(2007, 2, 1))
    page = board_client.get(f"/reports/resolution-03/?{PERIOD}")
    assert page.status_code == 200
    report = page.context["report"]
    assert find(report.total, "2006", "without_members_start", "start").total == 2
    assert find(report.total, "2006", "first_members", "during").total == 1
    assert find(report.total, "2007", "cells_founded_recruited", "since").total == 1
    assert find(report.total, "2007", "cells_dissolved", "during").total == 1
    for line in report.total.lines:
        for cell in line.cells[:2]:
            assert board_client.get(cell.link).context["table"].paginator.count == cell.value, cell.link


def test_a_reviewer_sees_their_own_district(reviewer_client, province):
    PartyMemberFactory(establishment=province.other_establishment, admitted_on=D(2006, 4, 1))
    page = reviewer_client.get(f"/reports/resolution-03/?{PERIOD}")
    report = page.context["report"]
    assert [row.unit.pk for row in report.rows] == [province.home.pk]
    assert find(report.total, "2006", "establishments_start", "start").total == 1
    assert find(report.total, "2006", "first_members", "during").total == 0
    assert "Sông Mã" not in page.content.decode()
    rows = csv_rows(reviewer_client.get(f"/reports/resolution-03/?{PERIOD}&_export=csv"))
    assert all(row[4] != "Sông Mã" for row in rows)


def test_the_query_count_does_not_grow_with_the_establishments_or_the_years(board_client, province):
    def queries(query):
        board_client.get(f"/reports/resolution-03/?{query}")  # renews the session first
        with CaptureQueriesContext(connection) as context:
            assert board_client.get(f"/reports/resolution-03/?{query}").status_code == 200
        return len(context.captured_queries)

    small = queries(PERIOD)
    for code in range(300, 305):
        commune = CommuneFactory(district=DistrictFactory(code=str(code)))
        for _n in range(3):
            est = EstablishmentFactory(commune=commune)
            PartyMemberFactory(establishment=est, admitted_on=D(2006, 5, 1))
            PartyCellFactory(seat=est, founded_on=D(2007, 1, 1))
    assert queries(PERIOD) == small
    assert queries("from=2006-01-01&to=2020-12-31") == small
    assert small <= 25


def test_exports_and_print(board_client, province):
    PartyMemberFactory(establishment=province.home_establishment, admitted_on=D(2006, 4, 1))
    rows = csv_rows(board_client.get(f"/reports/resolution-03/?{PERIOD}&_export=csv"))
    assert len(rows[0]) == 7 + 7  # year, from, to, code, unit, figure, total, and the seven kinds
    units = {row[4] for row in rows[1:]}
    assert {"Toàn tỉnh", "Mộc Châu", "Sông Mã"} <= units
    streamed = board_client.get(f"/reports/resolution-03/?{PERIOD}&_export=xlsx")  # written row by row
    response = HttpResponse(streamed.getvalue())  # read once, then by each helper
    workbook = load_workbook(io.BytesIO(response.getvalue()))
    assert len(workbook.sheetnames) == 2
    table = xlsx_rows(response)
    assert table[0][:7] == rows[0][:7] and len(table) == len(rows)  # the same table as the CSV
    for row in table[1:40]:
        assert all(isinstance(value, int) for value in row[6:])
    heading = xlsx_preamble(response)
    assert "03-NQ/TU" in heading[0]  # the report's title first
    assert "01/01/2006" in heading[1] and "31/12/2007" in heading[1]  # the period
    assert len(heading) == 4 and xlsx_preamble(response, sheet=1) == heading  # title, period, date, scope
    page = board_client.get(f"/reports/resolution-03/print/?{PERIOD}")
    assert page.status_code == 200 and "data-print" in page.content.decode()
    board_client.cookies["django_language"] = "en"  # composed labels follow the request's language
    rows = csv_rows(board_client.get(f"/reports/resolution-03/?{PERIOD}&_export=csv"))
    assert "of which: By admitting new members" in {row[5] for row in rows}


@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
def test_a_large_export_runs_as_a_job_with_the_same_table(settings, board_client, province, export_format):
    PartyMemberFactory(establishment=province.home_establishment, admitted_on=D(2006, 4, 1))
    url = f"/reports/resolution-03/?{PERIOD}&_export={export_format}"
    direct = board_client.get(url)
    expected = HttpResponse(b"".join(direct.streaming_content))
    read = csv_rows if export_format == "csv" else xlsx_rows
    lines = len(read(expected)) - 1  # the header aside
    user = direct.wsgi_request.user
    assert resolution03.line_count(user, D(2006, 1, 1), D(2007, 12, 31)) == lines  # known before counting

    settings.EXPORT_JOB_ROWS = lines - 1
    response = board_client.get(url)
    job = Job.objects.get(kind="export")
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    job.refresh_from_db()  # run at once by the tests' queue
    assert job.status == "done" and (job.rows_done, job.rows_total) == (lines, lines)
    file = board_client.get(f"/jobs/{job.pk}/file/")
    assert file.status_code == 200 and file["Content-Disposition"] == direct["Content-Disposition"]
    assert read(HttpResponse(file.content)) == read(expected)

    settings.EXPORT_JOB_ROWS = lines  # at the threshold: still in the request
    assert board_client.get(url).status_code == 200 and Job.objects.count() == 1


@pytest.mark.parametrize("query", ["from=abc", "from=2010-01-01&to=2009-01-01", "from=1200-01-01", "to=3000-01-01"])
def test_nonsense_parameters_fall_back_with_a_message(board_client, query):
    response = board_client.get(f"/reports/resolution-03/?{query}")
    assert response.status_code == 200
    assert "alert-danger" in response.content.decode()
    assert response.context["start"] == resolution03.RESOLUTION_DAY


def test_anonymous_users_are_sent_to_log_in(client):
    response = client.get("/reports/resolution-03/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
