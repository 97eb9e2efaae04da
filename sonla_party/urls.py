from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from . import admin as site_admin
from . import views

handler500 = "sonla_party.views.server_error"
admin.site.login_form = views.AdminLoginForm

urlpatterns = [
    path("", include("reports.dashboard_urls")),
    path("favicon.ico", views.favicon, name="favicon"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/login/", auth_views.LoginView.as_view(authentication_form=views.LoginForm), name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path(
        "admin/r/<int:content_type_id>/<path:object_id>/",
        admin.site.admin_view(site_admin.view_on_site),
        name="view_on_site_scoped",
    ),
    path("admin/", admin.site.urls),
    path("reports/", include("reports.urls")),
    path("imports/", include("sonla_party.import_urls")),
    path("access-log/", include("sonla_party.access_log_urls")),
    path("jobs/", include("sonla_party.job_urls")),
    path("", include("establishments.urls")),
    path("", include("candidates.urls")),
]
