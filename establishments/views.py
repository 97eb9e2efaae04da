from django.contrib import messages
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.generic import View

from sonla_party.exceptions import RuleViolation
from sonla_party.views import (
    AutocompleteView,
    FileViewListView,
    FilteredListView,
    ModelPermissionMixin,
    RecordsFileViewMixin,
    ScopedCreateView,
    ScopedDetailView,
    ScopedUpdateView,
)

from .filters import (
    AssignmentFilterSet,
    CadreFilterSet,
    EstablishmentFilterSet,
    PartyCellFilterSet,
    PartyMemberFilterSet,
)
from .forms import AssignmentForm, CadreForm, EstablishmentForm, HandOverForm, PartyCellForm, PartyMemberForm
from .models import Assignment, Cadre, Establishment, PartyCell, PartyMember
from .services import hand_over, save_assignment, save_party_cell
from .tables import AssignmentTable, CadreTable, EstablishmentTable, PartyCellTable, PartyMemberTable


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
    title = _l("Establishments")
    create_url = "establishments:establishment_create"

    def scope_queryset(self, queryset):
        return queryset.select_related("commune__district")  # today's cadres: see cadres_today


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
        context["assignments"] = (
            Assignment.objects.filter(Q(establishment=establishment) | Q(commune=establishment.commune_id))
            .select_related("cadre")
            .order_by("-starts_on")
        )
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
    title = _l("Party cells")
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
    title = _l("Party members")
    create_url = "establishments:party_member_create"

    def scope_queryset(self, queryset):
        return queryset.select_related("establishment__commune", "party_cell")  # status: see the FilterSet


class PartyMemberDetailView(RecordsFileViewMixin, ScopedDetailView):
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


# --- Cadres and assignments ----------------------------------------------------------------


class CadreListView(FilteredListView):
    model = Cadre
    filterset_class = CadreFilterSet
    table_class = CadreTable
    title = _l("Responsible cadres")
    create_url = "establishments:cadre_create"
    template_name = "establishments/cadre_list.html"

    def scope_queryset(self, queryset):
        open_ones = Assignment.objects.filter(cadre=OuterRef("pk"), ends_on__isnull=True).order_by()
        count = open_ones.values("cadre").annotate(n=Count("pk")).values("n")
        return queryset.select_related("district").annotate(open_assignments=Coalesce(Subquery(count), 0))


class CadreDetailView(ScopedDetailView):
    model = Cadre

    def scope_queryset(self, queryset):
        return queryset.select_related("district", "party_member")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["assignments"] = self.object.assignments.select_related("establishment__commune", "commune").order_by(
            "-starts_on"
        )
        context["has_open"] = any(a.ends_on is None for a in context["assignments"])
        if context["has_open"] and self.request.user.has_perm("establishments.change_assignment"):
            context["hand_over_form"] = kwargs.get("hand_over_form") or HandOverForm(user=self.request.user)
        return context


class CadreCreateView(ScopedCreateView):
    model = Cadre
    form_class = CadreForm
    list_url = "establishments:cadre_list"


class CadreUpdateView(ScopedUpdateView):
    model = Cadre
    form_class = CadreForm


class HandOverView(ModelPermissionMixin, View):
    """End all of a cadre's open assignments on a date and give them to another cadre."""

    model = Assignment
    permission_action = "change"
    http_method_names = ["post"]

    def post(self, request, pk):
        cadre = get_object_or_404(Cadre.objects.for_user(request.user), pk=pk)
        form = HandOverForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                moved = hand_over(
                    from_cadre=cadre,
                    to_cadre=form.cleaned_data["to_cadre"],
                    on=form.cleaned_data["on"],
                    by=request.user,
                )
            except RuleViolation as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                messages.success(
                    request,
                    _("%(count)s assignment(s) handed over to %(cadre)s.")
                    % {"count": len(moved), "cadre": form.cleaned_data["to_cadre"]},
                )
                return HttpResponseRedirect(cadre.get_absolute_url())
        detail = CadreDetailView(request=request, kwargs={"pk": pk}, object=cadre)
        return detail.render_to_response(detail.get_context_data(object=cadre, hand_over_form=form), status=400)


class AssignmentListView(FilteredListView):
    model = Assignment
    filterset_class = AssignmentFilterSet
    table_class = AssignmentTable
    title = _l("Assignments")
    create_url = "establishments:assignment_create"
    export_name = "assignments"

    def scope_queryset(self, queryset):
        return queryset.select_related("cadre", "establishment__commune", "commune")


class AssignmentDetailView(ScopedDetailView):
    model = Assignment

    def scope_queryset(self, queryset):
        return queryset.select_related("cadre__district", "establishment__commune", "commune")


class AssignmentFormMixin:
    model = Assignment
    form_class = AssignmentForm
    list_url = "establishments:assignment_list"

    def save_form(self, form):
        return save_assignment(assignment=form.instance, by=self.request.user)


class AssignmentCreateView(AssignmentFormMixin, ScopedCreateView):
    def get_initial(self):
        initial = super().get_initial()
        for name in ("cadre", "establishment", "commune"):
            if self.request.GET.get(name, "").isdigit():
                initial[name] = int(self.request.GET[name])
        return initial


class AssignmentUpdateView(AssignmentFormMixin, ScopedUpdateView):
    pass


class CadreAutocompleteView(AutocompleteView):
    model = Cadre

    def get_queryset(self):
        return super().get_queryset().select_related("district").order_by("full_name")

    def label(self, obj):
        return f"{obj.full_name} ({obj.get_force_display()}, {obj.district})"


class PartyMemberFileViewsView(FileViewListView):
    model = PartyMember
