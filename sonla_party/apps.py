from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class SonlaPartyConfig(AppConfig):
    default = True  # the app's own, among the configurations of this module
    name = "sonla_party"
    verbose_name = _("Users and reports")

    def ready(self):
        from . import roles

        # Keeping the role groups in step with the code is set-up, not domain flow.
        post_migrate.connect(roles.sync_role_groups, sender=self)


class AxesConfig(AxesAppConfig):
    """django-axes (failed logins and lock-outs) under a name the admin shows in the user's language."""

    default = False
    verbose_name = _("Login lock-out")
