from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("request/", views.report_request, name="request"),
    path("<int:pk>/retry/", views.report_retry, name="retry"),
    path("<int:pk>/download/", views.report_download, name="download"),
    path("<int:pk>/figures.csv", views.report_figures_csv, name="figures_csv"),
    path("<int:pk>/figures.xlsx", views.report_figures_xlsx, name="figures_xlsx"),
    path("staff/outcomes/", views.outcome_list, name="outcome_list"),
    path("staff/outcomes/new/", views.outcome_create, name="outcome_create"),
    path("staff/outcomes/<int:pk>/edit/", views.outcome_update, name="outcome_update"),
    path("staff/assessment/<int:year>/<slug:code>/", views.assessment_edit, name="assessment"),
    path("staff/assessment/<int:year>/<slug:code>/finalize/", views.report_finalize, name="finalize"),
]
