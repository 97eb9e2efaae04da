"""The registry's models: dated administrative units, establishments and members, the party's
organisations and cells, responsible cadres (one module each; see their docstrings)."""

from .cadres import Assignment, Cadre, has_cadre_on
from .common import active_on_q, choice_constraint, open_interval_on_q, valid_on_q
from .party import CellMembership, PartyCell, PartyOrganisation, PartyOrganisationParent
from .registry import (
    BLANK,
    FACT_COUNTS,
    PROBATION_MONTHS,
    Establishment,
    MemberPlacement,
    PartyMember,
    existing_on_q,
    first_in_establishment_q,
    has_party_cell_on,
    has_party_members_on,
    lacking_on,
)
from .units import AdministrativeUnit, Commune, District, UnitSuccession

__all__ = [
    "BLANK",
    "FACT_COUNTS",
    "PROBATION_MONTHS",
    "AdministrativeUnit",
    "Assignment",
    "Cadre",
    "CellMembership",
    "Commune",
    "District",
    "Establishment",
    "MemberPlacement",
    "PartyCell",
    "PartyMember",
    "PartyOrganisation",
    "PartyOrganisationParent",
    "UnitSuccession",
    "active_on_q",
    "choice_constraint",
    "existing_on_q",
    "first_in_establishment_q",
    "has_cadre_on",
    "has_party_cell_on",
    "has_party_members_on",
    "lacking_on",
    "open_interval_on_q",
    "valid_on_q",
]
