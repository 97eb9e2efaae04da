"""The cyclic garbage collector is held off while WeasyPrint lays a document out (`pdf.lay_out`)."""

import gc
import threading

import pytest

from sonla_party import pdf
from tests.documents_helpers import require_pdf


@pytest.fixture
def collector_on():
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def test_the_collector_is_off_during_the_layout_and_on_after_it(collector_on, monkeypatch):
    require_pdf()
    seen = []

    def write_pdf(self, **options):
        seen.append(gc.isenabled())
        return b"%PDF-1.7"

    monkeypatch.setattr(pdf._weasyprint()[0][1], "write_pdf", write_pdf)
    assert pdf.lay_out("<p>Đảng Cộng sản Việt Nam</p>") == b"%PDF-1.7"
    assert seen == [False] and gc.isenabled()


def test_a_failed_layout_turns_the_collector_on_again(collector_on, monkeypatch):
    require_pdf()

    def write_pdf(self, **options):
        raise ValueError("broken document")

    monkeypatch.setattr(pdf._weasyprint()[0][1], "write_pdf", write_pdf)
    with pytest.raises(ValueError):
        pdf.lay_out("<p>x</p>")
    assert gc.isenabled()


def test_two_layouts_at_once_turn_it_on_when_the_last_one_ends(collector_on):
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()
    states = {}

    def first():
        with pdf.collector_paused():
            first_in.set()
            second_in.wait(5)
        first_out.set()

    def second():
        first_in.wait(5)
        with pdf.collector_paused():
            second_in.set()
            first_out.wait(5)
            states["after the first ended"] = gc.isenabled()
        states["after both"] = gc.isenabled()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert states == {"after the first ended": False, "after both": True}


def test_a_collector_turned_off_by_the_process_stays_off():
    was = gc.isenabled()
    gc.disable()
    try:
        with pdf.collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        if was:
            gc.enable()
