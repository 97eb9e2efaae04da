# English pages show dates as dd/mm/yyyy too (see sonla_party/formats/vi/formats.py).
from sonla_party.formats.vi.formats import *  # noqa: F403

DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
