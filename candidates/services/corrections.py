"""Frozen facts and their correction.

A step of the pipeline checks facts about the person: the cell's vote checks the age (birth
date), the education, the establishment (its commune sets the education required), the Youth
Union membership (the introducers) and the certificate. Once checked, those facts are frozen:
the person's form, the admin and the imports refuse to change them. The certificate and the
dossier's dates are written by their steps only (training, renewal, dossier). The check is
`pipeline.check_frozen`; a wrong fact is put right by `correct_candidate` alone: it takes a
reason, is logged in the file's history, and re-checks the vote that relied on the fact.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import rules
from ..choices import AFTER_CELL_VOTE, DOSSIER_OPEN, Stage
from ..models import VOTE_CHECKED_FIELDS, Candidate
from .pipeline import PipelineError, _refresh_due, field_value, require_open

# What a correction may change.
CORRECTABLE_FIELDS = (*VOTE_CHECKED_FIELDS, "certificate_number", "certificate_on", "certificate_issuer")


def last_cell_vote_on(candidate: Candidate) -> datetime.date | None:
    event = candidate.events.filter(stage=Stage.CELL_RESOLUTION).order_by("-occurred_on", "-pk").first()
    return event.occurred_on if event else None


def _recheck(candidate: Candidate) -> None:
    """The corrected facts must still satisfy the cell's vote that relied on them."""
    if candidate.stage not in AFTER_CELL_VOTE:
        return
    voted_on = last_cell_vote_on(candidate)
    if voted_on is None:
        return
    checks = [
        rules.age_requirement(candidate, voted_on),
        rules.education_requirement(candidate),
        rules.certificate_requirement(candidate, voted_on),
        rules.introducers_requirement(candidate, voted_on),
    ]
    failing = [req for req in checks if not req.ok]
    if failing:
        raise PipelineError(
            _("With these values the cell's vote of %(date)s would have been refused: %(why)s Nothing was saved.")
            % {"date": rules.short_date(voted_on), "why": " ".join(req.message for req in failing)}
        )


@transaction.atomic
def correct_candidate(*, candidate: Candidate, changes: dict, reason: str, by) -> list[str]:
    """Correct frozen facts of `candidate` (`changes`: field name → new value; an establishment
    as the object). Only the organisation board corrects, with a reason.

    Locks the row, applies the changes, re-checks the cell's vote that relied on them (refused if
    it would no longer pass), recomputes the next deadline, carries the birth date to the member
    record, and saves with the reason in the history ("Correction: …"). Returns the names of the
    fields that changed. Raises PipelineError.
    """
    if not (by.has_perm("candidates.change_candidate") and by.scope.is_province):
        raise PipelineError(_("Corrections of a file are recorded by the organisation board only."))
    if not reason.strip():
        raise PipelineError(_("Say why the file is corrected."), field="reason")
    unknown = set(changes) - set(CORRECTABLE_FIELDS)
    if unknown:
        raise PipelineError(_("These facts cannot be corrected: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    require_open(by, timezone.localdate())
    locked = (
        Candidate.objects.select_for_update(of=("self",))
        .select_related("establishment__commune", "party_member")
        .get(pk=candidate.pk)
    )
    changed = [name for name, value in changes.items() if _value_of(value) != field_value(locked, name)]
    if not changed:
        raise PipelineError(_("Nothing to correct: the values are those of the file."))
    for name in changed:
        setattr(locked, name, changes[name])
    try:  # the fields' own rules (a date from 1930 to today, the grade up to 12), the citizen ID's
        locked.clean_fields(exclude=[f.name for f in Candidate._meta.fields if f.name not in changed])
        locked.clean()
    except ValidationError as error:
        name, messages = next(iter(error.message_dict.items()))
        raise PipelineError(" ".join(messages), field=name) from error
    _recheck(locked)
    if locked.stage in DOSSIER_OPEN or "certificate_on" in changed:
        _refresh_due(locked)
    locked._history_user = by
    locked._change_reason = _("Correction: %(reason)s") % {"reason": reason.strip()}
    locked.save()
    member = locked.party_member
    if member is not None and "birth_date" in changed:
        member.birth_date = locked.birth_date
        member._history_user, member._change_reason = by, locked._change_reason
        member.save(update_fields=["birth_date"])
    candidate.refresh_from_db()
    return changed


def _value_of(value):
    return getattr(value, "pk", value)
