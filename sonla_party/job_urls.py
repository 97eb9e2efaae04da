from django.urls import path

from . import job_views as views

app_name = "jobs"

urlpatterns = [
    path("<int:pk>/", views.JobDetailView.as_view(), name="job_detail"),
    path("<int:pk>/progress/", views.JobProgressView.as_view(), name="job_progress"),
    path("<int:pk>/retry/", views.JobRetryView.as_view(), name="job_retry"),
    path("<int:pk>/file/", views.JobFileView.as_view(), name="job_file"),
]
