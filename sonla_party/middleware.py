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


class DatabaseUnavailableMiddleware:
    """While the database restarts, answer 503 "try again in a moment" instead of a bare 500.

    The connection is health-checked at the next request (CONN_HEALTH_CHECKS), so the workers
    recover on their own as soon as the database is back."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.db import InterfaceError, OperationalError
        from django.template.response import TemplateResponse

        if isinstance(exception, OperationalError | InterfaceError):
            response = TemplateResponse(request, "503.html", status=503)
            response["Retry-After"] = "10"
            return response.render()
        return None
