"""Search that ignores Vietnamese accents and case, the same on SQLite and PostgreSQL.

Each searchable model keeps a folded copy of its searchable text (`search_text`: lower case,
no tone or vowel marks, "đ" as "d"), refreshed on every save and bulk write, so a search is a
plain `LIKE` on an ASCII column whatever the database: "muong" finds "Mường", "dien" finds "Điện".
"""

import unicodedata
from functools import lru_cache

from django.db import models
from django.db.models.functions import Length, Substr

from .collation import sort_key

MAX_SEARCH_WORDS = 12  # a search of a thousand words would be a query no database can plan


def fold(text: str) -> str:
    """Lower-case `text`, drop Vietnamese diacritics and turn đ into d; collapse white space.
    Control characters (a NUL byte, which PostgreSQL refuses in text) become spaces."""
    try:
        return _fold_text(text)
    except TypeError:  # not hashable
        return _fold(text)


@lru_cache(maxsize=8192, typed=True)
def _fold_text(text) -> str:
    """A text is often folded again soon: an import folds each name to find the person, to compare
    and to store it."""
    return _fold(text)


def _fold(text) -> str:
    text = str(text or "").replace("đ", "d").replace("Đ", "D")
    if not text.isprintable():
        text = "".join(char if char.isprintable() else " " for char in text)
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(stripped.lower().split())


def search(queryset, query: str, field: str = "search_text", user=None, also: tuple[str, ...] = ()):
    """Rows whose folded text contains every word of `query`, in any order (its first
    MAX_SEARCH_WORDS different words: more would narrow nothing a person types). Each word may
    also be found in the folded text of a related row (`also`, e.g. `unit__search_text`).

    A model's `search_restricted_fields` (field → permission) are searched too, for a `user` with
    that permission only: a citizen ID shown masked must not be findable by typing it, or a
    hundred searches would rebuild it."""
    words = list(dict.fromkeys(fold(query).split()))[:MAX_SEARCH_WORDS]
    prefix = field.removesuffix("search_text")
    restricted = [
        name
        for name, permission in getattr(queryset.model, "search_restricted_fields", {}).items()
        if not prefix and user is not None and user.has_perm(permission)
    ]
    for word in words:
        condition = models.Q(**{f"{field}__contains": word})
        for name in (*also, *restricted):
            condition |= models.Q(**{f"{name}__contains": word})
        queryset = queryset.filter(condition)
    return queryset


def name_first(queryset, query: str):
    """`queryset` ordered with the rows whose name holds most words of `query` first, then in its
    own order: a pick-list of people finds "do van phong" in Đỗ Văn Phong's name before the border
    guards whose unit's name holds "phong". The name is the first of `search_source_fields`; its
    folded text begins `search_text` and has its length (one letter per letter, tones dropped)."""
    words = list(dict.fromkeys(fold(query).split()))[:MAX_SEARCH_WORDS]
    model = queryset.model
    if not words or not getattr(model, "search_source_fields", ()):
        return queryset
    name = Substr("search_text", 1, Length(model.search_source_fields[0]))
    misses = sum(
        (
            models.Case(models.When(_name_text__contains=word, then=0), default=1, output_field=models.IntegerField())
            for word in words
        ),
        start=models.Value(0),
    )
    ordering = queryset.query.order_by or model._meta.ordering
    return queryset.annotate(_name_text=name).annotate(_name_misses=misses).order_by("_name_misses", *ordering)


def fill_search_keys(objs) -> None:
    """Refresh the `search_text` and `sort_key` of instances about to be written in bulk."""
    for obj in objs:
        obj.search_text = obj.build_search_text()
        obj.sort_key = obj.build_sort_key()


class SearchTextQuerySetMixin:
    """Keeps `search_text` right through `bulk_create` and `bulk_update` too."""

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        fill_search_keys(objs)
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, objs, fields, *args, **kwargs):
        objs = list(objs)
        if set(fields) & set(self.model.search_source_fields):
            fill_search_keys(objs)
            fields = [*fields, "search_text", "sort_key"]
        return super().bulk_update(objs, fields, *args, **kwargs)


class SearchTextModel(models.Model):
    """Abstract base: `search_source_fields` names the fields folded into `search_text`; the
    first of them (the name) also gives `sort_key`, the Vietnamese order of the lists
    (`sonla_party.collation`; `sort_as_person`: by the given name first)."""

    search_source_fields: tuple[str, ...] = ()
    search_restricted_fields: dict[str, str] = {}  # field → the permission needed to search it
    sort_as_person = False
    search_text = models.TextField(editable=False, default="")
    sort_key = models.TextField(editable=False, default="")

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.search_text = self.build_search_text()
        self.sort_key = self.build_sort_key()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and set(update_fields) & set(self.search_source_fields):
            kwargs["update_fields"] = {*update_fields, "search_text", "sort_key"}
        super().save(*args, **kwargs)

    def build_search_text(self) -> str:
        return fold(" ".join(str(getattr(self, name) or "") for name in self.search_source_fields))

    def build_sort_key(self) -> str:
        return sort_key(getattr(self, self.search_source_fields[0], "") or "", person=self.sort_as_person)
