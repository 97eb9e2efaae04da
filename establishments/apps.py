from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EstablishmentsConfig(AppConfig):
    name = "establishments"
    verbose_name = _("Registry")

    def ready(self):
        from sonla_party.history import track_proxy_history

        from . import imports  # noqa: F401  (registers this app's spreadsheet importers)
        from .models import Commune, District, PartyCell

        for proxy in (District, Commune, PartyCell):
            track_proxy_history(proxy)
