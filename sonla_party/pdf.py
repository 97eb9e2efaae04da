"""Printable documents: HTML + CSS templates rendered to PDF by WeasyPrint.

The fonts are the project's own (Liberation Serif, metric-compatible with Times New Roman, under
`static/vendor/fonts/`), referenced by file URL: a document looks the same on every machine and
needs no network. WeasyPrint needs Pango from the system (README); where it is missing, the
document's link answers one clear line instead of a 500.

A document view is a `DocumentView`: the object comes from `Model.objects.for_user(user)` (out of
scope: 404) and the subclass gives the template and its context. This module imports no domain app.

A request renders the document's HTML (fast: the user's scope and masking, the access log) and
answers with the PDF kept for that HTML, or lays a short document out itself; a long one (more
than DOCUMENT_JOB_CELLS table cells, ≈ 0.5 ms of layout each) is laid out by a background job
whose page the request redirects to (`queue_layout`), so that no request waits for a long layout.
"""

import contextlib
import datetime
import functools
import gc
import hashlib
import logging
import threading
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpResponse, HttpResponseRedirect
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.generic import View
from django.views.generic.detail import SingleObjectMixin

from .choices import AccessDoor
from .exports import download_name
from .models import FileView, RenderedDocument
from .views import ModelPermissionMixin, ScopedQuerysetMixin

logger = logging.getLogger(__name__)

FONT_DIR = settings.BASE_DIR / "static" / "vendor" / "fonts" / "liberation-serif"
BASE_TEMPLATE = "documents/base.html"
USER_AGENT_CSS = settings.BASE_DIR / "templates" / "documents" / "user_agent.css"

# A PDF that took this long to make is kept (`RenderedDocument`) under the hash of its HTML; kept
# PDFs older than `CACHE_DAYS` are dropped when another is stored.
CACHE_MIN_SECONDS = 0.3
CACHE_DAYS = 60


@functools.cache
def _weasyprint():
    """The WeasyPrint module, its font configuration and the documents' user-agent stylesheet, or the
    reason it cannot load (no Pango)."""
    try:
        import weasyprint
        from weasyprint.text.fonts import FontConfiguration
    except (ImportError, OSError) as error:  # OSError: the system's Pango / GObject libraries are missing
        logger.warning("PDF documents unavailable: %s", error)
        return None, str(error)
    user_agent = weasyprint.CSS(string=USER_AGENT_CSS.read_text(encoding="utf-8"))

    class DocumentHTML(weasyprint.HTML):
        """The HTML of a document, cascaded with the documents' small user-agent stylesheet."""

        def _ua_stylesheets(self, forms=False):
            return [user_agent]

    return (weasyprint, DocumentHTML, FontConfiguration()), ""


def warm_up() -> None:
    """Load WeasyPrint and the fonts by laying out an empty document (≈ 0.5 s of CPU): called as
    the server process starts (`wsgi.py`), so its first document's request does not pay for it."""
    if _weasyprint()[0] is None:
        return
    try:
        lay_out(document_html(BASE_TEMPLATE, {"doc": Heading(title="")}))
    except Exception:  # the server starts all the same: a document's request will say what is wrong
        logger.exception("PDF documents: the warm-up layout failed")


def pdf_unavailable_reason() -> str:
    """Empty when PDFs can be made here; else the technical reason."""
    return _weasyprint()[1]


def document_context() -> dict:
    """What every document template reads: the font files' URL."""
    return {"font_dir": FONT_DIR.as_uri()}


@functools.cache
def _engine_fingerprint() -> str:
    """What, besides the HTML, a PDF depends on: the engine's version, the fonts and the stylesheet."""
    weasyprint = _weasyprint()[0][0]
    files = [*sorted(FONT_DIR.glob("*.ttf")), USER_AGENT_CSS]
    stamps = [f"{path.name}:{path.stat().st_size}:{path.stat().st_mtime_ns}" for path in files]
    return "|".join([weasyprint.__version__, *stamps])


def document_key(html: str) -> str:
    return hashlib.sha256(f"{_engine_fingerprint()}\n{html}".encode()).hexdigest()


def document_html(template_name: str, context: dict, *, request=None) -> str:
    return render_to_string(template_name, {**document_context(), **context}, request=request)


def lay_out(html: str) -> bytes:
    """The PDF of a document's HTML (WeasyPrint's layout: the slow part). Raises `PdfUnavailable`."""
    loaded, reason = _weasyprint()
    if loaded is None:
        raise PdfUnavailable(reason)
    _, html_class, fonts = loaded
    with collector_paused():
        return html_class(string=html, base_url=str(settings.BASE_DIR)).write_pdf(font_config=fonts)


_paused = 0  # layouts running now
_paused_lock = threading.Lock()
_collector_was_enabled = True


@contextlib.contextmanager
def collector_paused():
    """Python's cyclic garbage collector held off while WeasyPrint works. A layout makes hundreds of
    thousands of objects (boxes, styles, text runs) that live until it ends; the collector, started
    by their number, walks them (and the whole server's heap, in its oldest generation) again and
    again: a quarter of a long document's time (`bench/documents.py`). Reference counting still
    frees what is dropped; what the layout left in cycles is collected after it, as usual. Across
    threads, the collector starts again when the last layout ends."""
    global _paused, _collector_was_enabled
    with _paused_lock:
        _paused += 1
        if _paused == 1:
            _collector_was_enabled = gc.isenabled()
            gc.disable()
    try:
        yield
    finally:
        with _paused_lock:
            _paused -= 1
            if _paused == 0 and _collector_was_enabled:
                gc.enable()


def kept_pdf(key: str) -> bytes | None:
    content = RenderedDocument.objects.filter(key=key).values_list("content", flat=True).first()
    return bytes(content) if content is not None else None


def keep_pdf(key: str, content: bytes) -> None:
    """Store a made PDF (another request may have stored it first: then it is already there)."""
    try:
        with transaction.atomic():
            RenderedDocument.objects.create(key=key, content=content)
    except IntegrityError:
        return
    cutoff = timezone.now() - datetime.timedelta(days=CACHE_DAYS)
    RenderedDocument.objects.filter(created_at__lt=cutoff).delete()


class PdfUnavailable(Exception):
    """WeasyPrint (or the system's Pango it needs) is not installed."""


def unavailable_response() -> HttpResponse:
    message = _(
        "PDF documents cannot be made on this server: WeasyPrint and the Pango library are not installed "
        "(see README, “Printable documents”)."
    )
    return HttpResponse(message, status=503, content_type="text/plain; charset=utf-8")


def is_long(html: str) -> bool:
    """A document is long when its HTML holds more than DOCUMENT_JOB_CELLS table cells: the layout's
    time grows with them (a class of 277 people: ≈ 1,950 cells, 0.9 s), the rest of a document is
    a page or two of text. A long one not already kept is laid out by a background job."""
    return html.count("<td") > settings.DOCUMENT_JOB_CELLS


def pdf_response(
    template_name: str, context: dict, *, request, filename: str, also_keep: tuple[str, ...] = ()
) -> HttpResponse:
    """The document inline (the browser's PDF viewer), or the one line saying PDFs are unavailable.

    The HTML is rendered here, in the user's scope and masking; a kept PDF of the same HTML is sent
    at once, a short document is laid out here, a long one by a job whose page the answer redirects
    to (`queue_layout`). The PDF is kept under the hash of its HTML and under `also_keep`."""
    if _weasyprint()[0] is None:
        return unavailable_response()
    html = document_html(template_name, context, request=request)
    key = document_key(html)
    content = kept_pdf(key)
    if content is None and is_long(html) and getattr(request, "document_job", None) is None:
        title = _document_title(context)
        job = queue_layout(html, (key, *also_keep), by=request.user, title=title, filename=filename)
        return HttpResponseRedirect(job.get_absolute_url())
    if content is None:
        started = time.perf_counter()
        content = lay_out(html)
        if time.perf_counter() - started >= CACHE_MIN_SECONDS or is_long(html):
            keep_pdf(key, content)
    for other in also_keep:
        keep_pdf(other, content)
    return pdf_content_response(content, filename)


def _document_title(context: dict) -> str:
    doc = context.get("doc")
    return " ".join(part for part in (doc.title, doc.subject) if part) if doc else ""


def queue_layout(html: str, keys: tuple[str, ...], *, by, title: str, filename: str, keep_file: bool = True):
    """Queue the layout of a long document's HTML (already rendered for `by`): the job keeps the PDF
    under `keys` (the next request of the same HTML is sent from there) and, with `keep_file`, as
    its file, for `by` only. The job (`Job`)."""
    from .choices import JobKind, JobStatus
    from .jobs import start_job
    from .models import Job

    waiting = Job.objects.filter(owner=by, kind=JobKind.DOCUMENT, status__in=(JobStatus.QUEUED, JobStatus.RUNNING))
    same = waiting.filter(params__keys__0=keys[0], params__keep_file=True).defer("file_content").first()
    if same is not None:  # asked again (a second click, a reload) while it is being made
        return same
    params = {"title": title, "file_name": download_name(filename, "pdf"), "keys": list(keys), "keep_file": keep_file}
    return start_job(kind=JobKind.DOCUMENT, by=by, params=params, content=html.encode())


def prerender_html(template_name: str, context: dict, *, by, filename: str) -> None:
    """Lay out a long document in a job now, ahead of its first request, when it has just become
    what it will stay (a class's results recorded): its first request is then sent from the kept
    PDFs. For a document whose HTML is the same for everyone who may open it (no masking, no
    scope inside); nothing is queued for a short one, one already kept, or without WeasyPrint."""
    if _weasyprint()[0] is None:
        return
    html = document_html(template_name, context)
    key = document_key(html)
    if is_long(html) and kept_pdf(key) is None:
        queue_layout(html, (key,), by=by, title=_document_title(context), filename=filename, keep_file=False)


def prerender_document(url: str, *, by, title: str, filename: str) -> None:
    """Make the PDF of the document at `url` (path and query) as `by` sees it, in a job, ahead of
    its first request: for a document fixed at a known moment (a quarter finalised), so that even
    the first click is sent from the kept PDFs. Nothing is queued where PDFs cannot be made."""
    from .choices import JobKind
    from .jobs import start_job

    if _weasyprint()[0] is None:
        return
    path, _sep, query = url.partition("?")
    params = {"path": path, "query": query, "title": title, "file_name": download_name(filename, "pdf")}
    start_job(kind=JobKind.DOCUMENT, by=by, params=params)


def reproducible_pdf_response(version: str, build, *, request, filename: str) -> HttpResponse:
    """A document that is the same every time once made — a finalised quarter's report — kept under
    `version` (what it is, its version and whose view of it: "quarterly:12:2026-10-02T…:province").
    `build()` gives (template, context); it runs only the first time (the figures are not computed
    again), and again when the version changes (the quarter finalised anew)."""
    if _weasyprint()[0] is None:
        return unavailable_response()
    key = document_key(f"reproducible:{version}")
    content = kept_pdf(key)
    if content is not None:
        return pdf_content_response(content, filename)
    template_name, context = build()
    return pdf_response(template_name, context, request=request, filename=filename, also_keep=(key,))


def pdf_content_response(content: bytes, filename: str) -> HttpResponse:
    return pdf_file_response(content, download_name(filename, "pdf"))


def pdf_file_response(content: bytes, file_name: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{file_name}"'
    response["Cache-Control"] = "private, no-store"  # a person's file: not kept by proxies
    return response


def vietnamese_documents():
    """Documents are the official forms: in Vietnamese whatever the interface language."""
    return translation.override("vi")


def vietnamese_date(day: datetime.date | None) -> str:
    """ "ngày 05 tháng 07 năm 2025" — the date line of a party document (dotted when unknown)."""
    if day is None:
        return "ngày …… tháng …… năm ………"
    return f"ngày {day:%d} tháng {day:%m} năm {day:%Y}"


@dataclass
class Heading:
    """The parts of a party document around its body: issuer, number, place and date, signature."""

    title: str
    subject: str = ""
    form: str = ""
    superior: str = ""
    issuer: str = ""
    number: str | None = None  # None: the document has no number line
    place: str = ""
    date: datetime.date | None = None
    on_behalf: str = ""
    signer_role: str = ""
    recipients: list[str] = field(default_factory=list)

    @property
    def date_line(self) -> str:
        return vietnamese_date(self.date)


class DocumentView(ModelPermissionMixin, ScopedQuerysetMixin, SingleObjectMixin, View):
    """A PDF of one row in the user's scope. Subclasses implement `document(obj)` returning
    (template name, context, file name); `records_file_view` logs the opening as a read of a
    person's file, like their page."""

    records_file_view = False

    def document(self, obj) -> tuple[str, dict, str]:
        raise NotImplementedError

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        with vietnamese_documents():
            template_name, context, filename = self.document(self.object)
            response = pdf_response(template_name, context, request=request, filename=filename)
        if self.records_file_view and response.status_code in (200, 302):  # 302: to the job laying it out
            details = {"document": self.kwargs.get("document")}
            FileView.record_view(user=request.user, obj=self.object, door=AccessDoor.DOCUMENT, details=details)
        return response
