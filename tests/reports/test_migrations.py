"""The move of FinalisedReport from `sonla_party` to `reports` keeps its rows and its history."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("sonla_party", "0004_importbatch"), ("reports", None)]


@pytest.mark.django_db(transaction=True)
def test_a_finalised_report_survives_the_move_to_the_reports_app():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old_apps = executor.loader.project_state([BEFORE[0]]).apps
    user = old_apps.get_model("sonla_party", "User").objects.create(username="finaliser")
    old_report = old_apps.get_model("sonla_party", "FinalisedReport")
    old_report.objects.create(year=2024, quarter=2, figures={"province": {"establishments": 3181}}, finalised_by=user)
    old_apps.get_model("sonla_party", "HistoricalFinalisedReport").objects.create(
        id=1,
        year=2024,
        quarter=2,
        figures={},
        finalised_at="2024-07-01T00:00Z",
        history_date="2024-07-01T00:00Z",
        history_type="+",
        finalised_by_id=user.pk,
    )

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    from reports.models import FinalisedReport

    report = FinalisedReport.objects.get()
    assert (report.year, report.quarter, report.finalised_by.username) == (2024, 2, "finaliser")
    assert report.figures == {"province": {"establishments": 3181}}
    assert FinalisedReport.history.count() == 1
    assert FinalisedReport._meta.db_table == "reports_finalisedreport"
