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
    path("newsletter/", views.newsletter_index, name="newsletter_index"),
    path("newsletter/<int:pk>/", views.newsletter_detail, name="newsletter_detail"),
    path("newsletter/subscribe/", views.newsletter_subscribe, name="newsletter_subscribe"),
    path("newsletter/confirm/<str:token>/", views.newsletter_confirm, name="newsletter_confirm"),
    path("newsletter/unsubscribe/<str:token>/", views.newsletter_unsubscribe, name="newsletter_unsubscribe"),
    path("newsletter/staff/", views.newsletter_staff, name="newsletter_staff"),
    path("newsletter/staff/new/", views.newsletter_edit, name="newsletter_create"),
    path("newsletter/staff/<int:pk>/edit/", views.newsletter_edit, name="newsletter_edit"),
    path("newsletter/staff/<int:pk>/", views.newsletter_preview, name="newsletter_preview"),
    path("newsletter/staff/<int:pk>/preview.pdf", views.newsletter_pdf, name="newsletter_pdf"),
    path("newsletter/staff/<int:pk>/send/", views.newsletter_send, name="newsletter_send"),
    path("feeds/newsletter.atom", feeds.NewsletterFeed(), name="feed_newsletter"),
    path("feeds/grants.atom", feeds.GrantFeed(), name="feed_grants"),
    path("feeds/events.atom", feeds.EventFeed(), name="feed_events"),
    path("feeds/groups.atom", feeds.GroupFeed(), name="feed_groups"),
]
