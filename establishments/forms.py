from django import forms
from django.utils.translation import gettext_lazy as _

from sonla_party.citizen_id import normalise_citizen_id
from sonla_party.forms import ScopedModelForm
from sonla_party.widgets import AutocompleteSelect, AutocompleteSelectMultiple

from .models import Establishment, PartyCell, PartyMember
from .services import RegistryError, check_cell_coverage


class EstablishmentForm(ScopedModelForm):
    class Meta:
        model = Establishment
        fields = ["commune", "kind", "name", "code", "opened_on", "closed_on"]


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

    def clean_citizen_id(self):
        return normalise_citizen_id(self.cleaned_data.get("citizen_id"))
