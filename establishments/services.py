"""Writes of the registry that enforce a rule across rows. Forms, the admin and imports call these."""

import datetime
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from sonla_party import bulk
from sonla_party.exceptions import RuleViolation
from sonla_party.workdays import add_months

from .choices import DECIDING_KINDS, OrganisationKind
from .models import (
    Assignment,
    Cadre,
    CellMembership,
    Establishment,
    MemberPlacement,
    PartyCell,
    PartyMember,
    PartyOrganisation,
    PartyOrganisationParent,
)
from .models.registry import PROBATION_MONTHS
from .units import UnitMap


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
    """Save `cell` and the establishments it covers (the seat always among them); a new cell is
    placed under the committee of its seat's commune on its founding date.

    Raises RegistryError when an establishment lies outside the seat's commune.
    """
    covered = check_cell_coverage(seat=cell.seat, establishments=establishments)
    cell.unit_id = cell.seat.commune_id
    is_new = cell.pk is None
    cell.full_clean()
    cell._history_user = by
    cell.save()
    cell.establishments.set(covered)
    if is_new:
        committee = committee_of_unit_on(cell.seat.commune_id, cell.founded_on)
        if committee is not None:
            PartyOrganisationParent.objects.create(organisation=cell, parent=committee, starts_on=cell.founded_on)
    return cell


def committee_of_unit_on(unit_id: int, on: datetime.date) -> PartyOrganisation | None:
    """The party committee leading the commune-level unit that `unit_id` stood for on `on`."""
    current = UnitMap.load().unit_on(unit_id, on)
    if current is None:
        return None
    kinds = [OrganisationKind.GRASSROOTS_COMMITTEE, OrganisationKind.COMMUNE_COMMITTEE]
    return PartyOrganisation.objects.active_on(on).filter(unit=current, kind__in=kinds).first()


def check_member(*, member: PartyMember, stored: PartyMember | None, from_pipeline: bool) -> None:
    """The rules of a member's dates that no edit may skip (form, admin, import alike).

    A member who came through the admission pipeline (`from_pipeline`) keeps the admission and
    official dates the pipeline recorded: official status is set by the recognition vote only.
    Any other member is official no earlier than 12 months of probation after the admission.
    `stored` is the row as saved (None for a new member). Raises RegistryError naming the field.
    """
    if from_pipeline and stored is not None:
        for name in ("admitted_on", "official_on"):
            if getattr(member, name) != getattr(stored, name):
                raise RegistryError(
                    _(
                        "%(name)s was admitted through the admission process: the admission and official dates "
                        "are recorded by its steps (the ceremony, the recognition vote) on the candidate's page."
                    )
                    % {"name": stored.full_name},
                    field=name,
                )
        return
    if member.official_on and member.admitted_on:
        earliest = add_months(member.admitted_on, PROBATION_MONTHS)
        if member.official_on < earliest:
            raise RegistryError(
                _(
                    "A member admitted on %(admitted)s is probationary for %(months)s months: official on "
                    "%(earliest)s at the earliest."
                )
                % {
                    "admitted": member.admitted_on.strftime("%d/%m/%Y"),
                    "months": PROBATION_MONTHS,
                    "earliest": earliest.strftime("%d/%m/%Y"),
                },
                field="official_on",
            )


def stored_member(member: PartyMember) -> tuple[PartyMember | None, bool]:
    """The member's row as saved, and whether it came through the admission pipeline."""
    if member.pk is None:
        return None, False
    stored = PartyMember.objects.filter(pk=member.pk).first()
    return stored, PartyMember.objects.filter(pk=member.pk, candidate__isnull=False).exists()


def check_member_edit(member: PartyMember) -> None:
    """`check_member` against the saved row (for the forms and the admin)."""
    stored, from_pipeline = stored_member(member)
    check_member(member=member, stored=stored, from_pipeline=from_pipeline)


@transaction.atomic
def save_member(*, member: PartyMember, by) -> PartyMember:
    """Save a member entered or edited in the registry, after `check_member`; a new member in a
    cell belongs to it from admission. Raises RegistryError."""
    check_member_edit(member)
    is_new = member.pk is None
    member._history_user = by
    member.save()
    if is_new and member.party_cell_id:
        record_membership(member=member, cell=member.party_cell, starts_on=member.admitted_on, by=by)
    return member


@transaction.atomic
def record_membership(*, member: PartyMember, cell: PartyCell, starts_on: datetime.date, by, note: str = "") -> None:
    """Open `member`'s activity in `cell` from `starts_on` (a new member, or a transfer)."""
    membership = CellMembership(member=member, cell=cell, starts_on=starts_on, note=note)
    membership._history_user = by
    membership.save()


@transaction.atomic
def transfer_member(
    *, member: PartyMember, to_cell: PartyCell, on: datetime.date, by, note: str = ""
) -> CellMembership:
    """Chuyển sinh hoạt đảng: the member's activity moves to `to_cell` from `on`.

    The open membership ends on `on` and a new one starts; the member's current cell follows.
    Refuses a date before the open membership began or before admission, the same cell, a cell
    not active on that date, and a member who has left the Party.
    """
    locked = PartyMember.objects.select_for_update().get(pk=member.pk)
    if locked.left_on is not None and locked.left_on <= on:
        raise RegistryError(_("%(name)s had left the Party by then.") % {"name": locked.full_name}, field="on")
    if on < locked.admitted_on:
        raise RegistryError(_("A transfer cannot come before the admission."), field="on")
    if not to_cell.is_active_on(on):
        raise RegistryError(_("%(cell)s was not active on that date.") % {"cell": to_cell}, field="to_cell")
    current = CellMembership.objects.filter(member=locked, ends_on__isnull=True).first()
    if current is not None:
        if current.cell_id == to_cell.pk:
            raise RegistryError(_("The member already belongs to this cell."), field="to_cell")
        if on <= current.starts_on:
            raise RegistryError(
                _("The member joined %(cell)s on %(date)s: the transfer must come later.")
                % {"cell": current.cell, "date": current.starts_on.strftime("%d/%m/%Y")},
                field="on",
            )
        current.ends_on = on
        current._history_user = by
        current.save()
    membership = CellMembership(member=locked, cell=to_cell, starts_on=on, note=note)
    membership._history_user = by
    membership.save()
    locked.party_cell = to_cell
    locked._history_user = by
    locked.save(update_fields=["party_cell"])
    return membership


@transaction.atomic
def merge_establishments(
    *, establishments: list[Establishment], into: Establishment, on: datetime.date, by
) -> Establishment:
    """Sáp nhập: `establishments` close on `on` and `into` (a new establishment of the same
    commune, opened on `on`) succeeds them. Their members living there then live in `into` from
    `on` (their earlier placement is kept), and the cells that covered them cover `into`: "blank on
    D" stays what it was for every D before the merge, and holds for `into` after it.

    Refuses establishments of another commune, already closed by then, or a successor that is
    not new on `on`.
    """
    olds = list(Establishment.objects.select_for_update().filter(pk__in=[e.pk for e in establishments]))
    if not olds:
        raise RegistryError(_("Choose the establishments to merge."), field="establishments")
    if any(e.commune_id != olds[0].commune_id for e in olds):
        raise RegistryError(_("Only establishments of one commune can be merged."), field="establishments")
    if any(e.closed_on is not None and e.closed_on <= on for e in olds):
        raise RegistryError(_("An establishment to merge had already closed by then."), field="establishments")
    if into.pk is None:
        into.commune_id, into.opened_on = olds[0].commune_id, on
        into._history_user = by
        into.full_clean()
        into.save()
    elif into.opened_on != on:
        raise RegistryError(_("The successor must open on the day of the merger."), field="into")
    for old in olds:
        old.closed_on, old.merged_into = on, into
        old._history_user = by
    bulk_update_with_history(olds, Establishment, ["closed_on", "merged_into"], default_user=by)
    _move_members(olds, into, on, by)
    for cell in PartyCell.objects.filter(establishments__in=olds).distinct():
        if cell.dissolved_on is None or cell.dissolved_on > on:
            cell.establishments.add(into)
    return into


def _move_members(olds, into: Establishment, on: datetime.date, by) -> None:
    members = list(
        PartyMember.objects.filter(establishment__in=olds).filter(Q(left_on__isnull=True) | Q(left_on__gt=on))
    )
    MemberPlacement.objects.bulk_create(
        [
            MemberPlacement(
                member=m,
                establishment_id=m.establishment_id,
                since=m.establishment_since,
                until=on,
                note=str(_("Merger")),
            )
            for m in members
        ]
    )
    for member in members:
        member.establishment, member.establishment_since = into, on
    bulk_update_with_history(members, PartyMember, ["establishment", "establishment_since"], default_user=by)


def _overlapping(assignment: Assignment):
    """Other assignments of the same cadre to the same place whose dates overlap this one's."""
    others = Assignment.objects.filter(cadre=assignment.cadre_id).exclude(pk=assignment.pk)
    others = others.filter(establishment=assignment.establishment_id, commune=assignment.commune_id)
    if assignment.ends_on is not None:
        others = others.filter(starts_on__lt=assignment.ends_on)
    return others.filter(Q(ends_on__isnull=True) | Q(ends_on__gt=assignment.starts_on))


def check_assignment(assignment: Assignment) -> None:
    """The rules across rows: the place lies in the cadre's area, and no other assignment of the
    same cadre to the same place overlaps this one's dates. Raises RegistryError."""
    if not (assignment.cadre_id and (assignment.establishment_id or assignment.commune_id)):
        return  # the form says what is missing
    place = assignment.establishment.commune_id if assignment.establishment_id else assignment.commune_id
    units = UnitMap.load()
    area = units.territory(assignment.cadre.area_id) | {assignment.cadre.area_id}
    if place not in area and not (units.territory(place) & area):
        raise RegistryError(
            _("%(cadre)s follows places of %(district)s only.")
            % {"cadre": assignment.cadre, "district": assignment.cadre.area},
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
    assignment of a cadre to a place and an end before the start.

    The cadre's row is locked first, so two submissions at once (a double click) are checked one
    after the other: the second finds the first's assignment and is refused."""
    if assignment.cadre_id:
        Cadre.objects.select_for_update().filter(pk=assignment.cadre_id).first()
    check_assignment(assignment)
    assignment.full_clean()
    assignment._history_user = by
    try:
        with transaction.atomic():
            assignment.save()
    except IntegrityError as error:  # the database's own guard, should a writer bypass the lock
        raise RegistryError(
            _("%(cadre)s already follows %(place)s.") % {"cadre": assignment.cadre, "place": assignment.place},
            field="starts_on",
        ) from error
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
    if from_cadre.area_id != to_cadre.area_id:
        raise RegistryError(_("Both cadres must work in the same area."), field="to_cadre")
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


def check_new_establishment(*, establishment: Establishment, first_load: bool = False) -> None:
    """A new establishment needs its opening date: without one it would count as existing since
    records began, and move every past figure. Only the registry's first load (nothing entered
    yet) may leave it unknown. Raises RegistryError."""
    if establishment.pk is None and establishment.opened_on is None and not first_load:
        raise RegistryError(
            _("A new establishment needs its opening date (the day it was registered, if nothing earlier is known)."),
            field="opened_on",
        )


@transaction.atomic
def save_establishment(*, establishment: Establishment, by) -> Establishment:
    """Save an establishment entered or edited in the registry, after `check_new_establishment`."""
    check_new_establishment(establishment=establishment)
    establishment._history_user = by
    establishment.save()
    return establishment


@transaction.atomic
def save_establishments_bulk(*, created: list[Establishment], updated: list[Establishment], fields, by, reason: str):
    """The bulk door for imports: establishments validated by the importer, with their history.
    New ones need their opening date unless the registry is empty (its first load)."""
    first_load = not Establishment.objects.exists()
    for establishment in created:
        check_new_establishment(establishment=establishment, first_load=first_load)
    bulk.create_with_history(Establishment, created, by=by, reason=reason)
    bulk_update_with_history(
        updated, Establishment, fields, batch_size=500, default_user=by, default_change_reason=reason
    )


@transaction.atomic
def save_members_bulk(*, created: list[PartyMember], updated: list[PartyMember], fields, by, reason: str):
    """The bulk door for imports: members validated by the importer (`check_member` included),
    with their history. Refuses (RegistryError, nothing saved) a row that breaks `check_member`."""
    stored = PartyMember.objects.in_bulk([m.pk for m in updated])
    pipeline = set(PartyMember.objects.filter(pk__in=stored, candidate__isnull=False).values_list("pk", flat=True))
    for member in [*created, *updated]:
        check_member(member=member, stored=stored.get(member.pk), from_pipeline=member.pk in pipeline)
    bulk.create_with_history(PartyMember, created, by=by, reason=reason)
    bulk_update_with_history(
        updated, PartyMember, fields, batch_size=500, default_user=by, default_change_reason=reason
    )


class DecidingCommittees:
    """Who decides admissions for an establishment's unit on a date — the rule follows the date,
    from the dated structure: the district party committee's standing committee while the districts
    existed (until 30/06/2025), the commune party committee's from 01/07/2025 (Regulation
    294-QĐ/TW, Guidance 06-HD/TW). Loaded once (three queries), asked many times."""

    def __init__(self):
        self.units = UnitMap.load()
        self.by_unit: dict[int, list[PartyOrganisation]] = {}
        for committee in PartyOrganisation.objects.filter(kind__in=DECIDING_KINDS).select_related("unit"):
            self.by_unit.setdefault(committee.unit_id, []).append(committee)

    def on(self, home_unit_id: int, day: datetime.date) -> PartyOrganisation | None:
        commune = self.units.unit_on(home_unit_id, day)
        if commune is None:
            return None
        for unit in (commune, self.units.unit(commune).parent_id):
            for committee in self.by_unit.get(unit, []):
                if committee.is_active_on(day):
                    return committee
        return None
