"""Writes of the registry that enforce a rule across rows. Forms, the admin and imports call these."""

from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from sonla_party.exceptions import RuleViolation

from .models import Establishment, PartyCell


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
