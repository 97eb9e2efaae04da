"""Take a candidate along the pipeline through the real services, on a fixed, valid timeline."""

import datetime

from candidates import services
from candidates.choices import PIPELINE, Stage
from tests.factories import PartyCellFactory, PartyMemberFactory

D = datetime.date

TIMELINE = {
    Stage.SOURCE: D(2023, 1, 10),
    Stage.TRAINED: D(2023, 3, 20),
    Stage.DOSSIER: D(2023, 5, 2),
    "introduced": D(2023, 5, 5),
    Stage.CELL_RESOLUTION: D(2023, 6, 1),
    Stage.GRASSROOTS_RESOLUTION: D(2023, 6, 15),
    Stage.DECISION: D(2023, 7, 10),
    Stage.ADMITTED: D(2023, 8, 1),
    Stage.OFFICIAL: D(2024, 8, 5),
}


def cell_for(candidate, official_members: int = 9):
    """A cell at the candidate's establishment with `official_members` official members."""
    cell = PartyCellFactory(seat=candidate.establishment, founded_on=D(2000, 1, 1))
    members = PartyMemberFactory.create_batch(
        official_members, establishment=candidate.establishment, party_cell=cell, admitted_on=D(2009, 1, 1)
    )
    return cell, members


def step_to(candidate, stage: str, by, cell=None, members=None):
    """Call the one service that moves `candidate` from the stage before `stage` into it."""
    on = TIMELINE[stage]
    if stage == Stage.TRAINED:
        return services.record_training(
            candidate=candidate,
            certificate_number=f"GCN-{candidate.pk}",
            certificate_on=on,
            issuer="Trung tâm Chính trị",
            by=by,
        )
    if stage == Stage.DOSSIER:
        event = services.open_dossier(
            candidate=candidate,
            opened_on=on,
            by=by,
            personal_history_on=on,
            verification_concluded_on=on,
            comments_on=on,
        )
        for member in members[:2]:
            services.add_introducer(
                candidate=candidate,
                party_member=member,
                introduced_on=TIMELINE["introduced"],
                known_since=D(2020, 1, 1),
                by=by,
            )
        return event
    if stage == Stage.CELL_RESOLUTION:
        return services.record_cell_resolution(
            candidate=candidate,
            voted_on=on,
            document_number="NQ-6",
            votes_for=6,
            party_cell=cell,
            by=by,
        )
    if stage == Stage.GRASSROOTS_RESOLUTION:
        return services.record_grassroots_resolution(
            candidate=candidate, resolved_on=on, document_number="NQ-8", by=by
        )
    if stage == Stage.DECISION:
        return services.record_decision(candidate=candidate, decided_on=on, document_number="QĐ-9", by=by)
    if stage == Stage.ADMITTED:
        return services.admit_candidate(candidate=candidate, ceremony_on=on, by=by)
    if stage == Stage.OFFICIAL:
        return services.recognise_official(
            candidate=candidate, voted_on=on, document_number="NQ-CT", votes_for=7, by=by
        )
    raise ValueError(stage)


def advance(candidate, stage: str, by):
    """From `source` to `stage`, every step through its service. Returns (cell, members)."""
    cell, members = cell_for(candidate)
    for next_stage in PIPELINE[1 : PIPELINE.index(stage) + 1]:
        step_to(candidate, next_stage, by, cell, members)
    candidate.refresh_from_db()
    return cell, members


def new_candidate(by, establishment, **fields):
    """A candidate put on the source list through `services.create_candidate`."""
    from tests.factories import CandidateFactory

    candidate = CandidateFactory.build(establishment=establishment, **fields)
    return services.create_candidate(candidate=candidate, added_on=TIMELINE[Stage.SOURCE], by=by)
