"""Importing establishments and party members from a spreadsheet (see sonla_party/imports.py).

Establishments are keyed by their code within their commune; members by citizen ID, or, without
one, by name, birth date and establishment. Each chunk of rows is validated with the model's own
rules and a constant number of queries, then written in bulk with its change history.
"""

import datetime
from types import SimpleNamespace

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sonla_party import bulk, imports
from sonla_party.citizen_id import normalise_citizen_id
from sonla_party.imports import ColumnSpec, Importer, parse_choice, parse_date, text
from sonla_party.search import fold

from . import services
from .choices import EstablishmentKind, Ethnicity, Gender, LeftReason
from .models import Commune, Establishment, PartyMember
from .units import UnitMap

REASON = gettext_lazy("Imported from a spreadsheet")


AS_OF_COLUMN = ColumnSpec(
    "as_of",
    gettext_lazy("Data as of"),
    "As of",
    aliases=("Số liệu tính đến ngày", "Ngày số liệu", "Tính đến ngày"),
)


class UnitCodes:
    """Commune codes → commune-level units. Codes were reused in 2025, so a code is read with a
    date (the row's "as of" column, else the file's date): 03646 is the ward Chiềng Lề until
    30/06/2025 and the ward Tô Hiệu from 01/07/2025. Without a date an ambiguous code is a row
    error naming both units."""

    def __init__(self, units: UnitMap):
        self.units = units
        self.by_code: dict[str, list] = {}
        for unit in units.communes:
            self.by_code.setdefault(unit.code, []).append(unit)

    def resolve(self, code: str, day) -> tuple[int | None, str]:
        found = self.by_code.get(code, [])
        if not found:
            return None, _("no commune has this code")
        if day is not None:
            valid = [unit for unit in found if unit.is_valid_on(day)]
            if len(valid) == 1:
                return valid[0].pk, ""
            return None, _("no commune had this code on %(date)s") % {"date": day.strftime("%d/%m/%Y")}
        if len(found) == 1:
            return found[0].pk, ""
        names = "; ".join(f"{unit.name} ({_validity(unit)})" for unit in sorted(found, key=_start))
        return None, _(
            "this code is the code of several units: %(units)s. Give the date the data refers to "
            "(column “%(column)s”, or the file's date on the import page)."
        ) % {"units": names, "column": AS_OF_COLUMN.label}


def _start(unit):
    return unit.valid_from or datetime.date.min


def _validity(unit) -> str:
    if unit.valid_from and unit.valid_to:
        return _("%(start)s – %(end)s") % {"start": f"{unit.valid_from:%d/%m/%Y}", "end": f"{unit.valid_to:%d/%m/%Y}"}
    if unit.valid_to:
        return _("until %(date)s") % {"date": f"{unit.valid_to:%d/%m/%Y}"}
    if unit.valid_from:
        return _("from %(date)s") % {"date": f"{unit.valid_from:%d/%m/%Y}"}
    return _("no end")


def row_day(raw, context):
    """The date a row's unit codes refer to: its own "as of" column, else the file's date."""
    try:
        return parse_date(raw.get("as_of")) or context.get("as_of")
    except ValueError:
        return context.get("as_of")


def establishment_lookup(user) -> dict:
    """Establishments by (home unit, code), those of the user's scope, and the unit codes (three
    queries for the whole file)."""
    units = UnitMap.load()
    by_key: dict[tuple[int, str], list] = {}
    for est in Establishment.objects.order_by():
        by_key.setdefault((est.commune_id, est.code.upper()), []).append(est)
    scoped = set(Establishment.objects.for_user(user).values_list("pk", flat=True))
    return {"units": units, "codes": UnitCodes(units), "by_key": by_key, "scoped": scoped}


def locate_establishment(number, raw, lookup, outcome, day=None):
    """The establishment a row names by commune code and establishment code, on the row's date."""
    commune_code = text(raw.get("commune_code")).zfill(5)
    code = text(raw.get("establishment_code")).upper()
    unit, problem = lookup["codes"].resolve(commune_code, day)
    if unit is None:
        outcome.add_error(number, "commune_code", raw.get("commune_code"), problem)
        return None
    homes = lookup["units"].territory(unit)
    found = [est for home in homes for est in lookup["by_key"].get((home, code), [])]
    if len(found) > 1 and day is not None:
        found = [
            est for est in found if (est.opened_on or day) <= day and (est.closed_on is None or est.closed_on > day)
        ]
    if not found:
        outcome.add_error(
            number,
            "establishment_code",
            raw.get("establishment_code"),
            _("no establishment of this commune has this code"),
        )
        return None
    if not all(est.pk in lookup["scoped"] for est in found):
        outcome.add_error(
            number, "commune_code", raw.get("commune_code"), _("this commune is outside your district or commune")
        )
        return None
    if len(found) > 1:
        outcome.add_error(
            number,
            "establishment_code",
            raw.get("establishment_code"),
            _(
                "several establishments of this commune have this code (%(names)s): use the code of the commune "
                "they were entered in, with a date before its end"
            )
            % {"names": ", ".join(est.name for est in found)},
        )
        return None
    return found[0]


def _parse(number, raw, parsers, outcome) -> dict | None:
    values, ok = {}, True
    for key, parser in parsers.items():
        if key in raw:
            try:
                values[key] = parser(raw[key])
            except ValueError as error:
                outcome.add_error(number, key, raw[key], error)
                ok = False
    return values if ok else None


def _report_validation(number, error: ValidationError, values, outcome) -> None:
    for field_name, messages in error.message_dict.items():
        outcome.add_error(number, field_name, values.get(field_name), " ".join(messages))


def _sample(outcome, number, action, description):
    if len(outcome.samples) < 50:
        outcome.samples.append((number, str(action), description))


# --- Establishments ------------------------------------------------------------------------

EST_COLUMNS = [
    AS_OF_COLUMN,
    ColumnSpec("commune_code", gettext_lazy("Commune code"), "Commune code", required=True, aliases=("Mã xã",)),
    ColumnSpec(
        "establishment_code",
        gettext_lazy("Establishment code"),
        "Establishment code",
        required=True,
        aliases=("Mã cơ sở", "Mã"),
    ),
    ColumnSpec("name", gettext_lazy("Name"), "Name", required=True, aliases=("Tên cơ sở", "Tên")),
    ColumnSpec("kind", gettext_lazy("Kind"), "Kind", required=True, aliases=("Loại cơ sở", "Loại")),
    ColumnSpec("opened_on", gettext_lazy("Established on"), "Established on", aliases=("Ngày thành lập",)),
    ColumnSpec(
        "closed_on", gettext_lazy("Closed or merged on"), "Closed on", aliases=("Ngày giải thể", "Ngày sáp nhập")
    ),
]
EST_PARSERS = {
    "name": text,
    "kind": lambda value: parse_choice(value, EstablishmentKind),
    "opened_on": parse_date,
    "closed_on": parse_date,
}
EST_FIELDS = ["name", "kind", "opened_on", "closed_on"]


def process_establishments(user, rows, outcome, save: bool, context: dict) -> None:
    if "communes" not in context:
        units = UnitMap.load()
        context["communes"] = {c.pk: c for c in Commune.objects.for_user(user)}
        context["codes"] = UnitCodes(units)
        context["seen"] = {}
        context["first_load"] = not Establishment.objects.exists()
    keys = {(text(raw.get("commune_code")).zfill(5), text(raw.get("establishment_code")).upper()) for _n, raw in rows}
    existing = {
        (e.commune_id, e.code.upper()): e
        for e in Establishment.objects.select_related("commune").filter(
            commune__code__in={k[0] for k in keys}, code__in={k[1] for k in keys}
        )
    }
    to_create, to_update = [], []
    for number, raw in rows:
        result = _establishment_row(number, raw, outcome, context, existing)
        if result is not None:
            (to_create if result[0] == "create" else to_update if result[0] == "update" else []).append(result[1])
    if save:
        services.save_establishments_bulk(
            created=to_create, updated=to_update, fields=EST_FIELDS, by=user, reason=str(REASON)
        )


def _establishment_row(number, raw, outcome, context, existing):
    commune_code = text(raw.get("commune_code")).zfill(5)
    code = text(raw.get("establishment_code")).upper()
    unit, problem = context["codes"].resolve(commune_code, row_day(raw, context))
    commune = context["communes"].get(unit) if unit else None
    if commune is None:
        reason = problem or _("this commune is outside your district or commune")
        outcome.add_error(number, "commune_code", raw.get("commune_code"), reason)
        return None
    if (commune_code, code) in context["seen"]:
        outcome.add_error(
            number,
            "establishment_code",
            code,
            _("the same code as row %(row)s") % {"row": context["seen"][(commune_code, code)]},
        )
        return None
    context["seen"][(commune_code, code)] = number
    values = _parse(number, raw, EST_PARSERS, outcome)
    if values is None:
        return None
    current = existing.get((commune.pk, code))
    est = current or Establishment(commune=commune, code=text(raw.get("establishment_code")))
    before = {name: getattr(est, name) for name in EST_FIELDS} if current else None
    for name in EST_FIELDS:
        if name in values:
            setattr(est, name, values[name] if values[name] is not None else (None if name.endswith("_on") else ""))
    try:
        est.clean_fields(exclude=["commune", "search_text"])
        if est.opened_on and est.closed_on and est.closed_on < est.opened_on:
            raise ValidationError({"closed_on": _("An establishment cannot close before it was established.")})
    except ValidationError as error:
        _report_validation(number, error, values, outcome)
        return None
    if current is None:
        try:
            services.check_new_establishment(establishment=est, first_load=context["first_load"])
        except services.RegistryError as error:
            outcome.add_error(number, "opened_on", raw.get("opened_on"), error.message)
            return None
        outcome.created += 1
        _sample(outcome, number, imports.CREATE, f"{est.name} ({commune.name})")
        return "create", est
    if before == {name: getattr(est, name) for name in EST_FIELDS}:
        outcome.unchanged += 1
        return "unchanged", est
    outcome.updated += 1
    _sample(outcome, number, imports.UPDATE, f"{est.name} ({commune.name})")
    return "update", est


imports.register(
    Importer(
        kind="establishments",
        label=gettext_lazy("Establishments"),
        columns=EST_COLUMNS,
        sheet_names={"Cơ sở", "Establishments"},
        permissions=("establishments.add_establishment", "establishments.change_establishment"),
        process_chunk=process_establishments,
        sheet_title="Cơ sở",
        example={
            "commune_code": "03979",
            "establishment_code": "B21",
            "name": "Bản Nà Bai",
            "kind": "Bản",
            "opened_on": datetime.date(2019, 7, 1),
        },
    )
)

# --- Party members -------------------------------------------------------------------------

MEMBER_COLUMNS = [
    AS_OF_COLUMN,
    ColumnSpec("full_name", gettext_lazy("Full name"), "Full name", required=True, aliases=("Họ và tên", "Họ tên")),
    ColumnSpec("birth_date", gettext_lazy("Birth date"), "Birth date", required=True, aliases=("Ngày sinh",)),
    ColumnSpec("gender", gettext_lazy("Gender"), "Gender", required=True, aliases=("Giới tính",)),
    ColumnSpec("ethnicity", gettext_lazy("Ethnicity"), "Ethnicity", required=True, aliases=("Dân tộc",)),
    ColumnSpec(
        "citizen_id",
        gettext_lazy("Citizen ID"),
        "Citizen ID",
        aliases=("Số định danh cá nhân", "CCCD", "Số CCCD", "Căn cước công dân"),
    ),
    ColumnSpec("commune_code", gettext_lazy("Commune code"), "Commune code", required=True, aliases=("Mã xã",)),
    ColumnSpec(
        "establishment_code",
        gettext_lazy("Establishment code"),
        "Establishment code",
        required=True,
        aliases=("Mã cơ sở", "Mã bản"),
    ),
    ColumnSpec(
        "admitted_on",
        gettext_lazy("Admitted on"),
        "Admitted on",
        required=True,
        aliases=("Ngày vào Đảng", "Ngày kết nạp"),
    ),
    ColumnSpec("official_on", gettext_lazy("Official on"), "Official on", aliases=("Ngày chính thức",)),
    ColumnSpec("left_on", gettext_lazy("Left on"), "Left on", aliases=("Ngày ra khỏi Đảng",)),
    ColumnSpec("left_reason", gettext_lazy("Reason for leaving"), "Reason for leaving", aliases=("Lý do",)),
]
MEMBER_PARSERS = {
    "full_name": text,
    "birth_date": parse_date,
    "gender": lambda value: parse_choice(value, Gender),
    "ethnicity": lambda value: parse_choice(value, Ethnicity),
    "citizen_id": lambda value: normalise_citizen_id(text(value)),
    "admitted_on": parse_date,
    "official_on": parse_date,
    "left_on": parse_date,
    "left_reason": lambda value: parse_choice(value, LeftReason),
}
MEMBER_FIELDS = [
    "full_name",
    "birth_date",
    "gender",
    "ethnicity",
    "citizen_id",
    "establishment",
    "admitted_on",
    "official_on",
    "left_on",
    "left_reason",
]


# The model's field rules are run on the fields a row sets (the others keep values already checked).
MEMBER_NOT_IMPORTED = [
    f.name for f in PartyMember._meta.fields if f.name not in MEMBER_FIELDS or f.name == "establishment"
]


def process_members(user, rows, outcome, save: bool, context: dict) -> None:
    if "establishments" not in context:
        context.update(establishments=establishment_lookup(user), seen={})
    parsed = [(n, raw, _parse(n, raw, MEMBER_PARSERS, outcome)) for n, raw in rows]
    ids = [v["citizen_id"] for _n, _r, v in parsed if v and v.get("citizen_id")]
    by_id = {m.citizen_id: m for m in PartyMember.objects.filter(citizen_id__in=ids)}
    context["in_scope"] = set(
        PartyMember.objects.for_user(user).filter(pk__in=[m.pk for m in by_id.values()]).values_list("pk", flat=True)
    )
    # By name and birth date, for the rows not found by citizen ID, of the same folded name only
    # (a member's `search_text` is their folded name), not everyone born on those days.
    keys = {
        (fold(v.get("full_name", "")), v["birth_date"])
        for _n, _r, v in parsed
        if v and v.get("birth_date") and v.get("citizen_id") not in by_id
    }
    same_day = {}
    if keys:
        for member in PartyMember.objects.for_user(user).filter(
            birth_date__in={day for _name, day in keys}, search_text__in={name for name, _day in keys}
        ):
            context["in_scope"].add(member.pk)
            same_day.setdefault((member.search_text, member.birth_date), []).append(member)
    known = [m.pk for m in by_id.values()] + [m.pk for ms in same_day.values() for m in ms]
    context["pipeline"] = set(
        PartyMember.objects.filter(pk__in=known, candidate__isnull=False).values_list("pk", flat=True)
    )
    to_create, to_update = [], []
    for number, raw, values in parsed:
        if values is None:  # still say what else is wrong with the row
            locate_establishment(number, raw, context["establishments"], outcome, row_day(raw, context))
        else:
            result = _member_row(number, raw, values, outcome, context, by_id, same_day)
            if result is not None and result[0] in ("create", "update"):
                (to_create if result[0] == "create" else to_update).append(result[1])
    if save:
        services.save_members_bulk(
            created=to_create, updated=to_update, fields=MEMBER_FIELDS, by=user, reason=str(REASON)
        )


def _member_row(number, raw, values, outcome, context, by_id, same_day):
    establishment = locate_establishment(number, raw, context["establishments"], outcome, row_day(raw, context))
    if establishment is None:
        return None
    citizen_id = values.get("citizen_id")
    if citizen_id:
        if citizen_id in context["seen"]:
            outcome.add_error(
                number,
                "citizen_id",
                citizen_id,
                _("the same citizen ID as row %(row)s") % {"row": context["seen"][citizen_id]},
            )
            return None
        context["seen"][citizen_id] = number
    key = (fold(values.get("full_name", "")), values.get("birth_date"))
    current = (
        by_id.get(citizen_id)
        if citizen_id
        else next((m for m in same_day.get(key, []) if m.establishment_id == establishment.pk), None)
    )
    if current is not None and current.pk not in context["in_scope"]:
        outcome.add_error(number, "citizen_id", citizen_id, _("belongs to a member outside your scope"))
        return None
    member = current or bulk.new(PartyMember)
    before = _member_snapshot(member) if current else None
    member.establishment = establishment
    for name, value in values.items():
        setattr(member, name, value if value is not None else (None if name != "left_reason" else ""))
    if not _member_valid(number, member, values, outcome):
        return None
    try:
        services.check_member(
            member=member,
            stored=SimpleNamespace(**before) if before else None,
            from_pipeline=member.pk in context["pipeline"],
        )
    except services.RegistryError as error:
        outcome.add_error(number, error.field, raw.get(error.field), error.message)
        return None
    if current is None:
        if same_day.get(key):
            outcome.duplicates.append(
                (number, ", ".join(f"{m.full_name} ({m.establishment_id})" for m in same_day[key]))
            )
        outcome.created += 1
        _sample(outcome, number, imports.CREATE, f"{member.full_name}, {member.birth_date:%d/%m/%Y}")
        return "create", member
    if before == _member_snapshot(member):
        outcome.unchanged += 1
        return "unchanged", member
    outcome.updated += 1
    _sample(outcome, number, imports.UPDATE, f"{member.full_name}, {member.birth_date:%d/%m/%Y}")
    return "update", member


def _member_snapshot(member) -> dict:
    return {name: getattr(member, "establishment_id" if name == "establishment" else name) for name in MEMBER_FIELDS}


# Lazy: translated when a row breaks the rule, not on every row.
LATER_THAN_ADMISSION = (
    ("official_on", gettext_lazy("A member cannot become official before being admitted.")),
    ("left_on", gettext_lazy("A member cannot leave before being admitted.")),
)


def _member_valid(number, member, values, outcome) -> bool:
    """The model's own rules (fields, citizen ID, leaving) and its dated constraints, in Python."""
    try:
        member.clean_fields(exclude=MEMBER_NOT_IMPORTED)
        member.clean()
        for later, label in LATER_THAN_ADMISSION:
            if getattr(member, later) and member.admitted_on and getattr(member, later) < member.admitted_on:
                raise ValidationError({later: str(label)})
        if member.admitted_on and member.admitted_on > timezone.localdate():
            raise ValidationError({"admitted_on": _("a date in the future")})
    except ValidationError as error:
        _report_validation(number, error, values, outcome)
        return False
    return True


imports.register(
    Importer(
        kind="members",
        label=gettext_lazy("Party members"),
        columns=MEMBER_COLUMNS,
        sheet_names={"Đảng viên", "Party members", "Members"},
        permissions=("establishments.add_partymember", "establishments.change_partymember"),
        process_chunk=process_members,
        sheet_title="Đảng viên",
        example={
            "full_name": "Lường Văn Điện",
            "birth_date": datetime.date(1985, 2, 10),
            "gender": "Nam",
            "ethnicity": "Thái",
            "citizen_id": "014085001234",
            "commune_code": "03979",
            "establishment_code": "B01",
            "admitted_on": datetime.date(2012, 5, 19),
            "official_on": datetime.date(2013, 5, 19),
        },
    )
)
