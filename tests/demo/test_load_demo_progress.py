"""`load_demo` says what it is doing while it builds (a first load is otherwise silent for a minute)."""

from io import StringIO

import pytest
from django.core.management import call_command

from demo import loader

pytestmark = pytest.mark.django_db


def test_load_demo_prints_a_line_as_each_part_starts_and_ends(monkeypatch, settings):
    settings.DEBUG = True
    calls = []
    monkeypatch.setattr(loader.registry_demo, "build_registry", lambda **kw: calls.append("registry") or {"units": 3})
    monkeypatch.setattr(
        loader.candidates_demo, "build_candidates", lambda **kw: calls.append("candidates") or {"candidates": 2}
    )
    out = StringIO()
    call_command("load_demo", stdout=out)
    lines = out.getvalue().splitlines()
    assert calls == ["registry", "candidates"]
    started = next(i for i, line in enumerate(lines) if line.startswith("Loading the demo province"))
    registry = next(i for i, line in enumerate(lines) if line.strip().startswith("Units, establishments"))
    candidates = next(i for i, line in enumerate(lines) if line.strip().startswith("Source lists, training"))
    assert started < registry < candidates
    assert lines[registry + 1].strip().startswith("done in") and lines[candidates + 1].strip().startswith("done in")
    assert "    units: 3" in lines and "Creating the demo accounts..." in lines
    assert any("password: demo-password" in line for line in lines)
