"""Idle sessions end after SESSION_COOKIE_AGE of inactivity without a database write per request.

Django's SESSION_SAVE_EVERY_REQUEST would renew the session (an UPDATE in a transaction) on every
page; renewing it once a minute is enough for a 30-minute idle timeout.
"""

import time

from django.utils.cache import patch_cache_control

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


class NoStoreMiddleware:
    """Pages and exports seen signed in hold personal data (a party file, a list of people): no
    browser, proxy or shared cache keeps them (`Cache-Control: no-store, private`). Static files
    never reach this middleware (WhiteNoise answers them first)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, no_store=True, private=True)
        return response
