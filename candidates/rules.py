"""The admission rules, as requirements that are met or not on a given date.

The same functions serve the services (which refuse a step when a requirement fails, naming it)
and the candidate's page (which shows the checklist of what the next step still needs).
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from establishments.models import PROBATION_MONTHS
from sonla_party.workdays import add_months, add_working_days

from .choices import DOSSIER_OPEN, DueKind, Stage

MIN_AGE, MAX_AGE = 18, 60
LOWER_SECONDARY, PRIMARY = 9, 5
INTRODUCTION_VALID_MONTHS = 12
INTRODUCER_ACQUAINTANCE_MONTHS = 12  # worked or lived with the candidate (Regulation 232-QĐ/TW)
DECISION_WORKING_DAYS = 60
CEREMONY_WORKING_DAYS = 30
RECOGNITION_WORKING_DAYS = 30


@dataclass(frozen=True)
class Requirement:
    rule: str  # the rule's name, shown before the explanation
    ok: bool
    detail: str

    @property
    def message(self) -> str:
        return f"{self.rule}: {self.detail}"


def short_date(day: datetime.date | None) -> str:
    """dd/mm/yyyy for the messages of the rules, "—" when there is no date."""
    return date_format(day, "SHORT_DATE_FORMAT") if day else "—"


def age_in_months(birth_date: datetime.date, on: datetime.date) -> int:
    """Age counted in months (tính theo tháng), as Regulation 232-QĐ/TW point 1.1 counts it: the
    months from the month of birth to the month of `on`, whatever the days (born in March 2008:
    18 full years from March 2026)."""
    return (on.year - birth_date.year) * 12 + on.month - birth_date.month


def age_requirement(candidate, on: datetime.date) -> Requirement:
    """From full 18 to full 60 years on the cell's vote date, counted in months; over 60 only with
    the written decision of the provincial party committee recorded on the file."""
    months = age_in_months(candidate.birth_date, on)
    age = {"years": months // 12, "months": months % 12, "date": short_date(on)}
    if months < 12 * MIN_AGE:
        detail = _("%(years)s years and %(months)s months on %(date)s (counted in months): under 18 full years.")
        return Requirement(_("Age"), False, detail % age)
    if months <= 12 * MAX_AGE:
        detail = _("%(years)s years and %(months)s months on %(date)s (counted in months): from 18 to 60 full years.")
        return Requirement(_("Age"), True, detail % age)
    decided_on = candidate.over_age_decision_on
    if candidate.over_age_decision and decided_on and decided_on <= on:
        detail = _(
            "%(years)s years and %(months)s months on %(date)s: over 60, admitted by decision %(number)s of "
            "%(decided)s of the provincial party committee."
        )
        return Requirement(
            _("Age"), True, detail % {**age, "number": candidate.over_age_decision, "decided": short_date(decided_on)}
        )
    detail = _(
        "%(years)s years and %(months)s months on %(date)s (counted in months): over 60. Record the decision of "
        "the provincial party committee on the file, dated by the vote."
    )
    return Requirement(_("Age"), False, detail % age)


def required_education_grade(commune) -> int:
    """Lower secondary (grade 9), or primary (grade 5) in mountain / ethnic-minority communes."""
    return PRIMARY if commune.is_mountainous else LOWER_SECONDARY


def education_requirement(candidate) -> Requirement:
    commune = candidate.establishment.commune
    ok = candidate.education_grade >= required_education_grade(commune)
    if commune.is_mountainous:
        detail = _(
            "grade %(grade)s completed; in a mountain or ethnic-minority commune primary school (grade 5) is enough."
        )
    else:
        detail = _("grade %(grade)s completed; lower secondary school (grade 9) is required.")
    return Requirement(_("Education"), ok, detail % {"grade": candidate.education_grade})


def certificate_requirement(candidate, on: datetime.date) -> Requirement:
    months = settings.CERTIFICATE_VALIDITY_MONTHS
    if candidate.certificate_on is None:
        return Requirement(_("Awareness class certificate"), False, _("no certificate recorded."))
    expires = candidate.certificate_expires_on()
    ok = candidate.certificate_valid_on(on)
    detail = _(
        "certificate %(number)s of %(date)s is valid %(months)s months, until %(expires)s; the vote is on %(on)s."
    ) % {
        "number": candidate.certificate_number,
        "date": short_date(candidate.certificate_on),
        "months": months,
        "expires": short_date(expires),
        "on": short_date(on),
    }
    return Requirement(_("Awareness class certificate"), ok, detail)


def known_long_enough(known_since: datetime.date | None, on: datetime.date) -> bool:
    """The introducer has worked or lived with the candidate for at least 12 months by `on`."""
    return known_since is not None and add_months(known_since, INTRODUCER_ACQUAINTANCE_MONTHS) <= on


def introducers_requirement(candidate, on: datetime.date) -> Requirement:
    """Two official members introducing within the last 12 months, each having worked or lived
    with the candidate for at least 12 months, or one plus a Youth Union resolution for a Youth
    Union member."""
    oldest_valid = add_months(on, -INTRODUCTION_VALID_MONTHS)
    members, youth_union, too_recent = 0, 0, 0
    for intro in candidate.introducers.select_related("party_member"):
        if not (oldest_valid <= intro.introduced_on <= on):
            continue
        if intro.is_youth_union:
            youth_union += 1
        elif not _is_official(intro.party_member, on):
            continue
        elif known_long_enough(intro.known_since, on):
            members += 1
        else:
            too_recent += 1
    ok = members >= 2 or (members >= 1 and youth_union >= 1 and candidate.is_youth_union_member)
    if candidate.is_youth_union_member:
        rule = _("two official members, or one official member and the Youth Union's resolution")
    else:
        rule = _("two official members")
    detail = _(
        "%(members)s official member(s) and %(union)s Youth Union resolution(s) introduced the candidate within "
        "12 months before %(on)s; needed: %(rule)s."
    ) % {"members": members, "union": youth_union, "on": short_date(on), "rule": rule}
    if too_recent:
        detail += " " + _(
            "Not counted: %(count)s member(s) who had not worked or lived with the candidate for 12 months by then."
        ) % {"count": too_recent}
    return Requirement(_("Introducers"), ok, detail)


def _is_official(member, on: datetime.date) -> bool:
    return bool(member.official_on and member.official_on <= on and (member.left_on is None or member.left_on > on))


def dossier_requirements(candidate) -> list[Requirement]:
    items = [
        (_("Application (form 1-KNĐ)"), candidate.application_on),
        (_("Personal history (form 2-KNĐ)"), candidate.personal_history_on),
        (_("Background verification"), candidate.verification_concluded_on),
        (_("Comments of organisations and the residence cell (form 5-KNĐ)"), candidate.comments_on),
    ]
    return [
        Requirement(
            label, day is not None, _("received on %(date)s.") % {"date": short_date(day)} if day else _("missing.")
        )
        for label, day in items
    ]


def votes_requirement(votes_for: int | None, official_members: int | None) -> Requirement:
    """At least two thirds of the cell's official members in favour."""
    rule = _("Votes of the cell")
    if not official_members:
        return Requirement(rule, False, _("the register counts no official member in the cell on the vote date."))
    if not votes_for:
        return Requirement(rule, False, _("give the votes in favour."))
    needed = -(-2 * official_members // 3)  # ceiling of 2/3
    ok = votes_for <= official_members and votes_for >= needed
    detail = _("%(votes)s of %(members)s official members in favour; at least two thirds (%(needed)s) are needed.") % {
        "votes": votes_for,
        "members": official_members,
        "needed": needed,
    }
    return Requirement(rule, ok, detail)


MIN_CELL_OFFICIAL_MEMBERS = 3


def cell_size_requirement(official_members: int, on: datetime.date) -> Requirement:
    """A cell votes an admission with at least three official members (counted from the register)."""
    detail = _(
        "the register counts %(members)s official member(s) in the cell on %(on)s; a cell needs at least "
        "%(minimum)s official members to vote an admission."
    ) % {"members": official_members, "on": short_date(on), "minimum": MIN_CELL_OFFICIAL_MEMBERS}
    return Requirement(_("Official members of the cell"), official_members >= MIN_CELL_OFFICIAL_MEMBERS, detail)


def probation_requirement(admitted_on: datetime.date, on: datetime.date) -> Requirement:
    ends = add_months(admitted_on, PROBATION_MONTHS)
    ok = on >= ends
    detail = _("admitted on %(admitted)s, the 12 months of probation end on %(ends)s; the vote is on %(on)s.") % {
        "admitted": short_date(admitted_on),
        "ends": short_date(ends),
        "on": short_date(on),
    }
    return Requirement(_("Probation of 12 months"), ok, detail)


def cell_resolution_requirements(candidate, on: datetime.date) -> list[Requirement]:
    return [
        *dossier_requirements(candidate),
        age_requirement(candidate, on),
        education_requirement(candidate),
        certificate_requirement(candidate, on),
        introducers_requirement(candidate, on),
    ]


def deadline_requirement(rule: str, due: datetime.date | None, on: datetime.date, note: str) -> Requirement:
    """A late step is allowed, but the note must say why it is late."""
    if due is None or on <= due:
        return Requirement(rule, True, _("due by %(due)s.") % {"due": short_date(due)})
    return Requirement(
        rule,
        bool(note.strip()),
        _("due by %(due)s, recorded on %(on)s: late. Say why in the note.")
        % {"due": short_date(due), "on": short_date(on)},
    )


def decision_due(cell_resolution_on: datetime.date) -> datetime.date:
    return add_working_days(cell_resolution_on, DECISION_WORKING_DAYS)


def ceremony_due(decision_on: datetime.date) -> datetime.date:
    return add_working_days(decision_on, CEREMONY_WORKING_DAYS)


def recognition_due(admitted_on: datetime.date) -> datetime.date:
    return add_working_days(add_months(admitted_on, PROBATION_MONTHS), RECOGNITION_WORKING_DAYS)


def introductions_expire_on(introduction_dates: list[datetime.date]) -> datetime.date | None:
    """The day the oldest introduction passes 12 months."""
    if not introduction_dates:
        return None
    return add_months(min(introduction_dates), INTRODUCTION_VALID_MONTHS)


def next_due(
    candidate, event_dates: dict[str, datetime.date], introduction_dates: list[datetime.date]
) -> tuple[datetime.date | None, str]:
    """What the file waits for next and by when, from the stage and the dates of its events."""
    stage = candidate.stage
    if stage in DOSSIER_OPEN:
        options = []
        if candidate.certificate_expires_on():
            options.append((candidate.certificate_expires_on(), DueKind.CERTIFICATE_EXPIRES))
        if stage == Stage.DOSSIER and introductions_expire_on(introduction_dates):
            options.append((introductions_expire_on(introduction_dates), DueKind.INTRODUCTIONS_EXPIRE))
        return min(options) if options else (None, "")
    if stage in (Stage.CELL_RESOLUTION, Stage.GRASSROOTS_RESOLUTION) and Stage.CELL_RESOLUTION in event_dates:
        return decision_due(event_dates[Stage.CELL_RESOLUTION]), DueKind.DECISION
    if stage == Stage.DECISION and Stage.DECISION in event_dates:
        return ceremony_due(event_dates[Stage.DECISION]), DueKind.CEREMONY
    if stage == Stage.ADMITTED and Stage.ADMITTED in event_dates:
        return recognition_due(event_dates[Stage.ADMITTED]), DueKind.RECOGNITION
    return None, ""


def next_step_requirements(candidate, on: datetime.date) -> list[Requirement]:
    """What the next forward step still needs, evaluated on `on` (the page's and the checklist's)."""
    if candidate.dossier_is_open:
        return cell_resolution_requirements(candidate, on)
    if candidate.stage == Stage.ADMITTED and candidate.party_member:
        return [probation_requirement(candidate.party_member.admitted_on, on)]
    return []
