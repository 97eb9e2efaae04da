"""Importing candidates from a spreadsheet: the same rules as the form, checked a chunk at a time.

The natural key of a person is the citizen ID; a row without one matches the candidate of the
same name, birth date and establishment. New candidates join their commune's source list
through `services.create_candidates_bulk`; edits go through `services.update_candidates_bulk`.
"""

import copy
import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from establishments.choices import Ethnicity, Gender
from establishments.imports import AS_OF_COLUMN, establishment_lookup, locate_establishment, row_day
from sonla_party import bulk, imports
from sonla_party.citizen_id import normalise_citizen_id
from sonla_party.imports import ColumnSpec, Importer, parse_bool, parse_choice, parse_date, parse_int, text
from sonla_party.search import fold
from sonla_party.sensitive import hidden_fields

from . import services
from .choices import LegalBasis, Religion
from .forms import CandidateForm
from .models import Candidate

COLUMNS = [
    AS_OF_COLUMN,
    ColumnSpec("full_name", gettext_lazy("Full name"), "Full name", required=True, aliases=("Họ và tên", "Họ tên")),
    ColumnSpec("birth_date", gettext_lazy("Birth date"), "Birth date", required=True, aliases=("Ngày sinh",)),
    ColumnSpec("gender", gettext_lazy("Gender"), "Gender", required=True, aliases=("Giới tính",)),
    ColumnSpec("ethnicity", gettext_lazy("Ethnicity"), "Ethnicity", required=True, aliases=("Dân tộc",)),
    ColumnSpec("religion", gettext_lazy("Religion"), "Religion", aliases=("Tôn giáo",)),
    ColumnSpec(
        "citizen_id",
        gettext_lazy("Citizen ID"),
        "Citizen ID",
        aliases=("Số định danh cá nhân", "CCCD", "Số CCCD", "Căn cước công dân"),
    ),
    ColumnSpec(
        "education_grade",
        gettext_lazy("General education (grade completed)"),
        "General education",
        required=True,
        aliases=("Trình độ văn hóa", "Học vấn", "Trình độ học vấn", "education"),
    ),
    ColumnSpec(
        "qualification", gettext_lazy("Professional qualification"), "Qualification", aliases=("Trình độ chuyên môn",)
    ),
    ColumnSpec("occupation", gettext_lazy("Occupation"), "Occupation", aliases=("Nghề nghiệp",)),
    ColumnSpec(
        "is_youth_union_member",
        gettext_lazy("Youth Union member"),
        "Youth Union member",
        aliases=("Đoàn viên", "Là đoàn viên"),
    ),
    ColumnSpec("commune_code", gettext_lazy("Commune code"), "Commune code", required=True, aliases=("Mã xã",)),
    ColumnSpec(
        "establishment_code",
        gettext_lazy("Establishment code"),
        "Establishment code",
        required=True,
        aliases=("Mã cơ sở", "Mã bản"),
    ),
    ColumnSpec("phone", gettext_lazy("Phone"), "Phone", aliases=("Điện thoại", "Số điện thoại")),
    ColumnSpec("notes", gettext_lazy("Notes"), "Notes", aliases=("Ghi chú",)),
    ColumnSpec(
        "legal_basis",
        gettext_lazy("Legal basis for processing the personal data"),
        "Legal basis",
        aliases=("Căn cứ xử lý dữ liệu", "Căn cứ xử lý dữ liệu cá nhân"),
    ),
    ColumnSpec("consent_on", gettext_lazy("Consent given on"), "Consent on", aliases=("Ngày đồng ý",)),
    ColumnSpec(
        "legal_basis_note",
        gettext_lazy("Note on the legal basis"),
        "Legal basis note",
        aliases=("Ghi chú căn cứ xử lý dữ liệu",),
    ),
    ColumnSpec(
        "added_on",
        gettext_lazy("Added to the source list on"),
        "Added on",
        aliases=("Ngày vào danh sách nguồn", "Ngày vào nguồn"),
    ),
]
# The same fields as the web form (its helper aside: the spreadsheet has no column for it).
PERSON_FIELDS = [name for name in CandidateForm.Meta.fields if name != "helper"]
# The model's field rules are run on the fields a row sets (the others keep values already checked).
NOT_IMPORTED = [f.name for f in Candidate._meta.fields if f.name not in PERSON_FIELDS or f.name == "establishment"]
PARSERS = {
    "full_name": text,
    "birth_date": parse_date,
    "gender": lambda value: parse_choice(value, Gender),
    "ethnicity": lambda value: parse_choice(value, Ethnicity),
    "religion": lambda value: parse_choice(value, Religion),
    "citizen_id": lambda value: normalise_citizen_id(text(value)),
    "education_grade": parse_int,
    "qualification": text,
    "occupation": text,
    "is_youth_union_member": parse_bool,
    "phone": text,
    "notes": text,
    "legal_basis": lambda value: parse_choice(value, LegalBasis),
    "consent_on": parse_date,
    "legal_basis_note": text,
    "added_on": parse_date,
}


def _parse(number: int, raw: dict, outcome) -> dict | None:
    values, ok = {}, True
    for key, parser in PARSERS.items():
        if key not in raw:
            continue
        try:
            values[key] = parser(raw[key])
        except ValueError as error:
            outcome.add_error(number, key, raw[key], error)
            ok = False
    return values if ok else None


def _existing(user, rows_values, chunk_ids):
    """Candidates the chunk's rows refer to (three queries): by citizen ID anywhere (with which of
    them are in the user's scope), and by name + birth date within the user's scope — for the rows
    not found by their citizen ID only, and only those of the same folded name (a candidate's
    `search_text` is their folded name): loading everyone born on the same days cost more than
    the rest of the import."""
    by_id = {c.citizen_id: c for c in Candidate.objects.filter(citizen_id__in=chunk_ids)}
    in_scope = set(
        Candidate.objects.for_user(user).filter(pk__in=[c.pk for c in by_id.values()]).values_list("pk", flat=True)
    )
    keys = {
        (fold(values.get("full_name", "")), values["birth_date"])
        for values in rows_values
        if values.get("birth_date") and values.get("citizen_id") not in by_id
    }
    same_day = {}
    if keys:
        for candidate in (
            Candidate.objects.for_user(user)
            .filter(birth_date__in={day for _name, day in keys}, search_text__in={name for name, _day in keys})
            .select_related("establishment")
        ):
            in_scope.add(candidate.pk)
            same_day.setdefault((candidate.search_text, candidate.birth_date), []).append(candidate)
    return by_id, same_day, in_scope


def process_chunk(user, rows, outcome, save: bool, context: dict) -> None:
    """Validate (and with `save`, write) a chunk of rows: a constant number of queries."""
    if "establishments" not in context:
        context.update(
            establishments=establishment_lookup(user),
            seen={},
            today=timezone.localdate(),
            hidden=hidden_fields(Candidate, user),  # a stored file's sensitive fields: kept, as in the form
        )
    parsed = [(number, raw, _parse(number, raw, outcome)) for number, raw in rows]
    ids = [values["citizen_id"] for _n, _r, values in parsed if values and values.get("citizen_id")]
    by_id, same_day, in_scope = _existing(user, [v for _n, _r, v in parsed if v], ids)
    context["in_scope"] = in_scope
    members = services.member_names_by_citizen_id(ids, user)
    to_create, to_update = [], []
    for number, raw, values in parsed:
        if values is None:  # still say what else is wrong with the row
            locate_establishment(number, raw, context["establishments"], outcome, row_day(raw, context))
            continue
        result = _row(number, raw, values, outcome, context, by_id, same_day, members, user)
        if result is None:
            continue
        action, candidate, added_on = result
        if action == "create":
            to_create.append((candidate, added_on))
        elif action == "update":
            to_update.append(candidate)
    if save:
        reason = _("Imported from a spreadsheet")
        services.create_candidates_bulk(
            rows=to_create, by=user, reason=reason, units=context["establishments"]["units"]
        )
        services.update_candidates_bulk(candidates=to_update, fields=PERSON_FIELDS, by=user, reason=reason)


def _row(number, raw, values, outcome, context, by_id, same_day, members, user):
    establishment = locate_establishment(number, raw, context["establishments"], outcome, row_day(raw, context))
    if establishment is None:
        return None
    citizen_id = values.get("citizen_id")
    if citizen_id and citizen_id in context["seen"]:
        outcome.add_error(
            number,
            "citizen_id",
            citizen_id,
            _("the same citizen ID as row %(row)s") % {"row": context["seen"][citizen_id]},
        )
        return None
    if citizen_id:
        context["seen"][citizen_id] = number
        if citizen_id in members:
            outcome.add_error(
                number,
                "citizen_id",
                citizen_id,
                services.taken_citizen_id_message(citizen_id, members[citizen_id]),
            )
            return None
    key = (fold(values.get("full_name", "")), values.get("birth_date"))
    existing = by_id.get(citizen_id) if citizen_id else None
    if existing is None and not citizen_id:
        existing = next((c for c in same_day.get(key, []) if c.establishment_id == establishment.pk), None)
    if existing is not None and existing.pk not in context["in_scope"]:
        outcome.add_error(number, "citizen_id", citizen_id, services.taken_citizen_id_message(citizen_id, None))
        return None
    return _validate(number, values, establishment, existing, outcome, context, same_day, key)


def _validate(number, values, establishment, existing, outcome, context, same_day, key):
    candidate = bulk.new(Candidate) if existing is None else existing
    before = _snapshot(candidate) if existing else None
    stored = copy.copy(existing)
    for name in PERSON_FIELDS:
        if name == "establishment":
            candidate.establishment = establishment
        elif name in values and not (existing is not None and name in context["hidden"]):
            setattr(candidate, name, values[name] if values[name] is not None else _blank(name))
    try:
        candidate.clean_fields(exclude=NOT_IMPORTED)
        candidate.clean()  # the citizen ID against the birth date and gender, as the form does
    except ValidationError as error:
        for field_name, messages in error.message_dict.items():
            outcome.add_error(number, field_name, values.get(field_name), " ".join(messages))
        return None
    if stored is not None:
        try:
            services.check_frozen(candidate=candidate, stored=stored)
        except services.PipelineError as error:
            outcome.add_error(number, error.field, values.get(error.field), error.message)
            return None
    added_on = values.get("added_on") or context["today"]
    if added_on > context["today"]:
        outcome.add_error(number, "added_on", added_on.strftime("%d/%m/%Y"), _("a date in the future"))
        return None
    if existing is None:
        others = same_day.get(key, [])
        if others:
            outcome.duplicates.append((number, ", ".join(f"{c.full_name} ({c.establishment})" for c in others)))
        _sample(outcome, number, imports.CREATE, candidate)
        outcome.created += 1
        return "create", candidate, added_on
    if before == _snapshot(candidate):
        outcome.unchanged += 1
        return "unchanged", candidate, added_on
    _sample(outcome, number, imports.UPDATE, candidate)
    outcome.updated += 1
    return "update", candidate, added_on


def _snapshot(candidate) -> dict:
    """The person's values, foreign keys by id (reading the related row would cost a query)."""
    return {
        name: getattr(candidate, "establishment_id" if name == "establishment" else name) for name in PERSON_FIELDS
    }


def _blank(name: str):
    return None if name in ("citizen_id", "birth_date", "education_grade", "consent_on") else ""


def _sample(outcome, number, action, candidate):
    if len(outcome.samples) < 50:
        outcome.samples.append((number, str(action), f"{candidate.full_name}, {candidate.birth_date:%d/%m/%Y}"))


EXAMPLE = {
    "full_name": "Lò Thị Hoa",
    "birth_date": datetime.date(1998, 4, 2),
    "gender": "Nữ",
    "ethnicity": "Thái",
    "religion": "",
    "citizen_id": "014198012345",
    "education_grade": 12,
    "qualification": "Trung cấp nông nghiệp",
    "occupation": "Làm nông nghiệp",
    "is_youth_union_member": "Có",
    "commune_code": "03979",
    "establishment_code": "B01",
    "phone": "0912345678",
    "notes": "",
    "legal_basis": "regulation",
    "consent_on": None,
    "legal_basis_note": "",
    "added_on": datetime.date(2025, 1, 6),
}

IMPORTER = imports.register(
    Importer(
        kind="candidates",
        label=gettext_lazy("Candidates"),
        columns=COLUMNS,
        sheet_names={"Quần chúng ưu tú", "Candidates", "Danh sách"},
        permissions=("candidates.add_candidate", "candidates.change_candidate"),
        process_chunk=process_chunk,
        sheet_title="Quần chúng ưu tú",
        example=EXAMPLE,
    )
)
