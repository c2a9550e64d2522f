from django.urls import path

from consultations import views

app_name = "consultations"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.create, name="create"),
    path("export.csv", views.export_csv, name="export"),
    path("search/", views.party_search, name="search"),
    path("stats/", views.statistics, name="statistics"),
    path("stats/export.csv", views.statistics_csv, name="statistics_export"),
    path("group/<int:group_id>/", views.group_history, name="group_history"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.update, name="update"),
    path("<int:pk>/referrals/", views.referral_add, name="referral_add"),
    path("<int:pk>/follow-ups/", views.follow_up_add, name="follow_up_add"),
    path("<int:pk>/links/", views.related_links_set, name="related_links"),
    path("referrals/<int:pk>/result/", views.referral_result, name="referral_result"),
    path("follow-ups/<int:pk>/done/", views.follow_up_done, name="follow_up_done"),
    path("staff/follow-ups/", views.follow_ups, name="follow_ups"),
    path("staff/access-log/", views.access_log, name="access_log"),
    path("staff/anonymise/", views.anonymise_now, name="anonymise_now"),
]
