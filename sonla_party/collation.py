"""Vietnamese order, the same on SQLite and PostgreSQL: a sort key computed in Python.

Neither database sorts Vietnamese as Vietnamese lists are sorted (SQLite compares bytes, so "Đức"
comes after "Ơn"; PostgreSQL depends on the server's locale). Each sortable model keeps
`sort_key`, refreshed with `search_text` on every save and bulk write (`sonla_party.search`), and
its lists order by it. The key is written with the characters `0-9a-z` only, whose order is the
same under every collation (bytes, C, en_US, ICU), so both databases sort it alike.

The order is the dictionary's:
- letters a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y (f j w z where the alphabet
  would put them), case ignored;
- the tone only after the letters of the whole text: ngang, huyền, hỏi, ngã, sắc, nặng
  ("Ba" < "Bà" < "Bả" < "Bã" < "Bá" < "Bạ", and "Bác" < "Bạc" < "Bài");
- numbers by their value: "Tổ dân phố 2" before "Tổ dân phố 10";
- people by the given name (the last word), then the family and middle names:
  "Nguyễn Văn An" before "Lê Thị Bình".
"""

import re
import unicodedata
from functools import lru_cache

# The letters of the alphabet, in order; each is written as one symbol of SYMBOLS.
ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
# "0" ends a word and the text; "1" starts a number; the letters come after.
SYMBOLS = "23456789abcdefghijklmnopqrstuvwxyz"
LETTER = dict(zip(ALPHABET, SYMBOLS[: len(ALPHABET)], strict=True))
FOREIGN = SYMBOLS[len(ALPHABET)]  # then four symbols: the code point
END = "0"
NUMBER = "1"
# Tone marks (combining characters), in the dictionary's order after the level tone.
TONES = {"\u0300": "1", "\u0309": "2", "\u0303": "3", "\u0301": "4", "\u0323": "5"}
# Vowel marks that make another letter of the alphabet.
MARKS = {("a", "\u0306"): "ă", ("a", "\u0302"): "â", ("e", "\u0302"): "ê", ("o", "\u0302"): "ô"}
MARKS |= {("o", "\u031b"): "ơ", ("u", "\u031b"): "ư"}
BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"
TOKEN = re.compile(r"\d+|[^\W\d_]+")


def sort_key(text: str, person: bool = False) -> str:
    """The key that sorts `text` in Vietnamese order (`person`: by the given name first)."""
    words = TOKEN.findall(unicodedata.normalize("NFC", str(text or "")))
    if person and len(words) > 1:
        words = [words[-1], *words[:-1]]
    primary, tones = [], []
    for word in words:
        letters, marks = _word_key(word)
        primary.append(letters)
        tones.append(marks)
    return "".join(primary) + END + "".join(tones)


@lru_cache(maxsize=8192)
def _word_key(word: str) -> tuple[str, str]:
    """A word's letters (with END after them) and its tones: the words of names repeat."""
    if word.isdigit():
        digits = word.lstrip("0") or "0"
        digits = digits[:35]
        return NUMBER + BASE36[len(digits)] + digits + END, ""
    primary, tones = [], []
    for letter, tone in _split(word):
        symbol = LETTER.get(letter)
        if symbol is None:  # a letter of another alphabet: after z, by its code point
            symbol = FOREIGN + _base36(min(ord(letter), 36**4 - 1), 4)
        primary.append(symbol)
        tones.append(tone)
    return "".join(primary) + END, "".join(tones)


def _split(word: str) -> list[list[str]]:
    letters: list[list[str]] = []
    for char in unicodedata.normalize("NFD", word.lower()):
        if unicodedata.combining(char):
            if not letters:
                continue
            if char in TONES:
                letters[-1][1] = TONES[char]
            elif (letters[-1][0], char) in MARKS:
                letters[-1][0] = MARKS[(letters[-1][0], char)]
            continue
        letters.append([char, "0"])
    return letters


def _base36(number: int, width: int) -> str:
    out = ""
    for _ in range(width):
        number, digit = divmod(number, 36)
        out = BASE36[digit] + out
    return out
