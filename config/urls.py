from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include, path

# The admin site (header, titles, what only superusers see) is core.admin_site.KyodoAdminSite.
# The admin login goes through allauth's: the same rate limits, MFA and e-mail login.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("", include("core.urls")),
    path("groups/", include("groups.urls")),
    path("events/", include("events.urls")),
    path("projects/", include("projects.urls")),
    path("matching/", include("matching.urls")),
    path("consultations/", include("consultations.urls")),
    path("reports/", include("reports.urls")),
    path("spaces/", include("spaces.urls")),
    path("info/", include("info.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Error pages with the request, so they keep the site's layout (core/errors.py).
handler400 = "core.errors.bad_request"
handler500 = "core.errors.server_error"
