from django.urls import path

from matching import views

app_name = "matching"

urlpatterns = [
    path("", views.index, name="index"),
    path("needs/new/", views.item_create, {"item_type": "need"}, name="need_create"),
    path("needs/<int:pk>/", views.item_detail, {"item_type": "need"}, name="need_detail"),
    path("needs/<int:pk>/edit/", views.item_edit, {"item_type": "need"}, name="need_edit"),
    path("needs/<int:pk>/close/", views.item_close, {"item_type": "need"}, name="need_close"),
    path("offers/new/", views.item_create, {"item_type": "offer"}, name="offer_create"),
    path("offers/<int:pk>/", views.item_detail, {"item_type": "offer"}, name="offer_detail"),
    path("offers/<int:pk>/edit/", views.item_edit, {"item_type": "offer"}, name="offer_edit"),
    path("offers/<int:pk>/close/", views.item_close, {"item_type": "offer"}, name="offer_close"),
    path("businesses/new/", views.business_create, name="business_create"),
    path("businesses/<int:pk>/", views.business_detail, name="business_detail"),
    path("businesses/<int:pk>/edit/", views.business_edit, name="business_edit"),
    path("departments/<int:pk>/", views.department_detail, name="department_detail"),
    path("suggestions/<str:party>/", views.suggestions, name="suggestions"),
    path("staff/businesses/", views.staff_business_queue, name="staff_business_queue"),
    path("staff/businesses/<int:pk>/decide/", views.staff_business_decide, name="staff_business_decide"),
    path("staff/introduce/<str:a>/<str:b>/", views.introduce, name="introduce"),
    path("staff/pipeline/", views.pipeline, name="pipeline"),
    path("staff/matches/<int:pk>/", views.match_detail, name="match_detail"),
    path("staff/matches/<int:pk>/transition/", views.match_transition, name="match_transition"),
    path("staff/matches/<int:pk>/resend/", views.match_resend, name="match_resend"),
]
