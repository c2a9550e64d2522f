from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

admin.site.site_header = _("%(center)s 管理画面") % {"center": settings.CENTER_NAME}
admin.site.site_title = _("協働ポータル 管理")
admin.site.index_title = _("管理メニュー")
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
