"""The 12-digit citizen identity number (số định danh cá nhân / CCCD).

Digits 1–3 are the province of birth registration, digit 4 encodes century and sex
(0/1 = 1900s male/female, 2/3 = 2000s, 4/5 = 2100s, …), digits 5–6 are the last two digits of
the birth year, digits 7–12 a serial number.
"""

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# The province codes of the 63 provinces (Decree 137/2015 and Circular 07/2016), which every
# citizen ID issued so far begins with; the 34 provinces of 2025 kept codes from this set.
PROVINCE_CODES = frozenset(
    [
        "001",
        "002",
        "004",
        "006",
        "008",
        "010",
        "011",
        "012",
        "014",
        "015",
        "017",
        "019",
        "020",
        "022",
        "024",
        "025",
        "026",
        "027",
        "030",
        "031",
        "033",
        "034",
        "035",
        "036",
        "037",
        "038",
        "040",
        "042",
        "044",
        "045",
        "046",
        "048",
        "049",
        "051",
        "052",
        "054",
        "056",
        "058",
        "060",
        "062",
        "064",
        "066",
        "067",
        "068",
        "070",
        "072",
        "074",
        "075",
        "077",
        "079",
        "080",
        "082",
        "083",
        "084",
        "086",
        "087",
        "089",
        "091",
        "092",
        "093",
        "094",
        "095",
        "096",
    ]
)


def normalise_citizen_id(value: str | None) -> str | None:
    """Strip spaces and dots people type; an empty value becomes None (not known)."""
    if value is None:
        return None
    cleaned = "".join(str(value).split()).replace(".", "")
    return cleaned or None


def citizen_id_errors(citizen_id: str, birth_date: datetime.date | None, gender: str | None) -> list[str]:
    """Every reason `citizen_id` cannot belong to a person born on `birth_date` of `gender`."""
    if len(citizen_id) != 12 or not (citizen_id.isascii() and citizen_id.isdigit()):  # "²" is a digit too
        return [_("A citizen ID has exactly 12 digits (given: “%(value)s”).") % {"value": citizen_id}]
    errors = []
    if citizen_id[:3] not in PROVINCE_CODES:
        errors.append(_("Digits 1–3 (%(code)s) are not a province code.") % {"code": citizen_id[:3]})
    century_digit = int(citizen_id[3])
    century = 1900 + 100 * (century_digit // 2)
    is_female = century_digit % 2 == 1
    if gender in ("male", "female") and is_female != (gender == "female"):
        errors.append(
            _("Digit 4 (%(digit)s) is for a %(sex)s, but the record says %(gender)s.")
            % {
                "digit": century_digit,
                "sex": _("woman") if is_female else _("man"),
                "gender": _("woman") if gender == "female" else _("man"),
            }
        )
    if birth_date is not None:
        if birth_date.year // 100 * 100 != century:
            errors.append(
                _("Digit 4 (%(digit)s) says born in the %(century)ss, but the birth date is in %(year)s.")
                % {"digit": century_digit, "century": century, "year": birth_date.year}
            )
        if citizen_id[4:6] != f"{birth_date.year % 100:02d}":
            errors.append(
                _("Digits 5–6 (%(digits)s) must be the last two digits of the birth year %(year)s.")
                % {"digits": citizen_id[4:6], "year": birth_date.year}
            )
    return errors


def validate_citizen_id(citizen_id: str | None, birth_date, gender, field: str = "citizen_id") -> None:
    """Raise a ValidationError on `field` listing every contradiction; None (unknown) passes."""
    if not citizen_id:
        return
    errors = citizen_id_errors(citizen_id, birth_date, gender)
    if errors:
        raise ValidationError({field: errors})


def mask_citizen_id(citizen_id: str | None) -> str:
    """Only the last 4 digits, for users without the permission to see the whole number."""
    if not citizen_id:
        return ""
    return "•" * (len(citizen_id) - 4) + citizen_id[-4:]
