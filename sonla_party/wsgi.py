"""WSGI entry point: `gunicorn sonla_party.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sonla_party.settings")

application = get_wsgi_application()
