"""The admission pipeline's stages and what may follow each. This is the one place they live."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Stage(models.TextChoices):
    SOURCE = "source", _("On the source list")
    TRAINED = "trained", _("Trained")
    DOSSIER = "dossier", _("Dossier")
    CELL_RESOLUTION = "cell_resolution", _("Cell resolution")
    GRASSROOTS_RESOLUTION = "grassroots_resolution", _("Grassroots committee resolution")
    DECISION = "decision", _("Admission decision")
    ADMITTED = "admitted", _("Admitted (probationary)")
    OFFICIAL = "official", _("Official member")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    MOVED_AWAY = "moved_away", _("Moved away")
    REMOVED = "removed", _("Removed from the probationary list")


PIPELINE = [
    Stage.SOURCE,
    Stage.TRAINED,
    Stage.DOSSIER,
    Stage.CELL_RESOLUTION,
    Stage.GRASSROOTS_RESOLUTION,
    Stage.DECISION,
    Stage.ADMITTED,
    Stage.OFFICIAL,
]
# Stages from which a person is still being brought towards admission.
ACTIVE = [
    Stage.SOURCE,
    Stage.TRAINED,
    Stage.DOSSIER,
    Stage.CELL_RESOLUTION,
    Stage.GRASSROOTS_RESOLUTION,
    Stage.DECISION,
]
# Trained, not yet admitted: the certificate still matters ("holding a valid certificate").
BEFORE_ADMISSION = [Stage.TRAINED, Stage.DOSSIER, Stage.CELL_RESOLUTION, Stage.GRASSROOTS_RESOLUTION, Stage.DECISION]
# The dossier and voting stages of the quarterly report.
IN_PROCEDURE = [Stage.DOSSIER, Stage.CELL_RESOLUTION, Stage.GRASSROOTS_RESOLUTION, Stage.DECISION]
# The dossier is open: documents, introductions and a new certificate may still be recorded.
DOSSIER_OPEN = [Stage.TRAINED, Stage.DOSSIER]
# The cell's vote has checked the person's facts (age, education, establishment, certificate,
# introducers): from here on they change only by a correction (`services.correct_candidate`).
AFTER_CELL_VOTE = [
    Stage.CELL_RESOLUTION,
    Stage.GRASSROOTS_RESOLUTION,
    Stage.DECISION,
    Stage.ADMITTED,
    Stage.OFFICIAL,
    Stage.REMOVED,
]

# The files that ended without an admission: withdrawn, turned down or moved away. Once the
# retention period after that step has passed, their personal data are erased (services.retention).
ENDED_WITHOUT_ADMISSION = [Stage.WITHDRAWN, Stage.REJECTED, Stage.MOVED_AWAY]

_LEAVE = {Stage.WITHDRAWN, Stage.MOVED_AWAY}
TRANSITIONS: dict[str, set[str]] = {
    Stage.SOURCE: {Stage.TRAINED, *_LEAVE},
    Stage.TRAINED: {Stage.DOSSIER, *_LEAVE},
    Stage.DOSSIER: {Stage.CELL_RESOLUTION, Stage.REJECTED, *_LEAVE},
    Stage.CELL_RESOLUTION: {Stage.GRASSROOTS_RESOLUTION, Stage.REJECTED, *_LEAVE},
    Stage.GRASSROOTS_RESOLUTION: {Stage.DECISION, Stage.REJECTED, *_LEAVE},
    Stage.DECISION: {Stage.ADMITTED, *_LEAVE},
    Stage.ADMITTED: {Stage.OFFICIAL, Stage.REMOVED},
    Stage.OFFICIAL: set(),
    # Someone who withdrew, moved away or was turned down may be put on a source list again.
    Stage.REJECTED: {Stage.SOURCE},
    Stage.WITHDRAWN: {Stage.SOURCE},
    Stage.MOVED_AWAY: {Stage.SOURCE},
    Stage.REMOVED: set(),
}


class Religion(models.TextChoices):
    NONE = "none", _("None")
    BUDDHISM = "buddhism", _("Buddhism")
    CATHOLICISM = "catholicism", _("Catholicism")
    PROTESTANTISM = "protestantism", _("Protestantism")
    OTHER = "other", _("Other")


class LegalBasis(models.TextChoices):
    """The basis for processing a person's data (căn cứ xử lý dữ liệu cá nhân, Law 91/2025/QH15):
    their written consent, or the Party's rules that require the admission file."""

    CONSENT = "consent", _("The person's written consent")
    REGULATION = (
        "regulation",
        _("Required by the Party's rules (the Party Charter, Regulation 232-QĐ/TW, Guidance 12-HD/BTCTW)"),
    )


class DecidingLevel(models.TextChoices):
    DISTRICT = "district", _("District standing committee")
    COMMUNE = "commune", _("Commune standing committee")


class DueKind(models.TextChoices):
    """What is due next in a candidate's file (the work queue)."""

    CERTIFICATE_EXPIRES = "certificate_expires", _("Certificate expires before the cell vote")
    INTRODUCTIONS_EXPIRE = "introductions_expire", _("Introductions older than 12 months: new ones needed")
    DECISION = "decision", _("Admission decision due (60 working days after the cell resolution)")
    CEREMONY = "ceremony", _("Admission ceremony due (30 working days after the decision)")
    RECOGNITION = "recognition", _("Recognition vote due (30 working days after the probation)")


class ClassStatus(models.TextChoices):
    """Where a training class stands on a date."""

    UPCOMING = "upcoming", _("Upcoming")
    RUNNING = "running", _("Running")
    FINISHED = "finished", _("Finished")


class EssayResult(models.TextChoices):
    EXCELLENT = "excellent", _("Excellent")
    GOOD = "good", _("Good")
    PASS = "pass", _("Pass")
    FAIL = "fail", _("Fail")
