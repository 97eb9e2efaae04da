from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("quarterly/", views.QuarterlyReportView.as_view(), name="quarterly"),
    path("quarterly/report.pdf", views.QuarterlyReportDocumentView.as_view(), name="quarterly_document"),
    path("quarterly/print/", views.QuarterlyReportPrintView.as_view(), name="quarterly_print"),
    path("quarterly/charts/", views.QuarterlyChartsView.as_view(), name="quarterly_charts"),
    path("quarterly/finalise/", views.FinaliseQuarterView.as_view(), name="quarterly_finalise"),
    path("resolution-03/", views.Resolution03ReportView.as_view(), name="resolution03"),
    path("resolution-03/print/", views.Resolution03PrintView.as_view(), name="resolution03_print"),
]
