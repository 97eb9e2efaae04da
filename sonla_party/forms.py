"""Form helpers shared by every app: Bootstrap classes, date inputs, scoped choices, and the
guards that keep nonsense (a key no column can hold, a date at the calendar's end) a form error."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from .citizen_id import mask_citizen_id, normalise_citizen_id
from .sensitive import hidden_fields

DATE_WIDGET_FORMAT = "%Y-%m-%d"  # what the form sends: GET filters and links keep ISO dates


class DateInput(forms.DateInput):
    """A date typed and shown dd/mm/yyyy whatever the browser's language.

    The input carries the ISO day (`yyyy-mm-dd`, the public contract of `as_of=` and the other
    date parameters); `static/js/app.js` puts the vendored flatpickr on `data-datepicker`: a text
    box in dd/mm/yyyy with a calendar in Vietnamese, sending the ISO day. Without JavaScript the
    browser's own date input still works. The server also accepts dd/mm/yyyy (DATE_INPUT_FORMATS).
    """

    input_type = "date"

    def __init__(self, attrs=None, format=None):
        attrs = {"data-datepicker": "", "placeholder": _("dd/mm/yyyy"), **(attrs or {})}
        super().__init__(attrs=attrs, format=format or DATE_WIDGET_FORMAT)


MAX_KEY = 2**63 - 1  # the largest value of a 64-bit primary key
# The dates a form accepts: a person's birth to a plan's horizon. Beyond, a date is a typing slip,
# and date arithmetic (a deadline, a year's end) would leave the calendar.
MIN_DATE = datetime.date(1900, 1, 1)
MAX_DATE = datetime.date(2100, 12, 31)


def parse_key(value) -> int | None:
    """`value` as a record's key — ASCII digits within a 64-bit column — else None. Never raises:
    "²", "١٢" or a 25-digit number come from hand-edited URLs and forms."""
    text = "" if value is None else str(value).strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 19:
        return None
    number = int(text)
    return number if 0 < number <= MAX_KEY else None


def _has_integer_keys(field) -> bool:
    """Whether the choice is by an integer column (a foreign key's form field names its target
    column, the primary key's, in `to_field_name`)."""
    opts = field.queryset.model._meta
    name = getattr(field, "to_field_name", None)
    column = opts.pk if name in (None, opts.pk.name, opts.pk.attname) else opts.get_field(name)
    return isinstance(column, models.IntegerField)


class KeyGuardMixin:
    """A model choice that refuses, as an invalid choice, a value that is no possible key, before
    the database is asked (SQLite cannot bind a 25-digit integer; PostgreSQL refuses it)."""

    def to_python(self, value):
        if (
            value not in self.empty_values
            and not isinstance(value, models.Model)
            and _has_integer_keys(self)
            and parse_key(value) is None
        ):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)

    def bound_data(self, data, initial):
        """What the widget shows again: not a value no record can have (a select looks its
        chosen options up in the database)."""
        if isinstance(data, str) and data not in self.empty_values and _has_integer_keys(self) and not parse_key(data):
            return None
        return super().bound_data(data, initial)


class KeysGuardMixin:
    """The same for a multiple model choice."""

    def _check_values(self, value):
        if _has_integer_keys(self):
            for key in value:
                if not isinstance(key, models.Model) and parse_key(key) is None:
                    raise ValidationError(
                        self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": key}
                    )
        return super()._check_values(value)

    def bound_data(self, data, initial):
        if isinstance(data, list | tuple) and _has_integer_keys(self):
            data = [key for key in data if isinstance(key, models.Model) or parse_key(key)]
        return super().bound_data(data, initial)


_GUARDED_CLASSES: dict[type, type] = {}


def _guarded_class(cls: type) -> type:
    if cls not in _GUARDED_CLASSES:
        mixin = KeysGuardMixin if issubclass(cls, forms.ModelMultipleChoiceField) else KeyGuardMixin
        _GUARDED_CLASSES[cls] = type(f"Guarded{cls.__name__}", (mixin, cls), {})
    return _GUARDED_CLASSES[cls]


def date_range_message():
    return _("Enter a date between %(first)s and %(last)s.") % {
        "first": date_format(MIN_DATE, "SHORT_DATE_FORMAT"),
        "last": date_format(MAX_DATE, "SHORT_DATE_FORMAT"),
    }


class DateRangeValidator:
    """Within [MIN_DATE, MAX_DATE], with one message for both ends."""

    def __call__(self, value):
        if value is not None and not (MIN_DATE <= value <= MAX_DATE):
            raise ValidationError(date_range_message(), code="date_range")

    def __eq__(self, other):
        return isinstance(other, DateRangeValidator)


def guard_fields(form) -> None:
    """Make nonsense a form error in every field of `form`: a model choice accepts only possible
    keys, a date only [MIN_DATE, MAX_DATE]. Idempotent; every form of the app passes here (through
    `style_fields` or `limit_choices_to_scope`), filter forms included."""
    for field in form.fields.values():
        guard_field(field)


def guard_field(field):
    """One field of `guard_fields` (the admin guards its fields as it builds them)."""
    if isinstance(field, forms.ModelChoiceField) and not isinstance(field, KeyGuardMixin | KeysGuardMixin):
        field.__class__ = _guarded_class(type(field))
    elif isinstance(field, forms.DateField) and DateRangeValidator() not in field.validators:
        field.validators.append(DateRangeValidator())
    return field


def style_fields(form) -> None:
    """Give each widget its Bootstrap class and date widgets the browser's date picker.

    Marks fields with errors only once the form has been validated (never triggers validation).
    """
    guard_fields(form)
    errors = form._errors or {}
    for name, field in form.fields.items():
        widget = field.widget
        if isinstance(field, forms.DateField) and not isinstance(widget, (DateInput, forms.HiddenInput)):
            widget = field.widget = DateInput(attrs=widget.attrs)
        if isinstance(widget, (forms.CheckboxInput, forms.CheckboxSelectMultiple, forms.RadioSelect)):
            css = "form-check-input"
        elif isinstance(widget, (forms.Select, forms.SelectMultiple)):
            css = "form-select"
        else:
            css = "form-control"
        classes = [c for c in widget.attrs.get("class", "").split() if c not in (css, "is-invalid")]
        classes.append(css)
        if name in errors:
            classes.append("is-invalid")
        widget.attrs["class"] = " ".join(classes)


def limit_choices_to_scope(form, user) -> None:
    """Restrict every model choice to rows in the user's scope (a form can never point outside it)."""
    guard_fields(form)
    for field in form.fields.values():
        queryset = getattr(field, "queryset", None)
        if queryset is not None and hasattr(queryset, "for_user"):
            field.queryset = queryset.for_user(user)


class ScopedModelForm(forms.ModelForm):
    """A ModelForm for a signed-in user: choices within their scope, Bootstrap-styled, and a
    citizen ID shown masked (left empty, it is kept) to users who may not see it whole.

    A stored file's sensitive fields are left out of the form for a user without the right: not
    shown, and kept as stored (a new file takes them: the person registering enters them)."""

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            for name in hidden_fields(type(self.instance), user):
                self.fields.pop(name, None)
        limit_choices_to_scope(self, user)
        self._kept_citizen_id = None
        if "citizen_id" in self.fields:
            self._protect_citizen_id()
        style_fields(self)

    def _protect_citizen_id(self):
        current = getattr(self.instance, "citizen_id", None)
        if not current or self.user.has_perm("sonla_party.view_full_citizen_id"):
            return
        self._kept_citizen_id = current
        self.initial["citizen_id"] = ""
        self.fields["citizen_id"].widget.attrs["placeholder"] = mask_citizen_id(current)
        self.fields["citizen_id"].help_text = _("Leave empty to keep the recorded number.")

    def clean_citizen_id(self):
        value = normalise_citizen_id(self.cleaned_data.get("citizen_id"))
        return value or self._kept_citizen_id

    def full_clean(self):
        super().full_clean()
        style_fields(self)  # mark the fields that now have errors
