"""What the document tests share: PDF to text, and skipping where WeasyPrint cannot run.

Without WeasyPrint (or the Pango it needs) the tests skip with the reason; with REQUIRE_PDF=1
(as in .ci/run) they fail instead."""

import io
import os
import shutil
import subprocess

import pytest

from sonla_party.pdf import pdf_unavailable_reason


def require_pdf():
    reason = pdf_unavailable_reason()
    if reason:
        message = f"PDF documents cannot be made here ({reason}): apt-get install libpango-1.0-0 libpangoft2-1.0-0"
        if os.environ.get("REQUIRE_PDF"):
            pytest.fail(message)
        pytest.skip(message)


def pdf_text(content: bytes) -> str:
    """The text of a PDF, by `pdftotext` (poppler) where installed, else by pypdf."""
    assert content.startswith(b"%PDF"), content[:200]
    if shutil.which("pdftotext"):
        done = subprocess.run(["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True)
        return done.stdout.decode("utf-8")
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def one_line(text: str) -> str:
    """Whitespace collapsed: a phrase may wrap across lines in the layout."""
    return " ".join(text.split())
