"""Forms of the candidates app. Each step form knows the service that performs its step."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from establishments.choices import UnitLevel
from establishments.models import AdministrativeUnit, PartyCell, PartyMember
from establishments.units import UnitMap
from sonla_party.forms import DateInput, ScopedModelForm, limit_choices_to_scope, style_fields
from sonla_party.widgets import AutocompleteSelect

from . import services
from .choices import EssayResult, Stage
from .models import Candidate, TrainingClass


def duplicates_message(duplicates) -> str:
    """The possible duplicates by name where the user may see them; the others only counted."""
    parts = []
    if duplicates.shown:
        parts.append(
            _("Possible duplicate: %(names)s has the same name and birth date.")
            % {"names": ", ".join(f"{c.full_name} ({c.establishment})" for c in duplicates.shown)}
        )
    if duplicates.elsewhere:
        parts.append(_("A candidate with the same name and birth date exists outside your scope."))
    return " ".join([*parts, str(_("Check, then tick the box below."))])


class CandidateForm(ScopedModelForm):
    """The person's data. New candidates also get the date they join the source list."""

    citizen_id = forms.CharField(label=_("Citizen ID"), max_length=20, required=False, help_text=_("12 digits."))
    added_on = forms.DateField(label=_("Added to the source list on"), required=False, widget=DateInput())
    confirm_not_duplicate = forms.BooleanField(label=_("I have checked: this is a different person"), required=False)

    class Meta:
        model = Candidate
        fields = [
            "full_name",
            "birth_date",
            "gender",
            "ethnicity",
            "religion",
            "citizen_id",
            "education_grade",
            "qualification",
            "occupation",
            "is_youth_union_member",
            "establishment",
            "phone",
            "helper",
            "notes",
            "legal_basis",
            "consent_on",
            "legal_basis_note",
        ]
        widgets = {
            "establishment": AutocompleteSelect("establishments:establishment_autocomplete"),
            "helper": AutocompleteSelect("establishments:party_member_autocomplete"),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {"citizen_id": _("12 digits.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.duplicates = []
        if self.instance.pk:
            del self.fields["added_on"]
        else:
            self.fields["added_on"].initial = timezone.localdate()
            self.fields["added_on"].required = True
        style_fields(self)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("full_name") and cleaned.get("birth_date"):
            self.duplicates = services.possible_duplicates(
                full_name=cleaned["full_name"],
                birth_date=cleaned["birth_date"],
                exclude_pk=self.instance.pk,
                user=self.user,
            )
            if self.duplicates and not cleaned.get("confirm_not_duplicate"):
                self.add_error(None, duplicates_message(self.duplicates))
        return cleaned


class CandidateCorrectionForm(forms.ModelForm):
    """Put right a fact a step has checked (`services.correct_candidate`): the organisation
    board, with a reason that the file's history keeps."""

    reason = forms.CharField(
        label=_("Reason for the correction"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Which document shows the right value. Kept in the file's history."),
    )

    class Meta:
        model = Candidate
        fields = list(services.CORRECTABLE_FIELDS)
        widgets = {"establishment": AutocompleteSelect("establishments:establishment_autocomplete")}

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        self.fields["certificate_on"].widget = DateInput()
        self.fields["birth_date"].widget = DateInput()
        style_fields(self)

    def _post_clean(self):
        pass  # the service validates and saves; the instance stays as stored until then

    def perform(self):
        changes = {name: self.cleaned_data[name] for name in self.Meta.fields}
        return services.correct_candidate(
            candidate=self.instance, changes=changes, reason=self.cleaned_data["reason"], by=self.user
        )


class StepForm(forms.Form):
    """A step of the pipeline: `perform` calls the step's service with the cleaned data."""

    stage: str = ""
    expected_stage = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, candidate: Candidate, user, **kwargs):
        self.candidate = candidate
        self.user = user
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("expected_stage", candidate.stage)
        for name, field in self.base_fields.items():
            # The step's own date defaults to today; a document's date starts empty (a date
            # typed for the user would record a document that was never received).
            if isinstance(field, forms.DateField) and name not in services.DOSSIER_FIELDS:
                kwargs["initial"].setdefault(name, timezone.localdate())
        super().__init__(*args, **kwargs)
        limit_choices_to_scope(self, user)
        style_fields(self)

    @property
    def title(self):
        return Stage(self.stage).label

    def full_clean(self):
        super().full_clean()
        style_fields(self)

    def perform(self):
        raise NotImplementedError

    def common(self) -> dict:
        return {"candidate": self.candidate, "by": self.user, "expected_stage": self.cleaned_data["expected_stage"]}


def date_field(label):
    return forms.DateField(label=label, widget=DateInput())


def note_field(required=False, label=None):
    return forms.CharField(
        label=label or _("Note"),
        required=required,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when the step is late or ends the file: say why."),
    )


class TrainedForm(StepForm):
    stage = Stage.TRAINED
    certificate_number = forms.CharField(label=_("Certificate number"), max_length=50)
    certificate_on = date_field(_("Certificate date"))
    issuer = forms.CharField(label=_("Issued by"), max_length=150)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        units = UnitMap.load()
        today = timezone.localdate()
        commune = (
            units.unit_on(self.candidate.establishment.commune_id, today) or self.candidate.establishment.commune_id
        )
        issuer_unit = units.row_of(commune, today, units.row_level(today)) or commune
        self.fields["issuer"].initial = services.default_organiser(AdministrativeUnit.objects.get(pk=issuer_unit))

    def perform(self):
        data = self.cleaned_data
        return services.record_training(
            certificate_number=data["certificate_number"],
            certificate_on=data["certificate_on"],
            issuer=data["issuer"],
            **self.common(),
        )


class DossierFieldsMixin(forms.Form):
    application_on = forms.DateField(label=_("Application (form 1-KNĐ)"), required=False, widget=DateInput())
    personal_history_on = forms.DateField(label=_("Personal history (form 2-KNĐ)"), required=False, widget=DateInput())
    verification_concluded_on = forms.DateField(
        label=_("Background verification concluded"), required=False, widget=DateInput()
    )
    comments_on = forms.DateField(
        label=_("Comments of organisations and the residence cell (form 5-KNĐ)"), required=False, widget=DateInput()
    )

    def dossier_data(self):
        return {name: self.cleaned_data.get(name) for name in services.DOSSIER_FIELDS}


class DossierForm(DossierFieldsMixin, StepForm):
    stage = Stage.DOSSIER
    opened_on = date_field(_("Application received on"))
    note = note_field()

    def perform(self):
        return services.open_dossier(
            opened_on=self.cleaned_data["opened_on"],
            note=self.cleaned_data["note"],
            **self.dossier_data(),
            **self.common(),
        )


class DossierUpdateForm(DossierFieldsMixin):
    """The dossier's documents as they arrive, without a change of stage; for someone over 60,
    the provincial party committee's decision."""

    over_age_decision = forms.CharField(
        label=_("Over 60: decision of the provincial party committee (number)"), max_length=100, required=False
    )
    over_age_decision_on = forms.DateField(label=_("Date of that decision"), required=False, widget=DateInput())

    def __init__(self, *args, candidate, user, **kwargs):
        self.candidate, self.user = candidate, user
        names = [*services.DOSSIER_FIELDS, "over_age_decision", "over_age_decision_on"]
        kwargs.setdefault("initial", {name: getattr(candidate, name) for name in names})
        super().__init__(*args, **kwargs)
        style_fields(self)

    def perform(self):
        return services.update_dossier(
            candidate=self.candidate,
            by=self.user,
            over_age_decision=self.cleaned_data.get("over_age_decision", ""),
            over_age_decision_on=self.cleaned_data.get("over_age_decision_on"),
            **self.dossier_data(),
        )


class IntroducerForm(forms.Form):
    party_member = forms.ModelChoiceField(
        label=_("Introducing party member"),
        queryset=PartyMember.objects.all(),
        required=False,
        widget=AutocompleteSelect("establishments:party_member_autocomplete"),
    )
    youth_union_resolution = forms.CharField(
        label=_("or: Youth Union resolution number"), required=False, max_length=50
    )
    introduced_on = date_field(_("Introduced on"))
    known_since = forms.DateField(
        label=_("Has worked or lived with the candidate since"),
        required=False,
        widget=DateInput(),
        help_text=_("For a party member: at least 12 months before the cell's vote."),
    )

    def __init__(self, *args, candidate, user, **kwargs):
        self.candidate, self.user = candidate, user
        kwargs.setdefault("initial", {"introduced_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        limit_choices_to_scope(self, user)
        style_fields(self)

    def clean(self):
        cleaned = super().clean()
        if bool(cleaned.get("party_member")) == bool(cleaned.get("youth_union_resolution", "").strip()):
            raise forms.ValidationError(
                _("Choose a party member, or give a Youth Union resolution number (not both).")
            )
        return cleaned

    def perform(self):
        data = self.cleaned_data
        return services.add_introducer(
            candidate=self.candidate,
            by=self.user,
            party_member=data.get("party_member"),
            youth_union_resolution=data.get("youth_union_resolution", "").strip(),
            introduced_on=data["introduced_on"],
            known_since=data.get("known_since"),
        )


class VotesMixin(forms.Form):
    """The votes in favour; the cell's official members are counted by the service from the
    register on the vote date (shown here as they stand today)."""

    votes_for = forms.IntegerField(label=_("Votes in favour"), min_value=0, max_value=999)

    def show_register_count(self, cell) -> None:
        if cell is None:
            return
        count = services.official_members_on(cell, timezone.localdate())
        self.fields["votes_for"].help_text = _(
            "The register counts %(count)s official members in %(cell)s today; the vote is counted against the "
            "official members on its date."
        ) % {"count": count, "cell": cell}


class CellResolutionForm(VotesMixin, StepForm):
    stage = Stage.CELL_RESOLUTION
    voted_on = date_field(_("Date of the cell's vote"))
    document_number = forms.CharField(label=_("Resolution number (form 6-KNĐ)"), max_length=50)
    party_cell = forms.ModelChoiceField(
        label=_("Party cell"),
        queryset=PartyCell.objects.all(),
        required=False,
        widget=AutocompleteSelect("establishments:party_cell_autocomplete"),
    )
    note = note_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        cell = self.candidate.party_cell or (
            self.candidate.establishment.party_cells.active_on(today).order_by("-founded_on").first()
        )
        if cell is not None:
            self.fields["party_cell"].initial = cell.pk
        self.show_register_count(cell)

    def perform(self):
        data = self.cleaned_data
        return services.record_cell_resolution(
            voted_on=data["voted_on"],
            document_number=data["document_number"],
            votes_for=data["votes_for"],
            party_cell=data.get("party_cell"),
            note=data["note"],
            **self.common(),
        )


class GrassrootsResolutionForm(StepForm):
    stage = Stage.GRASSROOTS_RESOLUTION
    resolved_on = date_field(_("Date of the resolution"))
    document_number = forms.CharField(label=_("Resolution number (form 8-KNĐ)"), max_length=50)
    note = note_field()

    def perform(self):
        data = self.cleaned_data
        return services.record_grassroots_resolution(
            resolved_on=data["resolved_on"],
            document_number=data["document_number"],
            note=data["note"],
            **self.common(),
        )


class DecisionForm(StepForm):
    stage = Stage.DECISION
    decided_on = date_field(_("Date of the decision"))
    document_number = forms.CharField(label=_("Decision number (form 9-KNĐ)"), max_length=50)
    deciding_body = forms.CharField(
        label=_("Deciding body"),
        max_length=200,
        required=False,
        help_text=_("Empty: the standing committee competent on the decision's date, as the structure records it."),
    )
    note = note_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deciding_body"].widget.attrs["placeholder"] = services.default_deciding_body(self.candidate)[1]

    def perform(self):
        data = self.cleaned_data
        return services.record_decision(
            decided_on=data["decided_on"],
            document_number=data["document_number"],
            deciding_body=data["deciding_body"],
            note=data["note"],
            **self.common(),
        )


class AdmittedForm(StepForm):
    stage = Stage.ADMITTED
    ceremony_on = date_field(_("Date of the admission ceremony"))
    note = note_field()

    def perform(self):
        data = self.cleaned_data
        return services.admit_candidate(ceremony_on=data["ceremony_on"], note=data["note"], **self.common())


class OfficialForm(VotesMixin, StepForm):
    stage = Stage.OFFICIAL
    voted_on = date_field(_("Date of the cell's vote"))
    document_number = forms.CharField(label=_("Recognition decision number (form 16-KNĐ)"), max_length=50)
    note = note_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        member = self.candidate.party_member
        self.show_register_count(member.party_cell if member else None)

    def perform(self):
        data = self.cleaned_data
        return services.recognise_official(
            voted_on=data["voted_on"],
            document_number=data["document_number"],
            votes_for=data["votes_for"],
            note=data["note"],
            **self.common(),
        )


class RejectedForm(StepForm):
    stage = Stage.REJECTED
    on = date_field(_("Date"))
    document_number = forms.CharField(label=_("Document number"), max_length=50, required=False)
    votes_for = forms.IntegerField(label=_("Votes in favour"), min_value=0, required=False)
    official_members = forms.IntegerField(label=_("Official members of the cell"), min_value=1, required=False)
    note = note_field(required=True, label=_("What was decided, and why"))

    def perform(self):
        data = self.cleaned_data
        return services.reject_candidate(
            rejected_on=data["on"],
            document_number=data["document_number"],
            votes_for=data.get("votes_for"),
            official_members=data.get("official_members"),
            note=data["note"],
            **self.common(),
        )


class WithdrawnForm(StepForm):
    stage = Stage.WITHDRAWN
    on = date_field(_("Date"))
    note = note_field(required=True, label=_("Why"))

    def perform(self):
        return services.withdraw_candidate(
            withdrawn_on=self.cleaned_data["on"], note=self.cleaned_data["note"], **self.common()
        )


class MovedAwayForm(StepForm):
    stage = Stage.MOVED_AWAY
    on = date_field(_("Date"))
    note = note_field(required=True, label=_("Where to, and why"))

    def perform(self):
        return services.record_moved_away(
            moved_on=self.cleaned_data["on"], note=self.cleaned_data["note"], **self.common()
        )


class RemovedForm(StepForm):
    stage = Stage.REMOVED
    on = date_field(_("Date"))
    document_number = forms.CharField(label=_("Decision number"), max_length=50)
    note = note_field(required=True, label=_("Why"))

    def perform(self):
        data = self.cleaned_data
        return services.remove_from_probation(
            removed_on=data["on"], document_number=data["document_number"], note=data["note"], **self.common()
        )


class ReturnToSourceForm(StepForm):
    stage = Stage.SOURCE
    added_on = date_field(_("Added to the source list on"))
    year = forms.IntegerField(label=_("Source list year"), min_value=1990, max_value=2100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = timezone.localdate().year

    @property
    def title(self):
        return _("Back on the source list")

    def perform(self):
        data = self.cleaned_data
        return services.return_to_source(
            candidate=self.candidate, added_on=data["added_on"], year=data["year"], by=self.user
        )


STEP_FORMS: dict[str, type[StepForm]] = {
    form.stage: form
    for form in (
        TrainedForm,
        DossierForm,
        CellResolutionForm,
        GrassrootsResolutionForm,
        DecisionForm,
        AdmittedForm,
        OfficialForm,
        RejectedForm,
        WithdrawnForm,
        MovedAwayForm,
        RemovedForm,
        ReturnToSourceForm,
    )
}


def step_forms_for(candidate: Candidate, user, bound: StepForm | None = None) -> list[StepForm]:
    """A form for every step the candidate may take next and the user may record."""
    forms_ = []
    for stage in candidate.allowed_stages():
        if not user.has_perm(services.step_permission(stage)):
            continue
        if isinstance(bound, StepForm) and bound.stage == stage:
            forms_.append(bound)
        else:
            forms_.append(STEP_FORMS[stage](candidate=candidate, user=user, prefix=stage))
    return forms_


class TrainingClassForm(ScopedModelForm):
    class Meta:
        model = TrainingClass
        fields = ["name", "unit", "organiser", "starts_on", "ends_on", "venue", "capacity", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"ends_on": _("A class lasts 5 days (50 periods, 5 lessons).")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            self.fields["capacity"].initial = 60
            units = self.fields["unit"].queryset.valid_on(timezone.localdate()).exclude(level=UnitLevel.PROVINCE)
            self.fields["unit"].queryset = units
            unit = self.user.unit if self.user.unit_id and self.user.unit.is_valid_on(timezone.localdate()) else None
            if unit is not None:
                self.fields["unit"].initial = unit.pk
                self.fields["organiser"].initial = services.default_organiser(unit)
        self.fields["organiser"].required = False
        self.fields["ends_on"].required = False  # five days from the start when left empty

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("unit") and not cleaned.get("organiser"):
            cleaned["organiser"] = services.default_organiser(cleaned["unit"])
            self.instance.organiser = cleaned["organiser"]
        starts, ends = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts and not ends:
            cleaned["ends_on"] = starts + datetime.timedelta(days=4)
            self.instance.ends_on = cleaned["ends_on"]
        return cleaned


class EnrolForm(forms.Form):
    """Enrol the ticked candidates, or all that match the list's filters, in one class.

    A class that has ended may still be chosen, with the day the enrolment happened (entered
    afterwards); "all that match" is enrolled only once confirmed for the number that match
    (`confirmed_count`), so a list that changed in between is shown again, not enrolled."""

    training_class = forms.ModelChoiceField(label=_("Class"), queryset=TrainingClass.objects.all())
    enrolled_on = forms.DateField(
        label=_("Enrolled on"),
        required=False,
        widget=DateInput(),
        help_text=_("Empty: today. For a class that has ended, the day the enrolment happened."),
    )
    selection = forms.TypedMultipleChoiceField(coerce=int, required=False)
    everyone = forms.BooleanField(required=False)
    filters = forms.CharField(required=False)
    confirmed_count = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["training_class"].queryset = TrainingClass.objects.for_user(user).select_related("unit")
        self.fields["selection"].choices = [(v, v) for v in self.data.getlist("selection")] if self.is_bound else []
        style_fields(self)

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("everyone") and not cleaned.get("selection"):
            raise forms.ValidationError(_("Tick at least one candidate, or choose “all that match the filter”."))
        training_class = cleaned.get("training_class")
        if training_class is not None and not cleaned.get("enrolled_on"):
            if training_class.ends_on < timezone.localdate():
                self.add_error("enrolled_on", _("This class has ended: give the day the enrolment happened."))
            else:
                cleaned["enrolled_on"] = timezone.localdate()
        return cleaned


ENDED_CLASSES_SHOWN = datetime.timedelta(days=366)  # the enrolments of a year's classes may still be entered


def enrolment_classes(user):
    """Classes in the user's scope that have not ended, or ended within a year: people are
    enrolled in the first, and the enrolments that happened in the others may still be entered."""
    since = timezone.localdate() - ENDED_CLASSES_SHOWN
    return TrainingClass.objects.for_user(user).filter(ends_on__gte=since).select_related("unit")


class RosterRowForm(forms.Form):
    enrollment = forms.IntegerField(widget=forms.HiddenInput)
    attended = forms.BooleanField(label=_("Attended"), required=False)
    completed = forms.BooleanField(label=_("Completed"), required=False)
    essay_result = forms.ChoiceField(label=_("Essay"), choices=[("", "—"), *EssayResult.choices], required=False)
    certificate_number = forms.CharField(label=_("Certificate number"), max_length=50, required=False)
    certificate_on = forms.DateField(label=_("Certificate date"), required=False, widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)

    def full_clean(self):
        super().full_clean()
        style_fields(self)


RosterFormSet = forms.formset_factory(RosterRowForm, extra=0)


def roster_formset(training_class, user, data=None):
    """The roster of the class's enrolments the user may see (their scope's candidates)."""
    enrollments = list(
        training_class.enrollments_seen_by(user).select_related("candidate").order_by("candidate__full_name", "pk")
    )
    initial = [
        {
            "enrollment": e.pk,
            "attended": e.attended,
            "completed": e.completed,
            "essay_result": e.essay_result,
            "certificate_number": e.certificate_number,
            "certificate_on": e.certificate_on,
        }
        for e in enrollments
    ]
    formset = RosterFormSet(data=data, initial=initial, prefix="roster")
    for form, enrollment in zip(formset.forms, enrollments, strict=False):
        form.enrollment_object = enrollment
    return formset, enrollments


def roster_rows(formset, enrollments) -> list[services.RosterRow]:
    """The cleaned rows, each matched to its enrolment of this class (anything else is ignored)."""
    by_id = {e.pk: e for e in enrollments}
    rows = []
    for form in formset.forms:
        enrollment = by_id.get(form.cleaned_data.get("enrollment"))
        if enrollment is None:
            continue
        rows.append(
            services.RosterRow(
                enrollment=enrollment,
                attended=form.cleaned_data["attended"],
                completed=form.cleaned_data["completed"],
                essay_result=form.cleaned_data["essay_result"],
                certificate_number=form.cleaned_data["certificate_number"],
                certificate_on=form.cleaned_data["certificate_on"],
            )
        )
    return rows


class CertificatePeriodForm(forms.Form):
    """The period of a certificates list: from `start` to `end`, both included (default: this year)."""

    start = forms.DateField(label=_("From"), required=False, widget=DateInput())
    end = forms.DateField(label=_("To"), required=False, widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)

    def period(self) -> tuple[datetime.date, datetime.date]:
        today = timezone.localdate()
        data = self.cleaned_data if self.is_valid() else {}
        start = data.get("start") or datetime.date(today.year, 1, 1)
        end = data.get("end") or datetime.date(today.year, 12, 31)
        return (start, end) if start <= end else (end, start)
