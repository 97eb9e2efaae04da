"""Crawl benchmark: the slowest requests of a walk through every page and export, as `board`.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sonla .venv/bin/python bench/crawl.py [--top 15] [--pdf]

With production settings (DEBUG off), through Django's test client like bench/pages.py, as the
`board` user (the whole province): starting from the dashboard, it visits every page the
navigation links to, every link of those pages (filters, sorts, pages, tabs, the CSV / XLSX
export links, reports), and a few detail pages of each list (at most `--per-route` distinct
URLs of each URL pattern, `--depth` links away from the dashboard). Only GET requests; the
logout link, the admin and (without `--pdf`) the printable documents are left out. The whole
response is read (an export's stream to its end). It prints the slowest requests — URL, status,
queries, seconds — and flags those above 2 s.
"""

import argparse
import os
import re
import sys
import time
from collections import Counter, deque
from html import unescape
from pathlib import Path
from urllib.parse import urljoin, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sonla_party.settings")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "bench-" + "x" * 60)
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("BEHIND_TLS_PROXY", "0")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import Resolver404, resolve  # noqa: E402

from establishments.models import PartyMember  # noqa: E402
from sonla_party.models import User  # noqa: E402

HREF = re.compile(r"""<a\b[^>]*?\bhref=["']([^"'#]+)""", re.IGNORECASE)
SLOW = 2.0  # seconds: the ceiling for a web request
SKIP_PREFIXES = ("/admin/", "/accounts/logout", "/static/", "/media/", "/i18n/")


def route_of(path: str) -> str | None:
    """The URL pattern's name (a key to bound how many URLs of one pattern are visited)."""
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.view_name


def is_document(path: str, query: str, route: str) -> bool:
    return path.endswith(".pdf") or "pdf" in route.lower() or "document" in route.lower() or "format=pdf" in query


def links(html: str, base: str) -> list[str]:
    found = []
    for href in HREF.findall(html):
        url = urljoin(base, unescape(href))
        parts = urlsplit(url)
        if parts.scheme not in ("", "http", "https") or parts.netloc not in ("", "127.0.0.1", "testserver"):
            continue
        found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def fetch(client, url: str) -> tuple[int, int, float, str, str]:
    """(status, queries, seconds, content type, text of an HTML page) — the whole body read."""
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = client.get(url)
        if response.streaming:
            for _piece in response.streaming_content:
                pass
            body = b""
        else:
            body = response.content
        seconds = time.perf_counter() - started
        if hasattr(response, "close"):
            response.close()
    kind = response.get("Content-Type", "")
    html = body.decode("utf-8", "replace") if kind.startswith("text/html") else ""
    return response.status_code, len(queries.captured_queries), seconds, kind, html


def crawl(client, depth: int, per_route: int, pdf: bool, limit: int):
    seen: set[str] = set()
    per: Counter = Counter()
    results = []
    queue = deque([("/", 0)])
    while queue and len(results) < limit:
        url, level = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        path, _sep, query = url.partition("?")
        route = route_of(path)
        if route is None or path.startswith(SKIP_PREFIXES) or (not pdf and is_document(path, query, route)):
            continue
        export = "_export=" in query
        key = (route, export and query.split("_export=")[1][:4])
        if per[key] >= per_route:
            continue
        per[key] += 1
        status, queries, seconds, kind, html = fetch(client, url)
        results.append((seconds, url, status, queries, kind.split(";")[0]))
        if html and level < depth:
            queue.extend((link, level + 1) for link in links(html, url) if link not in seen)
    return results


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--top", type=int, default=15, help="how many of the slowest requests to print")
    parser.add_argument("--depth", type=int, default=3, help="links away from the dashboard")
    parser.add_argument("--per-route", type=int, default=3, help="distinct URLs of one URL pattern visited")
    parser.add_argument("--limit", type=int, default=2000, help="requests at most")
    parser.add_argument("--pdf", action="store_true", help="also the printable documents")
    args = parser.parse_args()
    call_command("collectstatic", interactive=False, verbosity=0)
    client = Client(HTTP_HOST="127.0.0.1", raise_request_exception=False)
    client.force_login(User.objects.get(username="board"))
    client.get("/")  # warm the caches, as a working server would be
    started = time.perf_counter()
    results = crawl(client, args.depth, args.per_route, args.pdf, args.limit)
    total = time.perf_counter() - started
    slow = [r for r in results if r[0] > SLOW]
    errors = [r for r in results if r[2] >= 500]
    print(
        f"database: {connection.vendor}; {PartyMember.objects.count()} members; "
        f"{len(results)} requests in {total:.0f} s; {len(slow)} over {SLOW:.0f} s; {len(errors)} server errors"
    )
    print(f"{'s':>7} {'status':>6} {'queries':>7}  {'type':<18} url")
    for seconds, url, status, queries, kind in sorted(results, reverse=True)[: args.top]:
        flag = "  SLOW" if seconds > SLOW else ""
        print(f"{seconds:7.2f} {status:>6} {queries:>7}  {kind:<18} {url}{flag}")
    for _seconds, url, status, _queries, _kind in errors:
        print(f"server error {status}: {url}")


if __name__ == "__main__":
    main()
