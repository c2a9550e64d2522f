from django.urls import path

from info import feeds, views

app_name = "info"

urlpatterns = [
    path("", views.index, name="index"),
    path("grants/", views.grant_list, name="grant_list"),
    path("grants/past/", views.grant_archive, name="grant_archive"),
    path("grants/manage/", views.grant_manage, name="grant_manage"),
    path("grants/new/", views.grant_create, name="grant_create"),
    path("grants/<int:pk>/", views.grant_detail, name="grant_detail"),
    path("grants/<int:pk>/edit/", views.grant_edit, name="grant_edit"),
    path("searches/", views.search_list, name="search_list"),
    path("searches/new/", views.search_create, name="search_create"),
    path("searches/<int:pk>/", views.search_edit, name="search_edit"),
    path("searches/<int:pk>/delete/", views.search_delete, name="search_delete"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("flyers/", views.flyer_rack, name="flyer_rack"),
    path("flyers/new/<int:group_pk>/", views.flyer_create, name="flyer_create"),
    path("flyers/staff/", views.flyer_queue, name="flyer_queue"),
    path("flyers/<int:pk>/file/", views.flyer_file, name="flyer_file"),
    path("flyers/<int:pk>/thumbnail.png", views.flyer_thumbnail, name="flyer_thumbnail"),
    path("flyers/<int:pk>/review/", views.flyer_review, name="flyer_review"),
    path("feeds/grants.atom", feeds.GrantFeed(), name="feed_grants"),
    path("feeds/events.atom", feeds.EventFeed(), name="feed_events"),
    path("feeds/groups.atom", feeds.GroupFeed(), name="feed_groups"),
]
