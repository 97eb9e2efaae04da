"""The papers of a candidate's file and of a training class, as PDF (Guidance 12-HD/BTCTW forms).

Each document is built from what the file holds: a resolution or decision from its recorded step
(date, number, votes, the committee stored with it), the names of units and organisations as they
were on the document's date, and the candidate as recorded right after that step (their history),
so a document of a recorded step prints the same later. The blank forms and the checklist are of
today. `CANDIDATE_DOCUMENTS` lists them; `available_documents` says which a file can print.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from itertools import groupby

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from establishments.choices import OrganisationKind, UnitKind, UnitLevel
from establishments.models import AdministrativeUnit, PartyOrganisation
from establishments.services import DecidingCommittees
from establishments.units import UnitMap
from sonla_party.pdf import Heading

from . import rules
from .choices import Stage
from .models import Candidate, Enrollment, StageEvent, TrainingClass


class CandidateFile:
    """What a candidate's documents read, loaded once: the recorded steps and the map of units."""

    def __init__(self, candidate: Candidate):
        self.candidate = candidate
        self.events = list(candidate.events.select_related("deciding_committee__unit").order_by("occurred_on", "pk"))
        self.units = UnitMap.load()

    def last(self, stage: str) -> StageEvent | None:
        found = [event for event in self.events if event.stage == stage]
        return found[-1] if found else None

    def as_recorded(self, event: StageEvent) -> Candidate:
        """The candidate as the file held them right after `event` was recorded (their history)."""
        record = self.candidate.history.filter(history_date__gte=event.recorded_at).order_by("history_date").first()
        return record.instance if record is not None else self.candidate

    def commune_on(self, day: datetime.date):
        """The commune-level unit (a `UnitRow`) the candidate's home unit stood for on `day`."""
        pk = self.units.unit_on(self.candidate.establishment.commune_id, day)
        return self.units.unit(pk) if pk is not None else self.units.unit(self.candidate.establishment.commune_id)

    def place_on(self, day: datetime.date) -> str:
        return self.commune_on(day).name

    def address_on(self, day: datetime.date) -> str:
        """ "Bản Mường Sang, Xã Chiềng Sơn, Huyện Mộc Châu" — with the units of `day`."""
        commune = self.commune_on(day)
        parts = [self.candidate.establishment.name, unit_full_name(commune)]
        if commune.parent_id is not None:
            parent = self.units.unit(commune.parent_id)
            if parent.level == UnitLevel.DISTRICT:
                parts.append(unit_full_name(parent))
        return ", ".join(parts)


def unit_full_name(unit) -> str:
    return f"{UnitKind(unit.kind).label} {unit.name}"


def province_names() -> tuple[str, str]:
    """(the provincial party organisation's name, the province's name), as recorded."""
    committee = PartyOrganisation.objects.filter(kind=OrganisationKind.PROVINCIAL_COMMITTEE).order_by("pk").first()
    province = AdministrativeUnit.objects.filter(level=UnitLevel.PROVINCE).order_by("pk").first()
    name = province.name if province else "Sơn La"
    return (committee.name if committee else f"Đảng bộ tỉnh {name}"), name


def organisation_on(organisation, day: datetime.date) -> tuple[str, str]:
    """(its parent's name, its name) on `day`."""
    if organisation is None:
        return "", ""
    parent = organisation.parent_on(day)
    return (parent.name if parent else ""), organisation.name


def person_context(file: CandidateFile, person: Candidate, day: datetime.date) -> dict:
    return {"person": person, "address": file.address_on(day), "age": person.age_on(day)}


def _required(file: CandidateFile, stage: str) -> StageEvent:
    event = file.last(stage)
    if event is None:
        raise Http404("This step is not recorded in the file.")
    return event


def cell_resolution(file: CandidateFile) -> dict:
    """6-KNĐ: the cell's resolution proposing admission."""
    event = _required(file, Stage.CELL_RESOLUTION)
    person = file.as_recorded(event)
    cell = person.party_cell
    superior, issuer = organisation_on(cell, event.occurred_on)
    heading = Heading(
        title="Nghị quyết",
        subject="đề nghị kết nạp đảng viên",
        form="6-KNĐ",
        superior=superior,
        issuer=issuer or "Chi bộ",
        number=event.document_number,
        place=file.place_on(event.occurred_on),
        date=event.occurred_on,
        on_behalf="T/M Chi bộ",
        signer_role="Bí thư",
        recipients=[f"{superior or 'Đảng ủy cơ sở'} (để báo cáo)", "Lưu chi bộ"],
    )
    introducers = person.introducers.select_related("party_member").filter(introduced_on__lte=event.occurred_on)
    return {
        "doc": heading,
        "event": event,
        "introducers": list(introducers),
        "percent": _percent(event.votes_for, event.official_members),
        "against": (event.official_members or 0) - (event.votes_for or 0),
        **person_context(file, person, event.occurred_on),
    }


def grassroots_resolution(file: CandidateFile) -> dict:
    """8-KNĐ: the grassroots party committee's resolution proposing admission."""
    event = _required(file, Stage.GRASSROOTS_RESOLUTION)
    cell_event = _required(file, Stage.CELL_RESOLUTION)
    person = file.as_recorded(event)
    cell = person.party_cell
    grassroots = cell.parent_on(event.occurred_on) if cell else None
    superior, issuer = organisation_on(grassroots, event.occurred_on)
    competent = DecidingCommittees().on(person.establishment.commune_id, event.occurred_on)
    deciding = f"Ban Thường vụ {competent.name}" if competent else "Cấp ủy có thẩm quyền"
    heading = Heading(
        title="Nghị quyết",
        subject="đề nghị kết nạp đảng viên",
        form="8-KNĐ",
        superior=superior,
        issuer=issuer or "Đảng ủy cơ sở",
        number=event.document_number,
        place=file.place_on(event.occurred_on),
        date=event.occurred_on,
        on_behalf="T/M Đảng ủy",
        signer_role="Bí thư",
        recipients=[deciding, cell.name if cell else "Chi bộ", "Lưu"],
    )
    return {
        "doc": heading,
        "event": event,
        "cell_event": cell_event,
        "cell": cell,
        "competent": competent,
        "percent": _percent(cell_event.votes_for, cell_event.official_members),
        **person_context(file, person, event.occurred_on),
    }


def admission_decision(file: CandidateFile) -> dict:
    """9-KNĐ: the admission decision of the committee competent on its date (stored with the step)."""
    event = _required(file, Stage.DECISION)
    grassroots_event = file.last(Stage.GRASSROOTS_RESOLUTION)
    cell_event = file.last(Stage.CELL_RESOLUTION)
    person = file.as_recorded(event)
    committee = event.deciding_committee
    superior, issuer = organisation_on(committee, event.occurred_on)
    place = committee.unit.name if committee is not None and committee.unit else file.place_on(event.occurred_on)
    heading = Heading(
        title="Quyết định",
        subject="kết nạp đảng viên",
        form="9-KNĐ",
        superior=superior,
        issuer=issuer or event.deciding_body,
        number=event.document_number,
        place=place,
        date=event.occurred_on,
        on_behalf="T/M Ban Thường vụ",
        signer_role="Bí thư",
        recipients=["Như Điều 3", "Lưu"],
    )
    return {
        "doc": heading,
        "event": event,
        "committee_name": issuer or event.deciding_body,
        "grassroots_event": grassroots_event,
        "cell_event": cell_event,
        "cell": person.party_cell,
        **person_context(file, person, event.occurred_on),
    }


def recognition_decision(file: CandidateFile) -> dict:
    """16-KNĐ: the decision recognising the probationary member as official."""
    event = _required(file, Stage.OFFICIAL)
    person = file.as_recorded(event)
    member = person.party_member
    committee = event.deciding_committee or DecidingCommittees().on(person.establishment.commune_id, event.occurred_on)
    superior, issuer = organisation_on(committee, event.occurred_on)
    place = committee.unit.name if committee is not None and committee.unit else file.place_on(event.occurred_on)
    heading = Heading(
        title="Quyết định",
        subject="công nhận đảng viên chính thức",
        form="16-KNĐ",
        superior=superior,
        issuer=issuer or "Ban Thường vụ cấp ủy",
        number=event.document_number,
        place=place,
        date=event.occurred_on,
        on_behalf="T/M Ban Thường vụ",
        signer_role="Bí thư",
        recipients=["Như Điều 3", "Lưu"],
    )
    return {
        "doc": heading,
        "event": event,
        "member": member,
        "committee_name": issuer,
        "cell": person.party_cell,
        "percent": _percent(event.votes_for, event.official_members),
        **person_context(file, person, event.occurred_on),
    }


def checklist(file: CandidateFile) -> dict:
    """The file's checklist: what it holds, with dates, and what the next step still needs (today)."""
    today = timezone.localdate()
    candidate = file.candidate
    heading = Heading(
        title="Phiếu kiểm tra hồ sơ",
        subject="kết nạp đảng viên",
        superior=organisation_on(candidate.party_cell, today)[0],
        issuer=candidate.party_cell.name if candidate.party_cell else unit_full_name(file.commune_on(today)),
        place=file.place_on(today),
        date=today,
        signer_role="Người lập phiếu",
    )
    return {
        "doc": heading,
        "events": file.events,
        "introducers": list(candidate.introducers.select_related("party_member")),
        "requirements": rules.next_step_requirements(candidate, today),
        "stage": candidate.get_stage_display(),
        **person_context(file, candidate, today),
    }


def blank_application(file: CandidateFile) -> dict:
    """1-KNĐ: the application for admission, blank but for the person's name, to fill by hand."""
    heading = Heading(title="Đơn xin vào Đảng", form="1-KNĐ")
    return {"doc": heading, **person_context(file, file.candidate, timezone.localdate())}


def blank_personal_history(file: CandidateFile) -> dict:
    """2-KNĐ: the personal history of the applicant, blank but for the name, birth date and place."""
    heading = Heading(title="Lý lịch của người xin vào Đảng", form="2-KNĐ")
    return {"doc": heading, **person_context(file, file.candidate, timezone.localdate())}


def _percent(votes: int | None, members: int | None) -> str:
    if not votes or not members:
        return "0"
    return f"{100 * votes / members:.1f}".rstrip("0").rstrip(".").replace(".", ",")


@dataclass(frozen=True)
class CandidateDocument:
    slug: str
    label: str
    template: str
    build: Callable[[CandidateFile], dict]
    needs_stage: str = ""  # the recorded step the document is made from

    def available(self, events: list[StageEvent]) -> bool:
        return not self.needs_stage or any(event.stage == self.needs_stage for event in events)


CANDIDATE_DOCUMENTS = [
    CandidateDocument("checklist", _("File checklist"), "documents/checklist.html", checklist),
    CandidateDocument("form-1", _("Application, blank (1-KNĐ)"), "documents/form_1.html", blank_application),
    CandidateDocument("form-2", _("Personal history, blank (2-KNĐ)"), "documents/form_2.html", blank_personal_history),
    CandidateDocument(
        "form-6", _("Cell resolution (6-KNĐ)"), "documents/form_6.html", cell_resolution, Stage.CELL_RESOLUTION
    ),
    CandidateDocument(
        "form-8",
        _("Grassroots committee resolution (8-KNĐ)"),
        "documents/form_8.html",
        grassroots_resolution,
        Stage.GRASSROOTS_RESOLUTION,
    ),
    CandidateDocument(
        "form-9", _("Admission decision (9-KNĐ)"), "documents/form_9.html", admission_decision, Stage.DECISION
    ),
    CandidateDocument(
        "form-16", _("Recognition decision (16-KNĐ)"), "documents/form_16.html", recognition_decision, Stage.OFFICIAL
    ),
]
DOCUMENTS_BY_SLUG = {document.slug: document for document in CANDIDATE_DOCUMENTS}


def available_documents(events) -> list[CandidateDocument]:
    events = list(events)
    return [document for document in CANDIDATE_DOCUMENTS if document.available(events)]


def build_candidate_document(candidate: Candidate, slug: str) -> tuple[str, dict, str]:
    """(template, context, file name) of a candidate's document; 404 for an unknown or unrecorded one."""
    document = DOCUMENTS_BY_SLUG.get(slug)
    if document is None:
        raise Http404("No such document.")
    context = document.build(CandidateFile(candidate))
    return document.template, context, f"{slug}-{candidate.pk}"


# --- Training classes ---------------------------------------------------------------------


def class_list(training_class: TrainingClass) -> tuple[str, dict, str]:
    """A class's list with attendance, results and certificate numbers."""
    enrollments = training_class.enrollments.select_related("candidate__establishment").order_by(
        "candidate__full_name", "pk"
    )
    heading = Heading(
        title="Danh sách học viên",
        subject=f"lớp bồi dưỡng nhận thức về Đảng — {training_class.name}",
        issuer=training_class.organiser,
        number="",
        place=training_class.unit.name,
        date=training_class.ends_on,
        signer_role="Giám đốc",
        recipients=["Ban Tổ chức cấp ủy", "Lưu"],
    )
    ended = training_class.ends_on < timezone.localdate()
    rows = [(enrollment, class_result(enrollment, class_ended=ended)) for enrollment in enrollments]
    context = {"doc": heading, "training_class": training_class, "rows": rows}
    return "documents/class_list.html", context, f"lop-{training_class.pk}"


def class_result(enrollment: Enrollment, *, class_ended: bool = True) -> str:
    """A learner's result in one column of the class list: "Hoàn thành", "Không hoàn thành" or
    "Không dự học", with the essay's grade in brackets where one is recorded: "Hoàn thành (Khá)".
    Before the class ends, a learner with nothing recorded has no result yet, not an absence."""
    nothing_recorded = not (enrollment.attended or enrollment.completed or enrollment.essay_result)
    if not class_ended and nothing_recorded:
        return "Chưa có kết quả"
    if not enrollment.attended:
        status = "Không dự học"
    elif not enrollment.completed:
        status = "Không hoàn thành"
    else:
        status = "Hoàn thành"
    essay = enrollment.get_essay_result_display()
    return f"{status} ({essay})" if essay else status


def certificates_list(user, start: datetime.date, end: datetime.date) -> tuple[str, dict, str]:
    """Every certificate issued between `start` and `end` (both included) in the user's scope."""
    enrollments = (
        Enrollment.objects.for_user(user)
        .filter(completed=True, certificate_on__range=(start, end))
        .select_related("candidate__establishment", "training_class")
        .order_by(
            "organiser", "training_class__starts_on", "training_class_id", "certificate_on", "certificate_number", "pk"
        )
    )
    party, province = province_names()
    heading = Heading(
        title="Danh sách cấp giấy chứng nhận",
        subject=f"bồi dưỡng nhận thức về Đảng từ ngày {start:%d/%m/%Y} đến ngày {end:%d/%m/%Y}",
        issuer="Ban Tổ chức",
        superior=party,
        number="",
        place=province,
        date=timezone.localdate(),
        on_behalf="T/L Ban Tổ chức",
        signer_role="Người lập danh sách",
    )
    enrollments = list(enrollments)
    groups = []  # one heading row a class: (its issuing unit, the class, [(number in the list, enrollment)])
    for _class_id, rows in groupby(enumerate(enrollments, 1), key=lambda row: row[1].training_class_id):
        rows = list(rows)
        groups.append((rows[0][1].organiser, rows[0][1].training_class, rows))
    context = {"doc": heading, "enrollments": enrollments, "groups": groups, "start": start, "end": end}
    return "documents/certificates_list.html", context, f"chung-nhan-{start:%Y%m%d}-{end:%Y%m%d}"
