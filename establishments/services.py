"""Writes of the registry that enforce a rule across rows. Forms, the admin and imports call these."""

import datetime
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from sonla_party.exceptions import RuleViolation

from .models import Assignment, Cadre, Establishment, PartyCell, PartyMember


class RegistryError(RuleViolation):
    """A registry rule refused the change."""


def check_cell_coverage(*, seat: Establishment, establishments: Iterable[Establishment]) -> list[Establishment]:
    """The establishments a cell covers: the seat among them, all in the seat's commune.

    Returns the list with the seat added if it was missing; raises RegistryError naming any
    establishment of another commune.
    """
    covered = list(establishments)
    if seat.pk not in {e.pk for e in covered}:
        covered.append(seat)
    strangers = [e for e in covered if e.commune_id != seat.commune_id]
    if strangers:
        raise RegistryError(
            _("A party cell covers establishments of its seat's commune only; not: %(names)s.")
            % {"names": ", ".join(str(e) for e in strangers)},
            field="establishments",
        )
    return covered


@transaction.atomic
def save_party_cell(*, cell: PartyCell, establishments: Iterable[Establishment], by) -> PartyCell:
    """Save `cell` and the establishments it covers (the seat always among them).

    Raises RegistryError when an establishment lies outside the seat's commune.
    """
    covered = check_cell_coverage(seat=cell.seat, establishments=establishments)
    cell.full_clean()
    cell._history_user = by
    cell.save()
    cell.establishments.set(covered)
    return cell


def _overlapping(assignment: Assignment):
    """Other assignments of the same cadre to the same place whose dates overlap this one's."""
    others = Assignment.objects.filter(cadre=assignment.cadre_id).exclude(pk=assignment.pk)
    others = others.filter(establishment=assignment.establishment_id, commune=assignment.commune_id)
    if assignment.ends_on is not None:
        others = others.filter(starts_on__lt=assignment.ends_on)
    return others.filter(Q(ends_on__isnull=True) | Q(ends_on__gt=assignment.starts_on))


def check_assignment(assignment: Assignment) -> None:
    """The rules across rows: the place lies in the cadre's district, and no other assignment of
    the same cadre to the same place overlaps this one's dates. Raises RegistryError."""
    if not (assignment.cadre_id and (assignment.establishment_id or assignment.commune_id)):
        return  # the form says what is missing
    place_district = (
        assignment.establishment.commune.district_id if assignment.establishment_id else assignment.commune.district_id
    )
    if place_district != assignment.cadre.district_id:
        raise RegistryError(
            _("%(cadre)s follows places of %(district)s only.")
            % {"cadre": assignment.cadre, "district": assignment.cadre.district},
            field="establishment" if assignment.establishment_id else "commune",
        )
    clash = _overlapping(assignment).first()
    if clash is not None:
        raise RegistryError(
            _("%(cadre)s already follows %(place)s from %(start)s%(end)s: the dates overlap.")
            % {
                "cadre": assignment.cadre,
                "place": assignment.place,
                "start": clash.starts_on.strftime("%d/%m/%Y"),
                "end": f" – {clash.ends_on:%d/%m/%Y}" if clash.ends_on else "",
            },
            field="starts_on",
        )


@transaction.atomic
def save_assignment(*, assignment: Assignment, by) -> Assignment:
    """Save an assignment after `check_assignment`; the database also refuses a second open
    assignment of a cadre to a place and an end before the start."""
    check_assignment(assignment)
    assignment.full_clean()
    assignment._history_user = by
    assignment.save()
    return assignment


@transaction.atomic
def hand_over(*, from_cadre: Cadre, to_cadre: Cadre, on: datetime.date, by) -> list[Assignment]:
    """End every open assignment of `from_cadre` on `on` and give each to `to_cadre` from `on`.

    The old assignments stay in the history, ended. Refuses (RegistryError, nothing changed) the
    same cadre, cadres of different districts, a date before an assignment's start, or a place
    the new cadre already follows.
    """
    if from_cadre.pk == to_cadre.pk:
        raise RegistryError(_("Choose another cadre to hand over to."), field="to_cadre")
    if from_cadre.district_id != to_cadre.district_id:
        raise RegistryError(_("Both cadres must work in the same district."), field="to_cadre")
    current = list(Assignment.objects.select_for_update().filter(cadre=from_cadre, ends_on__isnull=True))
    if not current:
        raise RegistryError(_("%(cadre)s has no open assignment.") % {"cadre": from_cadre})
    new = []
    for old in current:
        if on < old.starts_on:
            raise RegistryError(
                _("%(place)s was assigned on %(start)s: the hand-over cannot be earlier.")
                % {"place": old.place, "start": old.starts_on.strftime("%d/%m/%Y")},
                field="on",
            )
        old.ends_on = on
        old.note = (old.note + " " + _("Handed over to %(cadre)s.") % {"cadre": to_cadre}).strip()[:250]
        old._history_user = by
        old.save()
        successor = Assignment(
            cadre=to_cadre,
            commune=old.commune,
            establishment=old.establishment,
            role=old.role,
            starts_on=on,
            note=_("Taken over from %(cadre)s.") % {"cadre": from_cadre},
        )
        new.append(save_assignment(assignment=successor, by=by))
    return new


@transaction.atomic
def save_establishments_bulk(*, created: list[Establishment], updated: list[Establishment], fields, by, reason: str):
    """The bulk door for imports: establishments validated by the importer, with their history."""
    bulk_create_with_history(created, Establishment, batch_size=500, default_user=by, default_change_reason=reason)
    bulk_update_with_history(
        updated, Establishment, fields, batch_size=500, default_user=by, default_change_reason=reason
    )


@transaction.atomic
def save_members_bulk(*, created: list[PartyMember], updated: list[PartyMember], fields, by, reason: str):
    """The bulk door for imports: members validated by the importer, with their history."""
    bulk_create_with_history(created, PartyMember, batch_size=500, default_user=by, default_change_reason=reason)
    bulk_update_with_history(
        updated, PartyMember, fields, batch_size=500, default_user=by, default_change_reason=reason
    )
