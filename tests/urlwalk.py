"""Enumerate every URL pattern of the project, with a concrete sample path for each."""

import re
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

ROUTE_PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
REGEX_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>(?P<body>[^)]*)\)")


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name", or the pattern text when unnamed
    path: str  # a concrete path to request
    is_admin: bool


def _sample_from_route(route: str, pk: int) -> str:
    return ROUTE_PARAM.sub(str(pk), route)


def _sample_from_regex(regex: str, pk: int) -> str:
    def group(match):
        body = match["body"]
        if "|" in body or body.isidentifier():
            return body.split("|")[0]
        return str(pk)

    text = REGEX_GROUP.sub(group, regex)
    return text.lstrip("^").rstrip("$").replace("\\", "")


def _pattern_text(pattern, pk):
    text = str(pattern.pattern)
    if hasattr(pattern.pattern, "_route"):
        return _sample_from_route(pattern.pattern._route, pk)
    return _sample_from_regex(text, pk)


def walk(pk: int = 1, resolver=None, prefix: str = "/", namespace: str = "", admin: bool = False):
    """Yield a Route for every URLPattern under `resolver`."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        piece = _pattern_text(pattern, pk)
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace or ""
            full_ns = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
            yield from walk(pk, pattern, prefix + piece, full_ns, admin or ns == "admin")
        elif isinstance(pattern, URLPattern):
            name = pattern.name or str(pattern.pattern)
            full = f"{namespace}:{name}" if namespace else name
            yield Route(full, prefix + piece, admin)


def app_routes(pk: int = 1) -> list[Route]:
    """The project's own routes (the admin and Django's auth views excluded)."""
    return [route for route in walk(pk) if not route.is_admin and not route.path.startswith("/accounts/")]
