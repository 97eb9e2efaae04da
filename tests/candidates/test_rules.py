"""The admission rules at their boundaries, as the regulation states them: age counted in months,
the over-60 decision, the introducer's 12 months with the candidate, one certificate validity."""

import datetime

import pytest
from django.test import override_settings

from candidates import rules, services
from candidates.choices import Stage
from candidates.models import Candidate, candidates_in_phase, certificate_valid_on
from candidates.services import PipelineError
from tests.candidates.pipeline import TIMELINE, advance, new_candidate
from tests.factories import CandidateFactory, PartyMemberFactory

D = datetime.date


def age_ok(born: datetime.date, on: datetime.date, **fields) -> bool:
    return rules.age_requirement(Candidate(birth_date=born, **fields), on).ok


class TestAgeCountedInMonths:
    """Regulation 232-QĐ/TW 2025, point 1.1: from full 18 to full 60 years, counted in months."""

    @pytest.mark.parametrize("born", [D(2008, 3, 1), D(2008, 3, 31)])
    def test_born_in_march_2008_is_old_enough_from_march_2026(self, born):
        assert not age_ok(born, D(2026, 2, 28))
        assert age_ok(born, D(2026, 3, 1)) and age_ok(born, D(2026, 3, 31))

    @pytest.mark.parametrize("born", [D(1966, 3, 1), D(1966, 3, 31)])
    def test_born_in_march_1966_is_within_the_limit_through_march_2026(self, born):
        assert age_ok(born, D(2026, 3, 1)) and age_ok(born, D(2026, 3, 31))
        requirement = rules.age_requirement(Candidate(birth_date=born), D(2026, 4, 1))
        assert not requirement.ok and "60" in requirement.detail

    def test_over_60_passes_with_the_provincial_committees_decision_dated_by_the_vote(self):
        born, vote = D(1966, 3, 10), D(2026, 4, 1)
        assert age_ok(born, vote, over_age_decision="125-QĐ/TU", over_age_decision_on=D(2026, 3, 20))
        assert not age_ok(born, vote, over_age_decision="125-QĐ/TU", over_age_decision_on=D(2026, 4, 2))
        assert not age_ok(born, vote, over_age_decision="", over_age_decision_on=None)

    def test_the_message_counts_years_and_months(self):
        detail = rules.age_requirement(Candidate(birth_date=D(2008, 5, 20)), D(2026, 3, 2)).detail
        assert "17" in detail and "10" in detail

    @pytest.mark.django_db
    def test_the_decision_is_recorded_on_the_file_and_the_vote_passes(self, board_user, province):
        vote_on = TIMELINE[Stage.CELL_RESOLUTION]  # 01/06/2023
        candidate = new_candidate(board_user, province.home_establishment, birth_date=D(1963, 5, 15), citizen_id=None)
        advance(candidate, Stage.DOSSIER, board_user)
        vote = {"voted_on": vote_on, "document_number": "NQ", "votes_for": 6, "by": board_user}
        with pytest.raises(PipelineError, match="60"):
            services.record_cell_resolution(candidate=candidate, **vote)
        dossier = {name: getattr(candidate, name) for name in services.DOSSIER_FIELDS}
        services.update_dossier(
            candidate=candidate,
            by=board_user,
            over_age_decision="125-QĐ/TU",
            over_age_decision_on=D(2023, 5, 20),
            **dossier,
        )
        services.record_cell_resolution(candidate=candidate, **vote)
        assert Candidate.objects.get(pk=candidate.pk).stage == Stage.CELL_RESOLUTION


@pytest.mark.django_db
class TestIntroducerKnownSince:
    def at_dossier(self, by, establishment, known_since):
        candidate = new_candidate(by, establishment)
        advance(candidate, Stage.DOSSIER, by)
        candidate.introducers.update(known_since=known_since)
        return candidate

    def vote(self, candidate, by):
        return services.record_cell_resolution(
            candidate=candidate, voted_on=TIMELINE[Stage.CELL_RESOLUTION], document_number="NQ", votes_for=6, by=by
        )

    def test_fewer_than_12_months_with_the_candidate_is_refused_at_the_vote(self, board_user, province):
        candidate = self.at_dossier(board_user, province.home_establishment, D(2022, 6, 2))  # 11 months, 30 days
        with pytest.raises(PipelineError, match="12"):
            self.vote(candidate, board_user)

    def test_12_months_exactly_is_enough(self, board_user, province):
        candidate = self.at_dossier(board_user, province.home_establishment, D(2022, 6, 1))
        self.vote(candidate, board_user)

    def test_a_member_introduction_says_since_when(self, board_user, province):
        candidate = new_candidate(board_user, province.home_establishment)
        member = PartyMemberFactory(establishment=province.home_establishment)
        with pytest.raises(PipelineError) as refused:
            services.add_introducer(
                candidate=candidate, party_member=member, introduced_on=D(2023, 5, 5), by=board_user
            )
        assert refused.value.field == "known_since"
        with pytest.raises(PipelineError) as refused:
            services.add_introducer(
                candidate=candidate,
                party_member=member,
                introduced_on=D(2023, 5, 5),
                known_since=D(2023, 5, 6),
                by=board_user,
            )
        assert refused.value.field == "known_since"


@pytest.mark.django_db
class TestOneCertificateValidity:
    """A certificate of 29 February: the vote rule and the report's count ask the same function."""

    @override_settings(CERTIFICATE_VALIDITY_MONTHS=60)
    def test_the_vote_rule_and_the_report_agree_around_the_expiry(self, board_user, province):
        candidate = CandidateFactory.build(establishment=province.home_establishment)
        services.create_candidate(candidate=candidate, added_on=D(2020, 1, 10), by=board_user)
        services.record_training(
            candidate=candidate,
            certificate_number="GCN-1",
            certificate_on=D(2020, 2, 29),
            issuer="TTCT",
            by=board_user,
        )
        candidate.refresh_from_db()
        assert certificate_valid_on(candidate.certificate_on, D(2025, 2, 27))
        assert not certificate_valid_on(candidate.certificate_on, D(2025, 2, 28))
        for day in [D(2020, 2, 28), D(2020, 2, 29), D(2025, 2, 26), D(2025, 2, 27), D(2025, 2, 28), D(2025, 3, 1)]:
            counted = Candidate.objects.filter(candidates_in_phase("certified", day)).exists()
            assert (
                counted == candidate.certificate_valid_on(day) == rules.certificate_requirement(candidate, day).ok
            ), day

    @override_settings(CERTIFICATE_VALIDITY_MONTHS=60)
    @pytest.mark.parametrize(
        "certificate_on", [D(2019, 8, 31), D(2020, 2, 29), D(2020, 3, 1), D(2020, 1, 31), D(2021, 12, 31)]
    )
    def test_the_reports_threshold_is_the_rules_own(self, certificate_on):
        from candidates.models import oldest_valid_certificate_on

        start = certificate_on + datetime.timedelta(days=365 * 5 - 40)
        for offset in range(80):
            day = start + datetime.timedelta(days=offset)
            assert (certificate_on >= oldest_valid_certificate_on(day)) == certificate_valid_on(certificate_on, day)
