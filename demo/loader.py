"""The demo data set and the demo accounts (demo data only; password `demo-password`)."""

import time
from functools import lru_cache

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import connection
from django.utils import timezone

from candidates.models import (
    Candidate,
    Enrollment,
    Introducer,
    SourceList,
    SourceListEntry,
    StageEvent,
    TrainingClass,
)
from establishments.models import (
    Assignment,
    Cadre,
    CellMembership,
    Commune,
    District,
    Establishment,
    MemberPlacement,
    PartyMember,
    PartyOrganisation,
    PartyOrganisationParent,
)
from reports.models import FinalisedReport
from sonla_party import roles
from sonla_party.models import FileView, ImportBatch, User

from . import candidates as candidates_demo
from . import registry as registry_demo

DEMO_PASSWORD = "demo-password"
# Commune staff accounts: units valid today, in Sơn La city, Mộc Châu and Sốp Cộp (as the districts were).
COMMUNE_ACCOUNTS = ("03646", "03979", "04228")


def has_domain_data() -> bool:
    return Establishment.objects.exists()


def delete_domain_data() -> None:
    """Everything but users and the administrative units (demo databases only); the party's
    committees are made again from the reference data by the registry's build.

    Raw deletes, children first: Django's cascading delete would load every row first, which
    takes minutes at the province's scale."""
    ordered = [
        FileView,
        FinalisedReport,
        ImportBatch,
        Enrollment,
        TrainingClass,
        StageEvent,
        Introducer,
        SourceListEntry,
        Candidate,
        SourceList,
        Assignment,
        Cadre,
        PartyMember,
        CellMembership,
        MemberPlacement,
        PartyOrganisationParent,
        PartyOrganisation.establishments.through,
        PartyOrganisation,
        Establishment,
    ]
    for model in ordered:
        model.objects.all()._raw_delete(model.objects.db)
        if hasattr(model, "history"):
            model.history.all()._raw_delete(model.objects.db)


def build(*, seed: int, scale: str, report=None, starting=None) -> dict[str, int]:
    """Build the demo data; `starting(part)` is told when each part begins and `report(part,
    seconds)` how long it took (a first load is silent for a minute otherwise)."""
    started = time.monotonic()
    if starting:
        starting("registry")
    created = registry_demo.build_registry(seed=seed, scale=scale)
    if report:
        report("registry", time.monotonic() - started)
    ensure_accounts()  # the steps of the files are recorded by the board's account
    board = User.objects.get(username="board")
    started = time.monotonic()
    if starting:
        starting("candidates")
    created.update(candidates_demo.build_candidates(seed=seed, scale=scale, by=board))
    if report:
        report("candidates", time.monotonic() - started)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # fresh statistics, or the planner guesses after a bulk load
    return created


def ensure_accounts() -> None:
    """admin, board, reviewer-<district code> (the districts' years), commune-<code> (a few units
    valid today) and committee-<code> (the standing committee of every commune party committee of
    01/07/2025); existing ones are kept. Each account's scope is a unit."""
    groups = {name: Group.objects.get_or_create(name=name)[0] for name in roles.ROLE_PERMISSIONS}
    _account("admin", is_superuser=True, first_name="Quản trị")
    _account("board", group=groups[roles.BOARD], first_name="Ban Tổ chức")
    for district in District.objects.all():
        _account(
            f"reviewer-{district.code}",
            group=groups[roles.REVIEWER],
            unit=district,
            first_name=f"Huyện ủy {district.name}",
        )
    today = timezone.localdate()
    current = {unit.code: unit for unit in Commune.objects.valid_on(today)}
    for code in COMMUNE_ACCOUNTS:
        if code in current:
            _account(
                f"commune-{code}",
                group=groups[roles.COMMUNE_STAFF],
                unit=current[code],
                first_name=f"Cán bộ {current[code].full_name.lower()}",
            )
    for committee in PartyOrganisation.objects.filter(kind="commune_committee").select_related("unit"):
        if committee.unit.is_valid_on(today):
            _account(
                f"committee-{committee.unit.code}",
                group=groups[roles.COMMITTEE],
                unit=committee.unit,
                first_name=f"Ban Thường vụ {committee.name}",
            )


@lru_cache(maxsize=1)
def _demo_password_hash() -> str:
    return make_password(DEMO_PASSWORD)  # hashing is slow on purpose: once for all demo accounts


def _account(username, *, group=None, is_superuser=False, **fields) -> User:
    user, created = User.objects.get_or_create(username=username, defaults={**fields, "is_staff": True})
    if created:
        user.is_superuser = is_superuser
        user.password = _demo_password_hash()
        user.save()
        if group is not None:
            user.groups.add(group)
    return user


def accounts_text() -> str:
    lines = [
        "Demo accounts (password: demo-password):",
        "  admin        site administrator (superuser)",
        "  board        organisation-board staff, whole province",
    ]
    for district in District.objects.all():
        lines.append(f"  reviewer-{district.code} district reviewer, {district.name} (until 30/06/2025)")
    for user in User.objects.filter(username__startswith="commune-").select_related("unit"):
        lines.append(f"  {user.username} commune staff, {user.unit.full_name}")
    committees = User.objects.filter(username__startswith="committee-").count()
    if committees:
        lines.append(
            f"  committee-<code>  standing committee of a commune party committee ({committees} accounts, e.g."
        )
        lines.append("                    committee-03646 for the ward Tô Hiệu)")
    return "\n".join(lines)
