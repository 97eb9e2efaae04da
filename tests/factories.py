"""factory_boy factories for every model; valid by default, so a test states only what matters."""

import datetime

import factory
from django.contrib.auth.models import Group

from candidates.models import Candidate
from demo.people import CitizenIds
from establishments.choices import EstablishmentKind, FoundingMethod
from establishments.models import Assignment, Cadre, Commune, District, Establishment, PartyCell, PartyMember
from sonla_party.models import User

_ids = CitizenIds(start=900000)
TEST_PASSWORD = "pw-Test-12345"


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = District
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"{200 + n:03d}")
    name = factory.Sequence(lambda n: f"Huyện {n}")


class CommuneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Commune

    code = factory.Sequence(lambda n: f"{10000 + n:05d}")
    name = factory.Sequence(lambda n: f"Xã {n}")
    district = factory.SubFactory(DistrictFactory)
    is_mountainous = True


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
    founded_on = datetime.date(2000, 1, 1)
    founding_method = FoundingMethod.RECRUITED

    @factory.post_generation
    def establishments(self, create, extracted, **kwargs):
        if create:
            self.establishments.set([self.seat, *(extracted or [])])


class PartyMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartyMember

    full_name = factory.Sequence(lambda n: f"Lò Văn {n}")
    birth_date = datetime.date(1980, 5, 17)
    gender = "male"
    ethnicity = "thai"
    citizen_id = factory.LazyAttribute(lambda o: _ids.next(o.birth_date, o.gender))
    establishment = factory.SubFactory(EstablishmentFactory)
    party_cell = None
    admitted_on = datetime.date(2005, 3, 1)
    official_on = factory.LazyAttribute(lambda o: o.admitted_on.replace(year=o.admitted_on.year + 1))


def make_user(username: str, role: str | None = None, *, district=None, commune=None, **fields) -> User:
    """A user with a role (a group of sonla_party.roles) and a scope."""
    if commune is not None and district is None:
        district = commune.district
    user = User.objects.create_user(
        username=username, password=TEST_PASSWORD, district=district, commune=commune, **fields
    )
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
    district = factory.SubFactory(DistrictFactory)


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assignment

    cadre = factory.SubFactory(CadreFactory)
    establishment = factory.SubFactory(
        EstablishmentFactory, commune__district=factory.SelfAttribute("...cadre.district")
    )
    role = "follows_establishment"
    starts_on = datetime.date(2010, 1, 1)
