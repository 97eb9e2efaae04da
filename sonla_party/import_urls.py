from django.urls import path

from . import import_views as views

app_name = "imports"

urlpatterns = [
    path("", views.ImportStartView.as_view(), name="start"),
    path("templates/<slug:kind>.xlsx", views.TemplateDownloadView.as_view(), name="template"),
    path("<int:pk>/", views.ImportPreviewView.as_view(), name="preview"),
    path("<int:pk>/confirm/", views.ImportConfirmView.as_view(), name="confirm"),
    path("<int:pk>/errors.xlsx", views.BadRowsView.as_view(), name="bad_rows"),
]
