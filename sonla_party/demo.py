"""The demo data set and the demo accounts (demo data only; password `demo-password`)."""

from django.contrib.auth.models import Group
from django.db import connection

from establishments import demo as registry_demo
from establishments.models import Assignment, Cadre, Commune, District, Establishment, PartyCell, PartyMember

from . import roles
from .models import User

DEMO_PASSWORD = "demo-password"
# A few commune accounts: the first commune (by code) of these districts.
COMMUNE_ACCOUNT_DISTRICTS = ("116", "123", "127")


def has_domain_data() -> bool:
    return Establishment.objects.exists()


def delete_domain_data() -> None:
    """Everything but users, in dependency order (demo databases only)."""
    for builder in reversed(_later_builders()):
        builder.delete_demo()
    Assignment.objects.all().delete()
    Cadre.objects.all().delete()
    PartyMember.objects.all().delete()
    PartyCell.objects.all().delete()
    User.objects.filter(commune__isnull=False).update(commune=None)
    Establishment.objects.all().delete()
    for model in (Assignment, Cadre, PartyMember, PartyCell, Establishment):
        model.history.all().delete()


def _later_builders():
    """Demo builders of the other parts of the app, in the order they must run."""
    from candidates import demo as candidates_demo

    return [candidates_demo]


def build(*, seed: int, scale: str) -> dict[str, int]:
    created = registry_demo.build_registry(seed=seed, scale=scale)
    ensure_accounts()  # the steps of the files are recorded by the board's account
    board = User.objects.get(username="board")
    for builder in _later_builders():
        created.update(builder.build_demo(seed=seed, scale=scale, by=board))
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


def _account(username, *, group=None, is_superuser=False, **fields) -> User:
    user, created = User.objects.get_or_create(username=username, defaults={**fields, "is_staff": True})
    if created:
        user.is_superuser = is_superuser
        user.set_password(DEMO_PASSWORD)
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
