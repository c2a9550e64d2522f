from django.urls import path

from projects import views

app_name = "projects"

urlpatterns = [
    # Public record
    path("", views.index, name="index"),
    path("<int:pk>/", views.detail, name="detail"),
    path("calls/<int:pk>/", views.call_detail, name="call_detail"),
    path("groups/<int:pk>/", views.group_projects, name="group_projects"),
    path("departments/<int:pk>/", views.department_projects, name="department_projects"),
    # Proposals (group members)
    path("calls/<int:pk>/propose/", views.proposal_create, name="proposal_create"),
    path("proposals/", views.my_proposals, name="my_proposals"),
    path("proposals/<int:pk>/", views.proposal_detail, name="proposal_detail"),
    path("proposals/<int:pk>/edit/", views.proposal_edit, name="proposal_edit"),
    path("proposals/<int:pk>/submit/", views.proposal_submit, name="proposal_submit"),
    path("proposals/<int:pk>/attachments/", views.attachment_upload, name="attachment_upload"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment_download"),
    path("attachments/<int:pk>/delete/", views.attachment_delete, name="attachment_delete"),
    # Reviews (officials and staff)
    path("reviews/", views.my_reviews, name="my_reviews"),
    path("reviews/<int:pk>/", views.review_sheet, name="review_sheet"),
    path("reviewers/invitations/<str:token>/", views.reviewer_invitation, name="reviewer_invitation"),
    path("proposals/<int:pk>/review/", views.review, name="review"),
    path("proposals/<int:pk>/conflict/", views.review_conflict, name="review_conflict"),
    # Project workspace (group, department, staff)
    path("manage/<int:pk>/", views.workspace, name="workspace"),
    path("manage/<int:pk>/agreement.pdf", views.agreement_pdf, name="agreement_pdf"),
    path("manage/<int:pk>/add/<slug:kind>/", views.record_add, name="record_add"),
    path("manage/<int:pk>/evaluation/<slug:side>/", views.evaluation_edit, name="evaluation_edit"),
    # Staff
    path("staff/calls/", views.staff_calls, name="staff_calls"),
    path("staff/calls/new/", views.call_create, name="call_create"),
    path("staff/calls/<int:pk>/", views.staff_call_detail, name="staff_call_detail"),
    path("staff/calls/<int:pk>/edit/", views.call_edit, name="call_edit"),
    path(
        "staff/calls/<int:pk>/reviewers/invite/",
        views.external_reviewer_invite,
        name="external_reviewer_invite",
    ),
    path("staff/stages/<int:pk>/criteria/", views.criteria_edit, name="criteria_edit"),
    path("staff/proposals/<int:pk>/start-review/", views.proposal_start_review, name="proposal_start_review"),
    path("staff/proposals/<int:pk>/advance/", views.proposal_advance, name="proposal_advance"),
    path("staff/proposals/<int:pk>/decide/", views.proposal_decide, name="proposal_decide"),
    path("staff/proposals/<int:pk>/resolve-side/", views.side_resolve, name="side_resolve"),
    path("staff/projects/", views.staff_projects, name="staff_projects"),
    path("staff/projects/new/", views.project_register, name="project_register"),
    path("staff/projects/<int:pk>/edit/", views.project_edit, name="project_edit"),
    path("staff/projects/<int:pk>/transition/", views.project_transition, name="project_transition"),
    path("staff/projects/<int:pk>/agreement/", views.agreement_edit, name="agreement_edit"),
    path("staff/support-logs/", views.support_logs, name="support_logs"),
]
