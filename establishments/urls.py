from django.urls import path

from . import views

app_name = "establishments"

urlpatterns = [
    path("establishments/", views.EstablishmentListView.as_view(), name="establishment_list"),
    path("establishments/new/", views.EstablishmentCreateView.as_view(), name="establishment_create"),
    path(
        "establishments/autocomplete/",
        views.EstablishmentAutocompleteView.as_view(),
        name="establishment_autocomplete",
    ),
    path("establishments/<int:pk>/", views.EstablishmentDetailView.as_view(), name="establishment_detail"),
    path("establishments/<int:pk>/edit/", views.EstablishmentUpdateView.as_view(), name="establishment_update"),
    path("party-cells/", views.PartyCellListView.as_view(), name="party_cell_list"),
    path("party-cells/new/", views.PartyCellCreateView.as_view(), name="party_cell_create"),
    path("party-cells/autocomplete/", views.PartyCellAutocompleteView.as_view(), name="party_cell_autocomplete"),
    path("party-cells/<int:pk>/", views.PartyCellDetailView.as_view(), name="party_cell_detail"),
    path("party-cells/<int:pk>/edit/", views.PartyCellUpdateView.as_view(), name="party_cell_update"),
    path("members/", views.PartyMemberListView.as_view(), name="party_member_list"),
    path("members/new/", views.PartyMemberCreateView.as_view(), name="party_member_create"),
    path("members/autocomplete/", views.PartyMemberAutocompleteView.as_view(), name="party_member_autocomplete"),
    path("members/<int:pk>/", views.PartyMemberDetailView.as_view(), name="party_member_detail"),
    path("members/<int:pk>/edit/", views.PartyMemberUpdateView.as_view(), name="party_member_update"),
    path("members/<int:pk>/viewers/", views.PartyMemberFileViewsView.as_view(), name="party_member_file_views"),
    path("members/<int:pk>/transfer/", views.TransferView.as_view(), name="party_member_transfer"),
    path("units/", views.AdministrativeUnitListView.as_view(), name="unit_list"),
    path("units/<int:pk>/", views.AdministrativeUnitDetailView.as_view(), name="unit_detail"),
    path("party-organisations/", views.PartyOrganisationListView.as_view(), name="party_organisation_list"),
    path(
        "party-organisations/autocomplete/",
        views.PartyOrganisationAutocompleteView.as_view(),
        name="party_organisation_autocomplete",
    ),
    path(
        "party-organisations/<int:pk>/",
        views.PartyOrganisationDetailView.as_view(),
        name="party_organisation_detail",
    ),
]

urlpatterns += [
    path("cadres/", views.CadreListView.as_view(), name="cadre_list"),
    path("cadres/new/", views.CadreCreateView.as_view(), name="cadre_create"),
    path("cadres/autocomplete/", views.CadreAutocompleteView.as_view(), name="cadre_autocomplete"),
    path("cadres/<int:pk>/", views.CadreDetailView.as_view(), name="cadre_detail"),
    path("cadres/<int:pk>/edit/", views.CadreUpdateView.as_view(), name="cadre_update"),
    path("cadres/<int:pk>/hand-over/", views.HandOverView.as_view(), name="cadre_hand_over"),
    path("cadres/assignments/", views.AssignmentListView.as_view(), name="assignment_list"),
    path("cadres/assignments/new/", views.AssignmentCreateView.as_view(), name="assignment_create"),
    path("cadres/assignments/<int:pk>/", views.AssignmentDetailView.as_view(), name="assignment_detail"),
    path("cadres/assignments/<int:pk>/edit/", views.AssignmentUpdateView.as_view(), name="assignment_update"),
]
