"""Table columns shared by every app."""

import django_tables2 as tables
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from .citizen_id import mask_citizen_id


class DateColumn(tables.Column):
    """dd/mm/yyyy on the page; a real date in exports (XLSX date cells)."""

    def render(self, value):
        return date_format(value, "SHORT_DATE_FORMAT")

    def value(self, value):
        return value


class BooleanColumn(tables.BooleanColumn):
    """✔ / ✘ on the page, "x" / "" in exports."""

    def value(self, value):
        return bool(value)


class ChoiceColumn(tables.Column):
    """The label of a TextChoices value (works on annotated values too)."""

    def __init__(self, choices, *args, **kwargs):
        self.choices = dict(choices)
        super().__init__(*args, **kwargs)

    def render(self, value):
        return self.choices.get(value, value)

    def value(self, value):
        return str(self.choices.get(value, value))


class CitizenIdColumn(tables.Column):
    """Whole number for users with the permission, the last four digits for everyone else."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("verbose_name", _("citizen ID"))
        super().__init__(*args, **kwargs)

    def render(self, value, table):
        return self.value(value, table)

    def value(self, value, table):
        user = getattr(getattr(table, "request", None), "user", None)
        if user is not None and user.has_perm("sonla_party.view_full_citizen_id"):
            return value
        return mask_citizen_id(value)
