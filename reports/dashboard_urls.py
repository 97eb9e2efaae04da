"""The dashboard lives at the site's root; its URL names have no namespace (`dashboard`)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("dashboard/chart/", views.DashboardChartView.as_view(), name="dashboard_chart"),
]
