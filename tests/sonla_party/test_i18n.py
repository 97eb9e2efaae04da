"""The UI is Vietnamese by default, English on request, and the catalogue is complete."""

import datetime
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.template import Context, Template
from django.utils import translation

PO_FILE = Path(settings.BASE_DIR) / "locale" / "vi" / "LC_MESSAGES" / "django.po"


def test_vietnamese_catalogue_has_no_untranslated_or_fuzzy_entry():
    catalogue = polib.pofile(str(PO_FILE))
    untranslated = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    assert untranslated == [], f"untranslated: {untranslated[:20]}"
    assert fuzzy == [], f"fuzzy: {fuzzy[:20]}"


def test_catalogue_keeps_every_placeholder():
    catalogue = polib.pofile(str(PO_FILE))
    broken = []
    for entry in catalogue.translated_entries():
        for token in ("%(", "{{"):
            if entry.msgid.count(token) != (entry.msgstr or entry.msgstr_plural.get(0, "")).count(token):
                broken.append(entry.msgid)
    assert broken == []


@pytest.mark.django_db
def test_login_page_is_vietnamese_by_default(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert 'lang="vi"' in response.content.decode()
    assert "Đăng nhập" in response.content.decode()


@pytest.mark.django_db
def test_login_page_is_english_on_request(client):
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en")
    assert 'lang="en"' in response.content.decode()
    assert "Log in" in response.content.decode()
    assert "Đăng nhập" not in response.content.decode()


@pytest.mark.django_db
def test_language_switcher_sets_english(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert response.status_code == 302
    page = client.get("/accounts/login/")
    assert 'lang="en"' in page.content.decode()


@pytest.mark.parametrize("language", ["vi", "en"])
def test_dates_show_as_dd_mm_yyyy(language):
    with translation.override(language):
        rendered = Template('{{ day|date:"SHORT_DATE_FORMAT" }} {{ day }}').render(
            Context({"day": datetime.date(2006, 2, 10)})
        )
    assert rendered == "10/02/2006 10/02/2006"


def test_every_message_of_the_code_is_in_the_catalogue_and_translated(tmp_path, settings):
    """makemessages into a copy of the catalogue adds nothing untranslated: the catalogue is complete."""
    import os
    import shutil

    from django.core.management import call_command

    if shutil.which("xgettext") is None:
        if os.environ.get("REQUIRE_GETTEXT"):  # .ci/run installs GNU gettext, so this check runs there
            pytest.fail("GNU gettext is missing: apt-get install -y gettext")
        pytest.skip("GNU gettext (xgettext) is not installed: apt-get install -y gettext")
    # makemessages writes into the `locale/` of the folder it runs in: run it in a copy of the
    # project, so that the real catalogue is never touched.
    project = tmp_path / "project"
    shutil.copytree(
        settings.BASE_DIR,
        project,
        ignore=shutil.ignore_patterns(".venv", ".git", "staticfiles", "backups", "__pycache__", "*.sqlite3"),
    )
    copy = project / "locale"
    settings.LOCALE_PATHS = [copy]
    cwd = os.getcwd()
    os.chdir(project)
    try:
        call_command(
            "makemessages",
            locale=["vi"],
            verbosity=0,
            no_obsolete=True,
            ignore_patterns=[".venv/*", "staticfiles/*", "tests/*", "bench/*", "static/*"],
        )
    finally:
        os.chdir(cwd)
    refreshed = polib.pofile(str(copy / "vi" / "LC_MESSAGES" / "django.po"))
    missing = [entry.msgid for entry in refreshed.untranslated_entries() + refreshed.fuzzy_entries()]
    assert missing == [], f"run `make messages` and translate: {missing[:10]}"
