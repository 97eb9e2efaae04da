from django.urls import path

from . import views

app_name = "candidates"

urlpatterns = [
    path("candidates/", views.CandidateListView.as_view(), name="candidate_list"),
    path("candidates/new/", views.CandidateCreateView.as_view(), name="candidate_create"),
    path("candidates/queue/", views.WorkQueueView.as_view(), name="work_queue"),
    path("candidates/decisions/", views.DecisionQueueView.as_view(), name="decision_queue"),
    path("candidates/autocomplete/", views.CandidateAutocompleteView.as_view(), name="candidate_autocomplete"),
    path("candidates/source-lists/", views.SourceListListView.as_view(), name="source_list_list"),
    path("candidates/source-lists/<int:pk>/", views.SourceListDetailView.as_view(), name="source_list_detail"),
    path("candidates/<int:pk>/", views.CandidateDetailView.as_view(), name="candidate_detail"),
    path("candidates/<int:pk>/edit/", views.CandidateUpdateView.as_view(), name="candidate_update"),
    path("candidates/<int:pk>/correct/", views.CandidateCorrectionView.as_view(), name="candidate_correct"),
    path("candidates/<int:pk>/viewers/", views.CandidateFileViewsView.as_view(), name="candidate_file_views"),
    path("candidates/<int:pk>/step/<slug:stage>/", views.CandidateStepView.as_view(), name="candidate_step"),
    path("candidates/<int:pk>/dossier/", views.DossierUpdateView.as_view(), name="candidate_dossier"),
    path("candidates/<int:pk>/introducers/", views.IntroducerCreateView.as_view(), name="candidate_introducer"),
    path(
        "candidates/<int:pk>/documents/<slug:document>.pdf",
        views.CandidateDocumentView.as_view(),
        name="candidate_document",
    ),
]

urlpatterns += [
    path("training-classes/", views.TrainingClassListView.as_view(), name="training_class_list"),
    path("training-classes/new/", views.TrainingClassCreateView.as_view(), name="training_class_create"),
    path("training-classes/enrol/", views.EnrolView.as_view(), name="enrol"),
    path("training-classes/certificates.pdf", views.CertificatesDocumentView.as_view(), name="certificates_document"),
    path("training-classes/<int:pk>/", views.TrainingClassDetailView.as_view(), name="training_class_detail"),
    path("training-classes/<int:pk>/edit/", views.TrainingClassUpdateView.as_view(), name="training_class_update"),
    path("training-classes/<int:pk>/roster/", views.RosterView.as_view(), name="roster"),
    path("training-classes/<int:pk>/roster.xlsx", views.RosterExportView.as_view(), name="roster_export"),
    path("training-classes/<int:pk>/print/", views.RosterPrintView.as_view(), name="roster_print"),
    path(
        "training-classes/<int:pk>/list.pdf", views.TrainingClassListDocumentView.as_view(), name="class_list_document"
    ),
]
