from django.urls import path

from . import access_log as views

app_name = "access_log"

urlpatterns = [
    path("", views.AccessLogView.as_view(), name="period"),
    path("<slug:kind>/<int:pk>.xlsx", views.PersonAccessReportView.as_view(), name="person"),
]
