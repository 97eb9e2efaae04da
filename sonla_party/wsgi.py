"""WSGI entry point: `gunicorn sonla_party.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sonla_party.settings")

application = get_wsgi_application()

# WeasyPrint and the fonts are loaded now, not by the first document's request.
from sonla_party.pdf import warm_up  # noqa: E402  (the apps must be loaded first)

warm_up()
