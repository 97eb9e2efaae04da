"""Choosing an administrative unit: today's units first, then the ended ones under their district."""

from itertools import groupby

from django import forms
from django.forms.models import ModelChoiceIterator
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from sonla_party.renderers import FastSelect

from .choices import UnitLevel


class GroupedUnitIterator(ModelChoiceIterator):
    """Options grouped so that two units with one name are told apart: the units valid today,
    then, for each district, its communes as they were until it ended."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        today = timezone.localdate()
        units = sorted(self.queryset.select_related("parent"), key=lambda u: (u.sort_key, u.pk))
        current = [u for u in units if u.is_valid_on(today)]
        if current:
            yield (_("Today's units"), [self.told_apart(u, current) for u in current])
        ended = sorted((u for u in units if not u.is_valid_on(today)), key=lambda u: (u.parent_id or 0, u.sort_key))
        for _parent, group in groupby(ended, key=lambda u: u.parent_id):
            group = list(group)
            yield (_ended_group_label(group[0]), [self.told_apart(u, group) for u in group])

    def told_apart(self, unit, group):
        """The option of `unit`; when another unit of its group has the same name, the label says
        which it is: its district (before 01/07/2025), else its code."""
        value, label = self.choice(unit)
        if sum(1 for other in group if other.name == unit.name) > 1:
            label = f"{label} ({same_name_mark(unit)})"
        return value, label

    def __len__(self):
        return self.queryset.count() + (1 if self.field.empty_label is not None else 0)


def same_name_mark(unit) -> str:
    """What tells a unit from another of the same name: its district, or its code."""
    if unit.parent_id and unit.parent.level == UnitLevel.DISTRICT:
        return unit.parent.name
    return _("code %(code)s") % {"code": unit.code}


def _ended_group_label(unit) -> str:
    end = date_format(unit.valid_to, "SHORT_DATE_FORMAT") if unit.valid_to else ""
    parent = unit.parent.full_name if unit.parent_id and unit.parent.level == "district" else _("Province")
    return _("%(parent)s, until %(end)s") % {"parent": parent, "end": end}


class UnitChoiceField(forms.ModelChoiceField):
    iterator = GroupedUnitIterator
    widget = FastSelect


class CommuneSelect(FastSelect):
    """The commune select of a list's filters, which follows its district select.

    Each option says, in `data-districts`, the districts whose rows it holds (the district filter's
    own territory, so narrowing never hides a commune the district would show); `static/js/app.js`
    keeps only the communes of the district chosen in the select named by `data-follows`.
    Without JavaScript every commune stays and the server applies both filters.
    """

    def __init__(self, attrs=None, follows: str = "district"):
        super().__init__(attrs={"data-follows": follows, **(attrs or {})})

    def optgroups(self, name, value, attrs=None):
        from .units import UnitMap

        units = UnitMap.load()
        self._districts_of = {}
        for unit in units.units.values():
            if unit.level == UnitLevel.DISTRICT:
                for commune in units.territory(unit.pk):
                    self._districts_of.setdefault(commune, []).append(str(unit.pk))
        return super().optgroups(name, value, attrs)

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        pk = getattr(value, "value", value)
        districts = getattr(self, "_districts_of", {}).get(pk)
        if districts:
            option["attrs"]["data-districts"] = " ".join(districts)
        return option
