from django.urls import path

from groups import views

app_name = "groups"

urlpatterns = [
    path("", views.index, name="index"),
    path("opendata.csv", views.open_data_csv, name="open_data_csv"),
    path("opendata.json", views.open_data_json, name="open_data_json"),
    path("apply/", views.apply, name="apply"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/contact/", views.contact, name="contact"),
    path("<int:pk>/manage/", views.manage, name="manage"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/submit/", views.submit, name="submit"),
    path("<int:pk>/renew/", views.renew, name="renew"),
    path("<int:pk>/status/<str:action>/", views.change_status, name="change_status"),
    path("<int:pk>/invite/", views.invite, name="invite"),
    path(
        "<int:pk>/invitations/<int:invitation_pk>/cancel/", views.invitation_cancel, name="invitation_cancel"
    ),
    path("<int:pk>/members/<int:membership_pk>/remove/", views.member_remove, name="member_remove"),
    # Staff
    path("staff/queue/", views.staff_queue, name="staff_queue"),
    path("staff/changes/", views.staff_changes, name="staff_changes"),
    path("staff/renewal/", views.staff_renewal, name="staff_renewal"),
    path("staff/import/", views.staff_import, name="staff_import"),
    path("staff/import/confirm/", views.staff_import_confirm, name="staff_import_confirm"),
    path("staff/export.csv", views.staff_export, name="staff_export"),
    path("staff/<int:pk>/review/", views.staff_review, name="staff_review"),
    path("staff/<int:pk>/history/", views.staff_history, name="staff_history"),
]
