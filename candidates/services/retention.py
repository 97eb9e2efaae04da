"""Retention of personal data (Law 91/2025/QH15: nothing kept longer than its purpose needs).

The file of a person who withdrew, was turned down or moved away serves the source lists of the
commune for one term; after PERSONAL_DATA_RETENTION_YEARS the person's data are erased and only
what the statistics count is kept: the stage and the dates of the steps, the establishment, the
gender, the year of birth, the education grade, the certificate and the votes. The file's
history rows (simple_history) are erased the same way; who opened the file (FileView) stays, as
it holds no personal data. Idempotent: an anonymised file is marked (`anonymised_on`) and skipped.
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from establishments.choices import Ethnicity

from ..models import Candidate, Introducer, SourceListEntry, StageEvent


def anonymised_values(candidate: Candidate) -> dict:
    """What replaces the person's data: a name that says what happened, the year of birth only."""
    with translation.override(settings.LANGUAGE_CODE):
        name = _("Anonymised person no. %(number)s") % {"number": candidate.pk}
    return {
        "full_name": name,
        "birth_date": datetime.date(candidate.birth_date.year, 1, 1),
        "citizen_id": None,
        "ethnicity": Ethnicity.OTHER,
        "religion": "",
        "phone": "",
        "notes": "",
        "qualification": "",
        "occupation": "",
        "legal_basis_note": "",
        "over_age_decision": "",
    }


# Free text about the person in the rows around the file (the reasons written with a step).
RELATED_TEXT = ((StageEvent, ("note",)), (Introducer, ("note",)), (SourceListEntry, ("removed_reason",)))


def candidates_due_for_anonymisation(on: datetime.date):
    return Candidate.objects.due_for_anonymisation(on).order_by("stage_since", "pk")


@transaction.atomic
def anonymise_candidate(*, candidate: Candidate, on: datetime.date, by=None) -> bool:
    """Erase the personal data of `candidate` (a file `due_for_anonymisation` on `on`), in the file,
    its history rows and the free text of its steps, introducers and source-list lines. Returns
    False, changing nothing, when the file is no longer due (anonymised meanwhile, or back in the
    procedure)."""
    candidate = Candidate.objects.select_for_update().filter(pk=candidate.pk).due_for_anonymisation(on).first()
    if candidate is None:
        return False
    values = anonymised_values(candidate)
    candidate.history.model.objects.filter(id=candidate.pk).update(**values, anonymised_on=on)
    for model, fields in RELATED_TEXT:
        blank = dict.fromkeys(fields, "")
        rows = model.objects.filter(candidate=candidate)
        model.history.model.objects.filter(id__in=rows.values("pk")).update(**blank)
        rows.update(**blank)
    for name, value in values.items():
        setattr(candidate, name, value)
    candidate.anonymised_on = on
    candidate._change_reason = _("Personal data erased: the retention period ended.")
    candidate._history_user = by
    candidate.save()
    return True
