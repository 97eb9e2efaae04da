"""An import started in the browser waits in the queue with its progress, then a worker checks and
saves it and the page, polling with htmx, ends on the preview and then on the result.

The jobs go through the database backend (as in production) and a real worker
(`django_tasks_db`'s `Worker`, the body of `manage.py db_worker`) runs in a thread of this process
against the live server's database."""

import contextlib
import threading

import pytest
from django.db import connections
from django_tasks_db.management.commands.db_worker import Worker

from candidates.models import Candidate
from sonla_party import roles
from tests.e2e.conftest import log_in
from tests.e2e.test_import import workbook_file
from tests.factories import TEST_PASSWORD, CommuneFactory, DistrictFactory, EstablishmentFactory, make_user

pytestmark = pytest.mark.django_db(transaction=True)


class WorkerThread(threading.Thread):
    """`db_worker`'s worker, polling the queue in a thread against the live server's database.

    PostgreSQL: the worker has a connection of its own. SQLite: the test database lives in memory
    and one connection is shared by the live server's thread and this one (as the live server
    shares the test's); a connection cannot run two transactions at once, so the worker and the
    server's requests take turns (a lock around each request and each pass of the worker)."""

    def __init__(self, live_server):
        super().__init__(daemon=True)
        self.stopping = threading.Event()
        main = connections["default"]  # the wrapper of this thread (not the proxy)
        self.shared = main if main.vendor == "sqlite" else None
        self.turns = threading.Lock() if self.shared is not None else contextlib.nullcontext()
        if self.shared is not None:
            self.shared.inc_thread_sharing()
            _take_turns(live_server, self.turns)

    def run(self):
        if self.shared is not None:
            connections["default"] = self.shared
        try:
            while not self.stopping.is_set():
                with self.turns:
                    Worker(
                        queue_names=["default"],
                        interval=0,
                        batch=True,  # every task ready now, then back to the loop
                        backend_name="default",
                        startup_delay=False,
                        max_tasks=None,
                        worker_id="browser-test",
                        excluded_queue_names=[],
                    ).run()
                self.stopping.wait(0.2)
        finally:
            if self.shared is None:
                connections.close_all()

    def stop(self):
        self.stopping.set()
        self.join(timeout=30)
        if self.shared is not None:
            self.shared.dec_thread_sharing()


def _take_turns(live_server, lock) -> None:
    httpd = live_server.thread.httpd
    app = httpd.get_app()

    def one_at_a_time(environ, start_response):
        with lock:
            result = app(environ, start_response)
            try:
                return [b"".join(result)]
            finally:
                if hasattr(result, "close"):
                    result.close()

    httpd.set_app(one_at_a_time)


def test_an_import_shows_its_progress_and_ends_on_the_preview_then_the_result(page, live_server, tmp_path, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    district = DistrictFactory(code="123", name="Mộc Châu")
    commune = CommuneFactory(district=district, name="Chiềng Sơn", code="09979")
    village = EstablishmentFactory(commune=commune, name="Bản Mường Sang", code="B01")
    make_user("board-progress", roles.BOARD)

    log_in(page, "board-progress", TEST_PASSWORD)
    page.goto("/imports/")
    page.select_option("[name=kind]", "candidates")
    page.set_input_files("[name=file]", str(workbook_file(tmp_path, commune.code, village.code)))
    page.click("[data-testid=upload-form] button[type=submit]")
    page.wait_for_url("**/imports/*/")
    # no worker yet: the job waits, and its page shows the progress (0 of the file's 2 rows)
    assert page.locator("[data-testid=job-progress]").is_visible()
    assert page.locator("[data-testid=rows-total]").inner_text() == "2"
    assert page.locator("[data-testid=job]").get_attribute("data-status") == "queued"

    worker = WorkerThread(live_server)
    worker.start()
    try:
        # htmx polls the progress; once the check is done the page reloads on the preview
        page.locator("[data-count=created]").wait_for()
        assert page.locator("[data-count=created]").inner_text() == "2"
        assert page.locator("[data-testid=job-progress]").count() == 0
        assert not Candidate.objects.exists()
        page.click("[data-testid=confirm]")
        page.locator(".alert-success[data-testid=job-message]").wait_for()
    finally:
        worker.stop()
    assert set(Candidate.objects.values_list("full_name", flat=True)) == {"Lò Thị Hoa", "Quàng Văn Nam"}
    assert page.locator("[data-testid=confirm]").count() == 0
    assert not [m for m in page.console_messages if "Content Security Policy" in str(m)]
