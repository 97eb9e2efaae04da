"""Stable values (lower-case English slugs) with Vietnamese labels for the registry."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitLevel(models.TextChoices):
    """The levels of administrative units; districts exist until 30/06/2025 (the two-level reform)."""

    PROVINCE = "province", _("Province")
    DISTRICT = "district", _("District level")
    COMMUNE = "commune", _("Commune level")


class UnitKind(models.TextChoices):
    """What a unit is called: tỉnh; thành phố / huyện / thị xã; xã / phường / thị trấn."""

    PROVINCE = "province", _("Province")
    CITY = "city", _("City")
    DISTRICT = "district", _("District")
    DISTRICT_TOWN = "district_town", _("District-level town")
    COMMUNE = "commune", _("Commune")
    WARD = "ward", _("Ward")
    TOWN = "town", _("Township")


UNIT_KINDS_OF_LEVEL = {
    UnitLevel.PROVINCE: {UnitKind.PROVINCE},
    UnitLevel.DISTRICT: {UnitKind.CITY, UnitKind.DISTRICT, UnitKind.DISTRICT_TOWN},
    UnitLevel.COMMUNE: {UnitKind.COMMUNE, UnitKind.WARD, UnitKind.TOWN},
}


class OrganisationLevel(models.TextChoices):
    """The party's own levels: the Provincial Party Committee, the committees directly under it,
    the grassroots organisations, and the cells under a grassroots (or commune) committee."""

    PROVINCE = "province", _("Provincial Party Committee")
    AFFILIATED = "affiliated", _("Directly under the Provincial Committee")
    GRASSROOTS = "grassroots", _("Grassroots organisation")
    CELL = "cell", _("Party cell")


class OrganisationKind(models.TextChoices):
    PROVINCIAL_COMMITTEE = "provincial_committee", _("Provincial party committee")
    DISTRICT_COMMITTEE = "district_committee", _("District party committee")
    COMMUNE_COMMITTEE = "commune_committee", _("Commune party committee")
    SECTORAL_COMMITTEE = "sectoral_committee", _("Sectoral party committee")
    GRASSROOTS_COMMITTEE = "grassroots_committee", _("Grassroots party committee")
    GRASSROOTS_CELL = "grassroots_cell", _("Grassroots party cell")
    CELL = "cell", _("Party cell")


ORGANISATION_KINDS_OF_LEVEL = {
    OrganisationLevel.PROVINCE: {OrganisationKind.PROVINCIAL_COMMITTEE},
    OrganisationLevel.AFFILIATED: {
        OrganisationKind.DISTRICT_COMMITTEE,
        OrganisationKind.COMMUNE_COMMITTEE,
        OrganisationKind.SECTORAL_COMMITTEE,
    },
    OrganisationLevel.GRASSROOTS: {OrganisationKind.GRASSROOTS_COMMITTEE, OrganisationKind.GRASSROOTS_CELL},
    OrganisationLevel.CELL: {OrganisationKind.CELL},
}
# Committees that decide admissions for the units they lead (the competent one follows the date).
DECIDING_KINDS = (OrganisationKind.DISTRICT_COMMITTEE, OrganisationKind.COMMUNE_COMMITTEE)


class EstablishmentKind(models.TextChoices):
    VILLAGE = "village", _("Village")
    SUB_REGION = "sub_region", _("Sub-region")
    RESIDENTIAL_GROUP = "residential_group", _("Residential group")
    SCHOOL = "school", _("School")
    HEALTH_STATION = "health_station", _("Health station")
    ENTERPRISE = "enterprise", _("Enterprise")
    COOPERATIVE = "cooperative", _("Cooperative")


class Lacking(models.TextChoices):
    """What makes an establishment "blank" (cơ sở "trắng") on a date."""

    NO_MEMBER = "no_member", _("Without party members")
    NO_CELL = "no_cell", _("Without a party cell")
    EITHER = "either", _("Without members or without a cell")


class FoundingMethod(models.TextChoices):
    RECRUITED = "recruited", _("By admitting new members")
    TRANSFERRED_IN = "transferred_in", _("By members transferred in")
    SPLIT_OFF = "split_off", _("Split off from a combined cell")
    RESETTLEMENT = "resettlement", _("Resettlement")
    OTHER = "other", _("Other")


class Gender(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


class Ethnicity(models.TextChoices):
    """The ethnic groups of Sơn La, largest first."""

    THAI = "thai", _("Thai")
    KINH = "kinh", _("Kinh")
    MONG = "mong", _("Mong")
    MUONG = "muong", _("Muong")
    XINH_MUN = "xinh_mun", _("Xinh Mun")
    DAO = "dao", _("Dao")
    KHO_MU = "kho_mu", _("Kho Mu")
    LA_HA = "la_ha", _("La Ha")
    KHANG = "khang", _("Khang")
    LAO = "lao", _("Lao")
    TAY = "tay", _("Tay")
    OTHER = "other", _("Other")


class MemberStatus(models.TextChoices):
    PROBATIONARY = "probationary", _("Probationary")
    OFFICIAL = "official", _("Official")
    LEFT = "left", _("Left")


class LeftReason(models.TextChoices):
    TRANSFERRED_OUT = "transferred_out", _("Transferred out")
    DECEASED = "deceased", _("Deceased")
    REMOVED = "removed", _("Removed from the probationary list")
    EXPELLED = "expelled", _("Expelled")
    RESIGNED = "resigned", _("Left the Party")
    OTHER = "other", _("Other")


class CadreForce(models.TextChoices):
    BORDER_GUARD = "border_guard", _("Border guard")
    MILITARY = "military", _("Military")
    POLICE = "police", _("Police")
    COMMUNE_OFFICIAL = "commune_official", _("Commune official")
    PROVINCIAL_OFFICIAL = "provincial_official", _("Provincial or district official")
    OTHER = "other", _("Other")


class AssignmentRole(models.TextChoices):
    DEPUTY_SECRETARY = "deputy_secretary", _("Deputy party secretary in charge of party building")
    FOLLOWS_ESTABLISHMENT = "follows_establishment", _("Follows the establishment")
    HELPS_CANDIDATES = "helps_candidates", _("Helps candidates")
    OTHER = "other", _("Other")
