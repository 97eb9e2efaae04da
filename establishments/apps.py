from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EstablishmentsConfig(AppConfig):
    name = "establishments"
    verbose_name = _("Registry")

    def ready(self):
        from . import imports  # noqa: F401  (registers this app's spreadsheet importers)
