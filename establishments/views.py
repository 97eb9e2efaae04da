from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import JsonResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import View

from sonla_party.search import search
from sonla_party.views import (
    FilteredListView,
    ModelPermissionMixin,
    ScopedCreateView,
    ScopedDetailView,
    ScopedUpdateView,
)

from .filters import EstablishmentFilterSet, PartyCellFilterSet, PartyMemberFilterSet
from .forms import EstablishmentForm, PartyCellForm, PartyMemberForm
from .models import Establishment, PartyCell, PartyMember
from .services import save_party_cell
from .tables import EstablishmentTable, PartyCellTable, PartyMemberTable


def current_member_count():
    """Members of the cell today, as a correlated subquery (evaluated for the page's rows only)."""
    today = timezone.localdate()
    members = (
        PartyMember.objects.filter(party_cell=OuterRef("pk"))
        .active_on(today)
        .order_by()
        .values("party_cell")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(members), 0)


# --- Establishments ------------------------------------------------------------------------


class EstablishmentListView(FilteredListView):
    model = Establishment
    filterset_class = EstablishmentFilterSet
    table_class = EstablishmentTable
    title = _("Establishments")
    create_url = "establishments:establishment_create"

    def scope_queryset(self, queryset):
        return queryset.select_related("commune__district")


class EstablishmentDetailView(ScopedDetailView):
    model = Establishment

    def scope_queryset(self, queryset):
        return queryset.select_related("commune__district")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        establishment = self.object
        members = PartyMember.objects.filter(establishment=establishment)
        context["member_counts"] = members.aggregate(
            active=Count("pk", filter=Q(admitted_on__lte=today) & (Q(left_on__isnull=True) | Q(left_on__gt=today))),
            official=Count(
                "pk",
                filter=Q(official_on__lte=today) & (Q(left_on__isnull=True) | Q(left_on__gt=today)),
            ),
            ever=Count("pk"),
        )
        context["member_counts"]["probationary"] = (
            context["member_counts"]["active"] - context["member_counts"]["official"]
        )
        context["party_cells"] = establishment.party_cells.select_related("seat").order_by("-founded_on")
        context["today"] = today
        return context


class EstablishmentCreateView(ScopedCreateView):
    model = Establishment
    form_class = EstablishmentForm


class EstablishmentUpdateView(ScopedUpdateView):
    model = Establishment
    form_class = EstablishmentForm


# --- Party cells ---------------------------------------------------------------------------


class PartyCellListView(FilteredListView):
    model = PartyCell
    filterset_class = PartyCellFilterSet
    table_class = PartyCellTable
    title = _("Party cells")
    create_url = "establishments:party_cell_create"

    def scope_queryset(self, queryset):
        return queryset.select_related("seat__commune__district").annotate(member_count=current_member_count())


class PartyCellDetailView(ScopedDetailView):
    model = PartyCell

    def scope_queryset(self, queryset):
        return queryset.select_related("seat__commune__district")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        context["covered"] = self.object.establishments.order_by("name")
        context["members"] = (
            self.object.party_members.with_status(today).select_related("establishment").order_by("full_name")
        )
        return context


class PartyCellFormMixin:
    model = PartyCell
    form_class = PartyCellForm

    def save_form(self, form):
        cell = form.save(commit=False)
        return save_party_cell(cell=cell, establishments=form.cleaned_data["establishments"], by=self.request.user)


class PartyCellCreateView(PartyCellFormMixin, ScopedCreateView):
    pass


class PartyCellUpdateView(PartyCellFormMixin, ScopedUpdateView):
    pass


# --- Party members -------------------------------------------------------------------------


class PartyMemberListView(FilteredListView):
    model = PartyMember
    filterset_class = PartyMemberFilterSet
    table_class = PartyMemberTable
    title = _("Party members")
    create_url = "establishments:party_member_create"

    def scope_queryset(self, queryset):
        return queryset.select_related("establishment__commune", "party_cell").with_status()


class PartyMemberDetailView(ScopedDetailView):
    model = PartyMember

    def scope_queryset(self, queryset):
        return queryset.select_related("establishment__commune__district", "party_cell")


class PartyMemberCreateView(ScopedCreateView):
    model = PartyMember
    form_class = PartyMemberForm


class PartyMemberUpdateView(ScopedUpdateView):
    model = PartyMember
    form_class = PartyMemberForm


# --- Autocomplete --------------------------------------------------------------------------


class AutocompleteView(ModelPermissionMixin, View):
    """JSON matches for a search box: at most 20 rows, in the user's scope."""

    model = None
    limit = 20

    def label(self, obj) -> str:
        return str(obj)

    def get_queryset(self):
        return self.model.objects.for_user(self.request.user)

    def get(self, request):
        queryset = search(self.get_queryset(), request.GET.get("q", ""))[: self.limit]
        return JsonResponse({"results": [{"id": obj.pk, "text": self.label(obj)} for obj in queryset]})


class EstablishmentAutocompleteView(AutocompleteView):
    model = Establishment

    def get_queryset(self):
        return super().get_queryset().select_related("commune").order_by("name")

    def label(self, obj):
        return f"{obj.name} ({obj.commune})"


class PartyCellAutocompleteView(AutocompleteView):
    model = PartyCell

    def get_queryset(self):
        return super().get_queryset().select_related("seat__commune").order_by("name")

    def label(self, obj):
        return f"{obj.name} ({obj.seat.commune})"


class PartyMemberAutocompleteView(AutocompleteView):
    model = PartyMember

    def get_queryset(self):
        return super().get_queryset().select_related("establishment").order_by("full_name")

    def label(self, obj):
        return f"{obj.full_name} ({obj.birth_date:%d/%m/%Y}, {obj.establishment})"
