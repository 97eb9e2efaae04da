from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sonla_party.forms import DateInput, ScopedModelForm, limit_choices_to_scope, style_fields
from sonla_party.widgets import AutocompleteSelect, AutocompleteSelectMultiple

from .fields import CommuneSelect, UnitChoiceField
from .models import Assignment, Cadre, District, Establishment, PartyCell, PartyMember
from .services import RegistryError, check_assignment, check_cell_coverage
from .units import UnitMap


class EstablishmentForm(ScopedModelForm):
    """A new establishment is entered in a commune-level unit valid today; once saved, its commune
    follows the reorganisations (successions) and is not edited here."""

    district = UnitChoiceField(
        label=_("District"),
        queryset=District.objects.all(),
        required=False,
        help_text=_("Narrows the communes offered; it is not recorded."),
    )

    class Meta:
        model = Establishment
        fields = ["commune", "kind", "name", "code", "opened_on", "closed_on"]
        field_classes = {"commune": UnitChoiceField}
        widgets = {"commune": CommuneSelect}

    field_order = ["district", "commune"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        districts = self.fields["district"].queryset.valid_on(today)
        if self.instance.pk or not districts.exists():  # since 01/07/2025 communes are under the province
            del self.fields["district"]
        else:
            self.fields["district"].queryset = districts
        if self.instance.pk:
            del self.fields["commune"]
        else:
            self.fields["commune"].queryset = self.fields["commune"].queryset.valid_on(today)
            self.fields["opened_on"].required = True  # a new record is dated: the registration day by default
            self.fields["opened_on"].initial = timezone.localdate()
            self.fields["opened_on"].help_text = _("The day it was established; by default the day it is registered.")

    def clean(self):
        cleaned = super().clean()
        district, chosen = cleaned.get("district"), cleaned.get("commune")
        if district is not None and chosen is not None and chosen.pk not in UnitMap.load().territory(district.pk):
            self.add_error(
                "commune",
                _("%(commune)s is not in %(district)s.")
                % {"commune": chosen.full_name, "district": district.full_name},
            )
        commune, opened = cleaned.get("commune") or getattr(self.instance, "commune", None), cleaned.get("opened_on")
        if commune is not None and opened and commune.valid_from and opened < commune.valid_from:
            self.add_error(
                "opened_on",
                _(
                    "%(commune)s exists from %(date)s: an establishment opened earlier belongs to the unit of "
                    "that time. Ask the organisation board to enter it there."
                )
                % {"commune": commune.full_name, "date": commune.valid_from.strftime("%d/%m/%Y")},
            )
        return cleaned


class PartyCellForm(ScopedModelForm):
    class Meta:
        model = PartyCell
        fields = ["name", "seat", "establishments", "founded_on", "founding_method", "dissolved_on", "notes"]
        widgets = {
            "seat": AutocompleteSelect("establishments:establishment_autocomplete"),
            "establishments": AutocompleteSelectMultiple("establishments:establishment_autocomplete"),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["establishments"].required = False

    def clean(self):
        cleaned = super().clean()
        seat = cleaned.get("seat")
        if seat is not None:
            try:
                cleaned["establishments"] = check_cell_coverage(
                    seat=seat, establishments=cleaned.get("establishments") or []
                )
            except RegistryError as error:
                self.add_error(error.field, error.message)
        return cleaned


class PartyMemberForm(ScopedModelForm):
    citizen_id = forms.CharField(label=_("Citizen ID"), max_length=20, required=False, help_text=_("12 digits."))

    class Meta:
        model = PartyMember
        fields = [
            "full_name",
            "birth_date",
            "gender",
            "ethnicity",
            "citizen_id",
            "establishment",
            "party_cell",
            "admitted_on",
            "official_on",
            "left_on",
            "left_reason",
        ]
        widgets = {
            "establishment": AutocompleteSelect("establishments:establishment_autocomplete"),
            "party_cell": AutocompleteSelect("establishments:party_cell_autocomplete"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:  # a change of cell is a dated transfer, recorded on the member's page
            del self.fields["party_cell"]


class TransferForm(forms.Form):
    """Chuyển sinh hoạt đảng: the cell the member moves to, and the date."""

    to_cell = forms.ModelChoiceField(
        label=_("To the party cell"),
        queryset=PartyCell.objects.all(),
        widget=AutocompleteSelect("establishments:party_cell_autocomplete"),
    )
    on = forms.DateField(label=_("From"), widget=DateInput())
    note = forms.CharField(label=_("Note"), max_length=250, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        limit_choices_to_scope(self, user)
        style_fields(self)


class CadreForm(ScopedModelForm):
    class Meta:
        model = Cadre
        fields = ["full_name", "force", "unit", "rank", "phone", "area", "party_member"]
        widgets = {"party_member": AutocompleteSelect("establishments:party_member_autocomplete")}


class AssignmentForm(ScopedModelForm):
    class Meta:
        model = Assignment
        fields = ["cadre", "establishment", "commune", "role", "starts_on", "ends_on", "note"]
        widgets = {
            "cadre": AutocompleteSelect("establishments:cadre_autocomplete"),
            "establishment": AutocompleteSelect("establishments:establishment_autocomplete"),
        }
        help_texts = {"commune": _("Or a whole commune, instead of one establishment.")}

    def clean(self):
        cleaned = super().clean()
        if bool(cleaned.get("establishment")) == bool(cleaned.get("commune")):
            raise forms.ValidationError(_("Choose one establishment, or one whole commune (not both)."))
        return cleaned

    def _post_clean(self):
        super()._post_clean()  # the database's rules (open duplicates, end before start) ...
        if not self.errors:
            try:  # ... then the rules across rows, before anything is saved
                check_assignment(self.instance)
            except RegistryError as error:
                self.add_error(error.field if error.field in self.fields else None, error.message)


class HandOverForm(forms.Form):
    to_cadre = forms.ModelChoiceField(
        label=_("Hand over to"),
        queryset=Cadre.objects.all(),
        widget=AutocompleteSelect("establishments:cadre_autocomplete"),
    )
    on = forms.DateField(label=_("On"), widget=DateInput())

    def __init__(self, *args, user, **kwargs):
        kwargs.setdefault("initial", {"on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        limit_choices_to_scope(self, user)
        style_fields(self)
