"""Idle sessions end after SESSION_COOKIE_AGE of inactivity without a database write per request.

Django's SESSION_SAVE_EVERY_REQUEST would renew the session (an UPDATE in a transaction) on every
page; renewing it once a minute is enough for a 30-minute idle timeout.
"""

import time

RENEW_EVERY_SECONDS = 60


class IdleSessionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if session is not None and user is not None and user.is_authenticated:
            now = int(time.time())
            if now - session.get("renewed_at", 0) >= RENEW_EVERY_SECONDS:
                session["renewed_at"] = now  # modified: SessionMiddleware saves it and renews its expiry
        return self.get_response(request)


def database_unavailable():
    """The 503 "try again in a moment" page, rendered without the database or the request."""
    from django.http import HttpResponse
    from django.template.loader import render_to_string

    response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = "10"
    return response


def is_database_unavailable(exception) -> bool:
    from django.db import InterfaceError, OperationalError

    return isinstance(exception, OperationalError | InterfaceError)


class DatabaseUnavailableMiddleware:
    """While the database restarts, a view answers 503 "try again in a moment", not a bare 500.

    A failure before the view (loading the session, the user) is answered the same way by
    `handler500` (`sonla_party.views.server_error`). The connection is health-checked at the next
    request (CONN_HEALTH_CHECKS), so the workers recover on their own once the database is back."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        return database_unavailable() if is_database_unavailable(exception) else None
