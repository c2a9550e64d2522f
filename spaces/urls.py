from django.urls import path

from spaces import views

app_name = "spaces"

urlpatterns = [
    path("", views.index, name="index"),
    path("rooms/<int:pk>/", views.week, name="week"),
    path("rooms/<int:pk>/book/", views.book, name="book"),
    path("bookings/", views.my_bookings, name="my_bookings"),
    path("bookings/<int:pk>/", views.booking, name="booking"),
    path("bookings/<int:pk>/booking.ics", views.booking_ics, name="booking_ics"),
    path("bookings/<int:pk>/cancel/", views.cancel, name="cancel"),
    path("statements/<int:group_pk>/<int:year>-<int:month>.pdf", views.statement_pdf, name="statement_pdf"),
    path("statements/<int:group_pk>/<int:year>-<int:month>.csv", views.statement_csv, name="statement_csv"),
    path("staff/", views.staff_index, name="staff_index"),
    path("staff/rooms/<int:pk>/book/", views.staff_book, name="staff_book"),
    path("staff/rooms/<int:pk>/block/", views.staff_block, name="staff_block"),
    path("staff/bookings/<int:pk>/approve/", views.staff_approve, name="staff_approve"),
    path("staff/bookings/<int:pk>/no-show/", views.staff_no_show, name="staff_no_show"),
    path("staff/sessions/<int:session_pk>/", views.staff_session_clashes, name="staff_session_clashes"),
    path(
        "staff/sessions/<int:session_pk>/bookings/<int:pk>/move/",
        views.staff_session_move,
        name="staff_session_move",
    ),
    path(
        "staff/sessions/<int:session_pk>/bookings/<int:pk>/cancel/",
        views.staff_session_cancel,
        name="staff_session_cancel",
    ),
    path("staff/machine-use/", views.staff_machine_use, name="staff_machine_use"),
    path("staff/statements/", views.staff_statements, name="staff_statements"),
]
