"""Plausible people for the demo data: names by ethnic group, birth dates and citizen IDs.

Demo only. Names follow the customs of Sơn La's main groups (Thái family names Lò, Cà, Quàng,
Lường, Tòng…; Mông clan names Giàng, Sùng, Mùa, Thào… with "A" for men; Kinh family names).
"""

import datetime
import random
from dataclasses import dataclass

ETHNIC_WEIGHTS = [
    ("thai", 53),
    ("kinh", 17),
    ("mong", 16),
    ("muong", 8),
    ("dao", 2),
    ("kho_mu", 1),
    ("xinh_mun", 1),
    ("la_ha", 1),
    ("khang", 1),
]

FAMILY_NAMES = {
    "thai": ["Lò", "Cà", "Quàng", "Lường", "Tòng", "Điêu", "Hoàng", "Vì", "Lềnh", "Bạc", "Cầm", "Mè"],
    "kinh": ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô", "Dương", "Đinh"],
    "mong": ["Giàng", "Sùng", "Mùa", "Thào", "Vàng", "Hầu", "Lầu", "Lý", "Tráng", "Mua"],
    "muong": ["Đinh", "Hà", "Bùi", "Quách", "Xa", "Cao"],
    "dao": ["Bàn", "Triệu", "Đặng", "Lý", "Phùng"],
    "kho_mu": ["Lò", "Vì", "Quàng", "Cà"],
    "xinh_mun": ["Lò", "Vì", "Lường", "Quàng"],
    "la_ha": ["Quàng", "Lò", "Cầm"],
    "khang": ["Lò", "Lường", "Vì"],
}
GIVEN_NAMES = {
    "male": [
        "Văn Thanh",
        "Văn Dũng",
        "Văn Hùng",
        "Văn Phong",
        "Văn Khánh",
        "Văn Tiến",
        "Văn Đức",
        "Văn Minh",
        "Văn Sơn",
        "Văn Điện",
        "Văn Chiến",
        "Văn Hạnh",
        "Văn Thưởng",
        "Văn Ơn",
        "Văn Kiên",
        "Văn Luân",
    ],
    "female": [
        "Thị Hoa",
        "Thị Lan",
        "Thị Hương",
        "Thị Mai",
        "Thị Xuân",
        "Thị Thu",
        "Thị Phượng",
        "Thị Ngọc",
        "Thị Yến",
        "Thị Hiền",
        "Thị Đào",
        "Thị Nhung",
        "Thị Ơn",
        "Thị Duyên",
        "Thị Thảo",
        "Thị Mường",
    ],
}
MONG_GIVEN = {
    "male": ["A Páo", "A Chứ", "A Lử", "A Dơ", "A Súa", "A Tủa", "A Vàng", "A Giống", "A Sềnh", "A Khua"],
    "female": ["Thị Mỷ", "Thị Dợ", "Thị Sua", "Thị Pà", "Thị Chở", "Thị Máy", "Thị Dính", "Thị Xá"],
}

SON_LA_PROVINCE_CODE = "014"


def pick_ethnicity(rng: random.Random) -> str:
    groups, weights = zip(*ETHNIC_WEIGHTS, strict=True)
    return rng.choices(groups, weights=weights)[0]


def full_name(rng: random.Random, ethnicity: str, gender: str) -> str:
    family = rng.choice(FAMILY_NAMES.get(ethnicity, FAMILY_NAMES["thai"]))
    given = rng.choice((MONG_GIVEN if ethnicity == "mong" else GIVEN_NAMES)[gender])
    return f"{family} {given}"


def birth_date(rng: random.Random, age_on: datetime.date, youngest: int, oldest: int) -> datetime.date:
    """A birth date making the person between `youngest` and `oldest` full years old on `age_on`."""
    years = rng.randint(youngest, oldest)
    day = rng.randint(0, 364)
    born = datetime.date(age_on.year - years - 1, age_on.month, min(age_on.day, 28)) + datetime.timedelta(days=day)
    return born


class CitizenIds:
    """Unique, valid 12-digit citizen IDs (Sơn La province code, century/sex digit, birth year)."""

    def __init__(self, start: int = 1):
        self.serial = start

    def next(self, born: datetime.date, gender: str) -> str:
        century_digit = 2 * ((born.year - 1900) // 100) + (1 if gender == "female" else 0)
        self.serial += 1
        return f"{SON_LA_PROVINCE_CODE}{century_digit}{born.year % 100:02d}{self.serial:06d}"


@dataclass
class Person:
    full_name: str
    gender: str
    ethnicity: str
    birth_date: datetime.date
    citizen_id: str | None


def make_person(
    rng: random.Random, ids: CitizenIds, age_on: datetime.date, youngest: int, oldest: int, with_id_share: float = 0.8
) -> Person:
    ethnicity = pick_ethnicity(rng)
    gender = rng.choice(["male", "female"])
    born = birth_date(rng, age_on, youngest, oldest)
    citizen_id = ids.next(born, gender) if rng.random() < with_id_share else None
    return Person(full_name(rng, ethnicity, gender), gender, ethnicity, born, citizen_id)
