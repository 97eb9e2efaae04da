"""Form helpers shared by every app: Bootstrap classes, date inputs and scoped choices."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .citizen_id import mask_citizen_id, normalise_citizen_id

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


def style_fields(form) -> None:
    """Give each widget its Bootstrap class and date widgets the browser's date picker.

    Marks fields with errors only once the form has been validated (never triggers validation).
    """
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
    for field in form.fields.values():
        queryset = getattr(field, "queryset", None)
        if queryset is not None and hasattr(queryset, "for_user"):
            field.queryset = queryset.for_user(user)


class ScopedModelForm(forms.ModelForm):
    """A ModelForm for a signed-in user: choices within their scope, Bootstrap-styled, and a
    citizen ID shown masked (left empty, it is kept) to users who may not see it whole."""

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
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
