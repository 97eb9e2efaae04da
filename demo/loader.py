"""The demo data set and the demo accounts (demo data only; password `demo-password`)."""

import time
from functools import lru_cache

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import connection

from candidates.models import (
    Candidate,
    Enrollment,
    Introducer,
    SourceList,
    SourceListEntry,
    StageEvent,
    TrainingClass,
)
from establishments.models import Assignment, Cadre, Commune, District, Establishment, PartyCell, PartyMember
from reports.models import FinalisedReport
from sonla_party import roles
from sonla_party.models import FileView, ImportBatch, User

from . import candidates as candidates_demo
from . import registry as registry_demo

DEMO_PASSWORD = "demo-password"
# A few commune accounts: the first commune (by code) of these districts.
COMMUNE_ACCOUNT_DISTRICTS = ("116", "123", "127")


def has_domain_data() -> bool:
    return Establishment.objects.exists()


def delete_domain_data() -> None:
    """Everything but users, districts and communes (demo databases only).

    Raw deletes, children first: Django's cascading delete would load every row first, which
    takes minutes at the province's scale."""
    User.objects.filter(commune__isnull=False).update(commune=None)
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
        PartyCell.establishments.through,
        PartyCell,
        Establishment,
    ]
    for model in ordered:
        model.objects.all()._raw_delete(model.objects.db)
        if hasattr(model, "history"):
            model.history.all()._raw_delete(model.objects.db)


def build(*, seed: int, scale: str, report=None) -> dict[str, int]:
    """Build the demo data; `report(part, seconds)` is told how long each part took."""
    started = time.monotonic()
    created = registry_demo.build_registry(seed=seed, scale=scale)
    if report:
        report("registry", time.monotonic() - started)
    ensure_accounts()  # the steps of the files are recorded by the board's account
    board = User.objects.get(username="board")
    started = time.monotonic()
    created.update(candidates_demo.build_candidates(seed=seed, scale=scale, by=board))
    if report:
        report("candidates", time.monotonic() - started)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # fresh statistics, or the planner guesses after a bulk load
    return created


def ensure_accounts() -> None:
    """admin, board, reviewer-<district code> and commune-<commune code>; existing ones are kept."""
    groups = {name: Group.objects.get_or_create(name=name)[0] for name in roles.ROLE_PERMISSIONS}
    _account("admin", is_superuser=True, first_name="Quản trị")
    _account("board", group=groups[roles.BOARD], first_name="Ban Tổ chức")
    for district in District.objects.all():
        _account(
            f"reviewer-{district.code}",
            group=groups[roles.REVIEWER],
            district=district,
            first_name=f"Huyện ủy {district.name}",
        )
    for code in COMMUNE_ACCOUNT_DISTRICTS:
        commune = Commune.objects.filter(district__code=code).order_by("code").first()
        if commune is not None:
            _account(
                f"commune-{commune.code}",
                group=groups[roles.COMMUNE_STAFF],
                district=commune.district,
                commune=commune,
                first_name=f"Đảng ủy {commune.name}",
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
        lines.append(f"  reviewer-{district.code} district reviewer, {district.name}")
    for user in User.objects.filter(username__startswith="commune-").select_related("commune"):
        lines.append(f"  {user.username} commune staff, {user.commune}")
    return "\n".join(lines)
