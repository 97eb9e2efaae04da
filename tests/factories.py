"""factory_boy factories for every model; valid by default, so a test states only what matters."""

import datetime

import factory
from django.contrib.auth.models import Group

from candidates.models import Candidate
from demo.people import CitizenIds
from establishments.choices import (
    EstablishmentKind,
    FoundingMethod,
    OrganisationKind,
    OrganisationLevel,
    UnitKind,
    UnitLevel,
)
from establishments.models import (
    Assignment,
    Cadre,
    CellMembership,
    Commune,
    District,
    Establishment,
    PartyCell,
    PartyMember,
    PartyOrganisation,
)
from sonla_party.models import User

_ids = CitizenIds(start=900000)
TEST_PASSWORD = "pw-Test-12345"


# Test units are valid at any date (from 1900, with no end), unlike the reference ones the
# migrations load, which ended on 30/06/2025 — so a test's district exists today. Tests of the
# reform use the reference units (tests/establishments/test_reform.py).
ALWAYS = datetime.date(1900, 1, 1)


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = District
        django_get_or_create = ("code", "level", "valid_from")
        skip_postgeneration_save = True

    level = UnitLevel.DISTRICT
    valid_from = ALWAYS
    kind = UnitKind.DISTRICT
    code = factory.Sequence(lambda n: f"{200 + n:03d}")
    name = factory.Sequence(lambda n: f"Huyện {n}")

    @factory.post_generation
    def committee(self, create, extracted, **kwargs):
        """Its party committee, which decides admissions (`extracted=False`: none)."""
        if create and extracted is not False:
            PartyOrganisation.objects.get_or_create(
                kind=OrganisationKind.DISTRICT_COMMITTEE,
                unit=self,
                defaults={"level": OrganisationLevel.AFFILIATED, "name": f"Đảng bộ huyện {self.name}"},
            )


class CommuneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Commune

    level = UnitLevel.COMMUNE
    valid_from = ALWAYS
    code = factory.Sequence(lambda n: f"{10000 + n:05d}")
    name = factory.Sequence(lambda n: f"Xã {n}")
    parent = factory.SubFactory(DistrictFactory)
    is_mountainous = True

    @classmethod
    def _adjust_kwargs(cls, **kwargs):
        if "district" in kwargs:  # a commune's district is its parent unit
            kwargs["parent"] = kwargs.pop("district")
        return kwargs


class EstablishmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Establishment

    commune = factory.SubFactory(CommuneFactory)
    kind = EstablishmentKind.VILLAGE
    name = factory.Sequence(lambda n: f"Bản {n}")
    code = factory.Sequence(lambda n: f"B{n:04d}")


class PartyCellFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartyCell
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Chi bộ {n}")
    seat = factory.SubFactory(EstablishmentFactory)
    unit = factory.SelfAttribute("seat.commune")
    founded_on = datetime.date(2000, 1, 1)
    founding_method = FoundingMethod.RECRUITED

    @factory.post_generation
    def establishments(self, create, extracted, **kwargs):
        if create:
            self.establishments.set([self.seat, *(extracted or [])])


class PartyMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartyMember
        skip_postgeneration_save = True

    full_name = factory.Sequence(lambda n: f"Lò Văn {n}")
    birth_date = datetime.date(1980, 5, 17)
    gender = "male"
    ethnicity = "thai"
    citizen_id = factory.LazyAttribute(lambda o: _ids.next(o.birth_date, o.gender))
    establishment = factory.SubFactory(EstablishmentFactory)
    party_cell = None
    admitted_on = datetime.date(2005, 3, 1)
    official_on = factory.LazyAttribute(lambda o: o.admitted_on.replace(year=o.admitted_on.year + 1))

    @factory.post_generation
    def membership(self, create, extracted, **kwargs):
        """A member in a cell belongs to it from admission (or the cell's founding), as the services record."""
        if create and self.party_cell_id:
            starts = max(self.admitted_on, self.party_cell.founded_on)
            CellMembership.objects.create(member=self, cell=self.party_cell, starts_on=starts, ends_on=self.left_on)


def make_user(username: str, role: str | None = None, *, district=None, commune=None, unit=None, **fields) -> User:
    """A user with a role (a group of sonla_party.roles) and a scope: a unit (a district or a
    commune), or none (the province, given by the role)."""
    unit = unit or commune or district
    user = User.objects.create_user(username=username, password=TEST_PASSWORD, unit=unit, **fields)
    if role is not None:
        user.groups.add(Group.objects.get(name=role))
    return user


class CandidateFactory(factory.django.DjangoModelFactory):
    """A candidate on the source list (stage `source`), created without the service: tests that
    need the pipeline use `tests.candidates.pipeline.advance`."""

    class Meta:
        model = Candidate

    full_name = factory.Sequence(lambda n: f"Quàng Văn {n}")
    birth_date = datetime.date(1995, 6, 15)
    gender = "male"
    ethnicity = "thai"
    citizen_id = factory.LazyAttribute(lambda o: _ids.next(o.birth_date, o.gender))
    education_grade = 9
    establishment = factory.SubFactory(EstablishmentFactory)
    stage_since = datetime.date(2023, 1, 10)


class CadreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cadre

    full_name = factory.Sequence(lambda n: f"Thào A Sử {n}")
    force = "border_guard"
    unit = "Đồn Biên phòng"
    area = factory.SubFactory(DistrictFactory)

    @classmethod
    def _adjust_kwargs(cls, **kwargs):
        if "district" in kwargs:  # the cadre's area
            kwargs["area"] = kwargs.pop("district")
        return kwargs


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assignment

    cadre = factory.SubFactory(CadreFactory)
    establishment = factory.SubFactory(EstablishmentFactory, commune__parent=factory.SelfAttribute("...cadre.area"))
    role = "follows_establishment"
    starts_on = datetime.date(2010, 1, 1)
