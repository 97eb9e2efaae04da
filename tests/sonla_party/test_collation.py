"""Vietnamese order: the same on SQLite and PostgreSQL (`.ci/run` runs this file on both).

The lists order by `sort_key` (sonla_party/collation.py), computed in Python and written with
`0-9a-z` only, so neither the database nor its collation changes the order.
"""

import re

import pytest
from django.db import connection
from django.db.models.functions import Collate

from establishments.models import Establishment, PartyMember
from sonla_party.collation import sort_key
from tests.factories import CommuneFactory, EstablishmentFactory, PartyMemberFactory

# Single words: the dictionary's order of letters (ă â after a, đ after d, ơ after ô after o),
# then of tones (ngang, huyền, hỏi, ngã, sắc, nặng) once the letters are equal.
WORDS = ["An", "Anh", "Ánh", "Ăn", "Ân", "Ba", "Bà", "Bả", "Bã", "Bá", "Bạ", "Bác", "Bạc", "Bài", "Bình", "Bùi"]
WORDS += ["Dũng", "Dương", "Đỗ", "Đức", "Hà", "Ô", "Ơn", "Uyên", "Ưng", "Yến"]
# People: by the given name (the last word), then the family and middle names.
PEOPLE = ["Nguyễn Văn An", "Lê Thị Ánh", "Bùi Thị Bạc", "Bạc Văn Bình", "Lò Thị Bình", "Đỗ Văn Dũng"]
PEOPLE += ["Dương Văn Đức", "Hà Thị Đức", "Lường Thị Ơn", "Đỗ Văn Phong"]
# Numbered groups: by the number's value.
GROUPS = ["Bản Mường Sang", "Tiểu khu 3", "Tổ dân phố 1", "Tổ dân phố 2", "Tổ dân phố 2A", "Tổ dân phố 10"]
GROUPS += ["Tổ dân phố 21", "Tổ dân phố 100"]


def shuffled(items):
    return items[1::2][::-1] + items[::2]


@pytest.mark.parametrize("expected", [WORDS, GROUPS])
def test_the_key_sorts_names_and_numbered_groups_as_vietnamese_lists_are_sorted(expected):
    assert sorted(shuffled(expected), key=sort_key) == expected


def test_people_are_sorted_by_the_given_name_first():
    assert sorted(shuffled(PEOPLE), key=lambda name: sort_key(name, person=True)) == PEOPLE


def test_the_key_is_written_with_characters_every_collation_orders_alike():
    for name in WORDS + PEOPLE + GROUPS + ["Nguyễn-Văn  A'Lý", "Ωmega 007", ""]:
        assert re.fullmatch(r"[0-9a-z]+", sort_key(name, person=True)), name


def test_case_and_unicode_normalisation_do_not_change_the_order():
    import unicodedata

    assert sort_key("ĐỖ VĂN PHONG") == sort_key("đỗ văn phong")
    assert sort_key(unicodedata.normalize("NFD", "Nguyễn")) == sort_key(unicodedata.normalize("NFC", "Nguyễn"))


@pytest.mark.django_db
def test_the_database_lists_people_and_groups_in_vietnamese_order():
    commune = CommuneFactory(name="Chiềng Sơn")
    for name in shuffled(PEOPLE):
        PartyMemberFactory(full_name=name, establishment__commune=commune)
    for name in shuffled(GROUPS):
        EstablishmentFactory(commune=commune, name=name)

    people = PartyMember.objects.all()
    groups = Establishment.objects.filter(name__in=GROUPS)
    assert [m.full_name for m in people] == PEOPLE
    assert [e.name for e in groups] == GROUPS

    # Whatever collation the server sorts text with, the order is the same.
    for collation in collations():
        assert [m.full_name for m in people.order_by(Collate("sort_key", collation), "pk")] == PEOPLE, collation
        assert [e.name for e in groups.order_by(Collate("sort_key", collation), "pk")] == GROUPS, collation


@pytest.mark.django_db
def test_bulk_writes_keep_the_key():
    commune = CommuneFactory()
    member = PartyMemberFactory(full_name="Lò Văn Zạ", establishment__commune=commune)
    member.full_name = "Đỗ Văn Phong"
    PartyMember.objects.bulk_update([member], ["full_name"])
    assert PartyMember.objects.get(pk=member.pk).sort_key == sort_key("Đỗ Văn Phong", person=True)


def collations() -> list[str]:
    if connection.vendor == "sqlite":
        return ["BINARY", "NOCASE"]
    wanted = ["C", "POSIX", "ucs_basic", "en_US", "en-US-x-icu", "und-x-icu", "vi-VN-x-icu", "vi-x-icu"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT collname FROM pg_collation WHERE collname = ANY(%s)", [wanted])
        found = {row[0] for row in cursor.fetchall()}
    assert found, "no collation to compare with"
    return [name for name in wanted if name in found]
