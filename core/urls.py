from django.urls import path

from core import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("mypage/", views.mypage, name="mypage"),
    path("mypage/profile/", views.profile, name="profile"),
    path("staff/", views.staff_dashboard, name="staff_dashboard"),
    path("staff/today/", views.staff_today, name="staff_today"),
    path("staff/outbox/", views.outbox_list, name="outbox_list"),
    path("staff/outbox/<int:pk>/", views.outbox_detail, name="outbox_detail"),
    path("staff/outbox/<int:pk>/resend/", views.outbox_resend, name="outbox_resend"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("privacy/", views.privacy, name="privacy"),
    path("terms/", views.terms, name="terms"),
    path("sitemap/", views.sitemap, name="sitemap"),
    path("healthz", views.healthz, name="healthz"),
    path("staff/mfa/", views.mfa_staff_list, name="mfa_staff_list"),
    path("staff/mfa/<int:pk>/issue/", views.mfa_staff_issue, name="mfa_staff_issue"),
    path("mfa/enrol/", views.mfa_enrol, name="mfa_enrol"),
    path("mfa/enrol/<str:token>/", views.mfa_enrol_confirm, name="mfa_enrol_confirm"),
]
