from django.contrib import messages
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import View

from sonla_party.choices import AccessDoor
from sonla_party.exceptions import RuleViolation
from sonla_party.forms import parse_key
from sonla_party.models import FileView
from sonla_party.views import (
    AutocompleteView,
    FileViewListView,
    FilteredListView,
    ModelPermissionMixin,
    RecordsFileViewMixin,
    RecordsFormReadMixin,
    ScopedCreateView,
    ScopedDetailView,
    ScopedUpdateView,
)

from .choices import OrganisationLevel
from .filters import (
    AdministrativeUnitFilterSet,
    AssignmentFilterSet,
    CadreFilterSet,
    EstablishmentFilterSet,
    PartyCellFilterSet,
    PartyMemberFilterSet,
    PartyOrganisationFilterSet,
)
from .forms import (
    AssignmentForm,
    CadreForm,
    EstablishmentForm,
    HandOverForm,
    PartyCellForm,
    PartyMemberForm,
    TransferForm,
)
from .models import (
    AdministrativeUnit,
    Assignment,
    Cadre,
    CellMembership,
    Establishment,
    PartyCell,
    PartyMember,
    PartyOrganisation,
    active_on_q,
)
from .services import (
    hand_over,
    save_assignment,
    save_establishment,
    save_member,
    save_party_cell,
    transfer_member,
)
from .tables import (
    AdministrativeUnitTable,
    AssignmentTable,
    CadreTable,
    EstablishmentTable,
    PartyCellTable,
    PartyMemberTable,
    PartyOrganisationTable,
)


def current_member_count():
    """Members of the cell today (their dated membership), as a correlated subquery (evaluated for
    the page's rows only)."""
    today = timezone.localdate()
    members = (
        CellMembership.objects.active_on(today)
        .filter(active_on_q("member__admitted_on", "member__left_on", today), cell=OuterRef("pk"))
        .order_by()
        .values("cell")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(members), 0)


# --- Establishments ------------------------------------------------------------------------


class EstablishmentListView(FilteredListView):
    model = Establishment
    filterset_class = EstablishmentFilterSet
    table_class = EstablishmentTable
    title = gettext_lazy("Establishments")
    create_url = "establishments:establishment_create"

    def scope_queryset(self, queryset):
        return queryset.select_related("commune")  # today's cadres: see cadres_today; units: UnitOnDateColumn

    def get_table_kwargs(self):
        return {"as_of": self.filterset.as_of_date()}


class EstablishmentDetailView(ScopedDetailView):
    model = Establishment

    def scope_queryset(self, queryset):
        return queryset.select_related("commune__parent", "merged_into")

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

    def save_form(self, form):
        return save_establishment(establishment=form.instance, by=self.request.user)


class EstablishmentUpdateView(ScopedUpdateView):
    model = Establishment
    form_class = EstablishmentForm


# --- Party cells ---------------------------------------------------------------------------


class PartyCellListView(FilteredListView):
    model = PartyCell
    filterset_class = PartyCellFilterSet
    table_class = PartyCellTable
    title = gettext_lazy("Party cells")
    create_url = "establishments:party_cell_create"

    def scope_queryset(self, queryset):
        return queryset.select_related("seat").annotate(member_count=current_member_count())


class PartyCellDetailView(ScopedDetailView):
    model = PartyCell

    def scope_queryset(self, queryset):
        return queryset.select_related("seat__commune__parent", "unit")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        context["covered"] = self.object.establishments.order_by("sort_key")
        context["members"] = (
            self.object.party_members.with_status(today).select_related("establishment").order_by("sort_key")
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
    title = gettext_lazy("Party members")
    create_url = "establishments:party_member_create"
    logs_export = True

    def scope_queryset(self, queryset):
        return queryset.select_related("establishment__commune", "party_cell")  # status: see the FilterSet

    def get_table_kwargs(self):
        return {"as_of": self.filterset.as_of_date()}


class PartyMemberDetailView(RecordsFileViewMixin, ScopedDetailView):
    model = PartyMember

    def scope_queryset(self, queryset):
        return queryset.select_related("establishment__commune__parent", "party_cell")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["memberships"] = self.object.cell_memberships.select_related("cell").order_by("starts_on")
        context["placements"] = self.object.placements.select_related("establishment").order_by("until")
        if self.request.user.has_perm("establishments.change_partymember") and self.object.left_on is None:
            context["transfer_form"] = kwargs.get("transfer_form") or TransferForm(user=self.request.user)
        return context


class PartyMemberCreateView(ScopedCreateView):
    model = PartyMember
    form_class = PartyMemberForm

    def save_form(self, form):
        return save_member(member=form.instance, by=self.request.user)


class PartyMemberUpdateView(RecordsFormReadMixin, ScopedUpdateView):
    model = PartyMember
    form_class = PartyMemberForm

    def save_form(self, form):
        return save_member(member=form.instance, by=self.request.user)


# --- Autocomplete --------------------------------------------------------------------------


class EstablishmentAutocompleteView(AutocompleteView):
    model = Establishment

    def get_queryset(self):
        return super().get_queryset().select_related("commune").order_by("sort_key")

    def label(self, obj):
        return f"{obj.name} ({obj.commune})"


class PartyCellAutocompleteView(AutocompleteView):
    model = PartyCell

    def get_queryset(self):
        return super().get_queryset().select_related("seat__commune").order_by("sort_key")

    def label(self, obj):
        return f"{obj.name} ({obj.seat.commune})"


class PartyMemberAutocompleteView(AutocompleteView):
    model = PartyMember

    def get_queryset(self):
        return super().get_queryset().select_related("establishment").order_by("sort_key")

    def label(self, obj):
        return f"{obj.full_name} ({obj.birth_date:%d/%m/%Y}, {obj.establishment})"


# --- Cadres and assignments ----------------------------------------------------------------


class CadreListView(FilteredListView):
    model = Cadre
    filterset_class = CadreFilterSet
    table_class = CadreTable
    title = gettext_lazy("Responsible cadres")
    create_url = "establishments:cadre_create"
    template_name = "establishments/cadre_list.html"
    logs_export = True  # cadres are people too

    def scope_queryset(self, queryset):
        open_ones = Assignment.objects.filter(cadre=OuterRef("pk"), ends_on__isnull=True).order_by()
        count = open_ones.values("cadre").annotate(n=Count("pk")).values("n")
        return queryset.select_related("area").annotate(open_assignments=Coalesce(Subquery(count), 0))


class CadreDetailView(ScopedDetailView):
    model = Cadre

    def scope_queryset(self, queryset):
        return queryset.select_related("area", "party_member")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # A district's cadre follows places of several communes: each user sees those of their scope.
        context["assignments"] = (
            Assignment.objects.for_user(self.request.user)
            .filter(cadre=self.object)
            .select_related("establishment__commune", "commune")
            .order_by("-starts_on")
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
    title = gettext_lazy("Assignments")
    create_url = "establishments:assignment_create"
    export_name = "assignments"

    def scope_queryset(self, queryset):
        return queryset.select_related("cadre", "establishment__commune", "commune")


class AssignmentDetailView(ScopedDetailView):
    model = Assignment

    def scope_queryset(self, queryset):
        return queryset.select_related("cadre__area", "establishment__commune", "commune")


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
            if key := parse_key(self.request.GET.get(name)):
                initial[name] = key
        return initial


class AssignmentUpdateView(AssignmentFormMixin, ScopedUpdateView):
    pass


class CadreAutocompleteView(AutocompleteView):
    model = Cadre

    def get_queryset(self):
        return super().get_queryset().select_related("area").order_by("sort_key")

    def label(self, obj):
        return f"{obj.full_name} ({obj.get_force_display()}, {obj.area})"


class PartyMemberFileViewsView(FileViewListView):
    model = PartyMember
    person_kind = "members"


class TransferView(ModelPermissionMixin, View):
    """Record a transfer of party activity (chuyển sinh hoạt đảng): a dated move to another cell."""

    model = PartyMember
    permission_action = "change"
    http_method_names = ["post"]

    def post(self, request, pk):
        member = get_object_or_404(PartyMember.objects.for_user(request.user), pk=pk)
        form = TransferForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                transfer_member(
                    member=member,
                    to_cell=form.cleaned_data["to_cell"],
                    on=form.cleaned_data["on"],
                    note=form.cleaned_data["note"],
                    by=request.user,
                )
            except RuleViolation as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                messages.success(request, _("Transfer recorded."))
                return HttpResponseRedirect(member.get_absolute_url())
        detail = PartyMemberDetailView(request=request, kwargs={"pk": pk}, object=member)
        FileView.record_view(user=request.user, obj=member, door=AccessDoor.FORM_ERROR, details={"form": "transfer"})
        return detail.render_to_response(detail.get_context_data(object=member, transfer_form=form), status=400)


# --- Administrative units and party organisations ----------------------------------------------


class AdministrativeUnitListView(FilteredListView):
    model = AdministrativeUnit
    filterset_class = AdministrativeUnitFilterSet
    table_class = AdministrativeUnitTable
    title = gettext_lazy("Administrative units")
    export_name = "units"

    def scope_queryset(self, queryset):
        return queryset.select_related("parent")


class AdministrativeUnitDetailView(ScopedDetailView):
    model = AdministrativeUnit

    def scope_queryset(self, queryset):
        return queryset.select_related("parent")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        unit = self.object
        context["children"] = unit.children.order_by("sort_key")
        context["predecessors"] = unit.predecessions.select_related("predecessor__parent").order_by(
            "predecessor__sort_key"
        )
        context["successors"] = unit.successions.select_related("successor").order_by("successor__sort_key")
        context["committees"] = unit.party_organisations.exclude(level=OrganisationLevel.CELL).order_by("founded_on")
        return context


class PartyOrganisationListView(FilteredListView):
    model = PartyOrganisation
    filterset_class = PartyOrganisationFilterSet
    table_class = PartyOrganisationTable
    title = gettext_lazy("Party organisations")
    export_name = "party-organisations"

    def scope_queryset(self, queryset):
        return queryset.select_related("unit")


class PartyOrganisationDetailView(ScopedDetailView):
    model = PartyOrganisation

    def scope_queryset(self, queryset):
        return queryset.select_related("unit")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        context["parents"] = self.object.parent_links.select_related("parent").order_by("starts_on")
        children = PartyOrganisation.objects.for_user(self.request.user).under_on(self.object, today)
        context["children"] = children.order_by("level", "sort_key")[:200]
        context["children_count"] = children.count()
        context["today"] = today
        return context


class PartyOrganisationAutocompleteView(AutocompleteView):
    model = PartyOrganisation

    def get_queryset(self):
        return super().get_queryset().exclude(level=OrganisationLevel.CELL).order_by("sort_key")
