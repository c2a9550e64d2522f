from django.urls import path

from matching import views

app_name = "matching"


def _item_routes(item_type: str, prefix: str) -> list:
    """Needs and offers have the same pages: one set of views, told which by `item_type`."""
    kind = {"item_type": item_type}
    return [
        path(f"{prefix}/new/", views.item_create, kind, name=f"{item_type}_create"),
        path(f"{prefix}/<int:pk>/", views.item_detail, kind, name=f"{item_type}_detail"),
        path(f"{prefix}/<int:pk>/edit/", views.item_edit, kind, name=f"{item_type}_edit"),
        path(f"{prefix}/<int:pk>/close/", views.item_close, kind, name=f"{item_type}_close"),
    ]


urlpatterns = [
    path("", views.index, name="index"),
    *_item_routes("need", "needs"),
    *_item_routes("offer", "offers"),
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
