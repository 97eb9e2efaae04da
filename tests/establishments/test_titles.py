"""An establishment's title says its kind once: "Bản Mường Hốc", never "Bản Bản Mường Hốc"."""

import pytest
from django.utils import translation

from establishments.choices import EstablishmentKind
from establishments.models import Establishment

K = EstablishmentKind


@pytest.mark.parametrize(
    ("kind", "name", "title"),
    [
        (K.VILLAGE, "Mường Hốc", "Bản Mường Hốc"),
        (K.VILLAGE, "Bản Mường Hốc", "Bản Mường Hốc"),
        (K.VILLAGE, "bản Mường Hốc", "bản Mường Hốc"),  # case-insensitively
        (K.VILLAGE, "Ban Muong Hoc", "Ban Muong Hoc"),  # typed without accents
        (K.VILLAGE, "Bảnh", "Bản Bảnh"),  # a name that only begins with the same letters
        (K.SUB_REGION, "Tiểu khu 3", "Tiểu khu 3"),
        (K.SUB_REGION, "3", "Tiểu khu 3"),
        (K.RESIDENTIAL_GROUP, "TỔ DÂN PHỐ 10", "TỔ DÂN PHỐ 10"),
        (K.HEALTH_STATION, "Trạm Y tế Chiềng Mung", "Trạm Y tế Chiềng Mung"),
        (K.SCHOOL, "Trường Tiểu học Chiềng Mung", "Trường Tiểu học Chiềng Mung"),
        (K.ENTERPRISE, "Công ty TNHH Chè Mộc Châu", "Công ty TNHH Chè Mộc Châu"),
        (K.COOPERATIVE, "Hợp tác xã Bò sữa", "Hợp tác xã Bò sữa"),
        (K.COOPERATIVE, "Bò sữa Mộc Châu", "Hợp tác xã Bò sữa Mộc Châu"),
    ],
)
def test_the_title_does_not_repeat_the_kind(kind, name, title):
    with translation.override("vi"):
        assert Establishment(kind=kind, name=name).title == title


def test_in_english_the_vietnamese_kind_in_the_name_is_not_repeated_either():
    with translation.override("en"):
        assert Establishment(kind=K.VILLAGE, name="Bản Mường Hốc").title == "Bản Mường Hốc"
        assert Establishment(kind=K.VILLAGE, name="Mường Hốc").title == "Village Mường Hốc"


@pytest.mark.django_db
def test_the_detail_page_heads_with_the_title(board_client):
    from tests.factories import EstablishmentFactory

    establishment = EstablishmentFactory(kind=K.VILLAGE, name="Bản Mường Hốc")
    html = board_client.get(establishment.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert "Bản Mường Hốc</h1>" in html
    assert "Bản Bản" not in html
