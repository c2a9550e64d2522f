from django.urls import path

from events import views

app_name = "events"

urlpatterns = [
    path("", views.index, name="index"),
    path("feed.ics", views.feed_ics, name="feed"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/event.ics", views.event_ics, name="ics"),
    path("<int:pk>/register/", views.register, name="register"),
    path("registrations/<int:pk>/cancel/", views.cancel, name="cancel"),
    path("registrations/<int:pk>/certificate.pdf", views.certificate, name="certificate"),
    path("survey/<str:token>/", views.survey, name="survey"),
    path("staff/", views.staff_index, name="staff_index"),
    path("staff/<int:pk>/", views.staff_event, name="staff_event"),
    path("staff/<int:pk>/register/", views.staff_register, name="staff_register"),
    path("staff/<int:pk>/survey/", views.staff_survey, name="staff_survey"),
    path("staff/sessions/<int:pk>/checkin/", views.staff_checkin, name="staff_checkin"),
    path(
        "staff/sessions/<int:pk>/checkin/<int:registration_pk>/",
        views.staff_checkin_mark,
        name="staff_checkin_mark",
    ),
    path("staff/people/", views.staff_people, name="staff_people"),
    path("staff/people/<int:pk>/", views.staff_person, name="staff_person"),
    path("staff/people/merge/", views.staff_merge, name="staff_merge"),
]
