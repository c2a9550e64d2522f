"""Pages of the projects app. Thin: check access, parse input, call a service or selector, render."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.filters import form_errors_text
from core.pagecache import cache_for_anonymous
from core.permissions import may, permission_required, permitted, profile_required
from core.shortcuts import (
    filtered_list_view,
    flash_refusal,
    paginate,
    refusals_on_form,
    render_filtered,
    selected_or_404,
)
from projects import forms, selectors, services, workflow
from projects.models import (
    UNCALLED_KINDS,
    Attachment,
    Project,
    ProjectStatus,
    Proposal,
    ProposalCall,
    ProposalStatus,
    ResolutionChoice,
    ReviewerSide,
    ReviewStage,
)
from projects.rules import member_group_ids

# The staff pages of calls, reviews and projects (projects.rules: center staff).
staff_required = permission_required("projects.use_staff_pages")


def _errors(error: ValidationError) -> list[str]:
    return [str(message) for message in error.messages]


def _act(request, action: Callable[[], object], done: str) -> None:
    """Runs one service call: its refusal is flashed as an error, otherwise `done` as a success."""
    try:
        action()
    except ValidationError as error:
        flash_refusal(request, error)
    else:
        messages.success(request, done)


def _act_on_form(request, form, action: Callable[[dict], object], done: str) -> None:
    """_act for a small form posted from a page it goes back to: `action` gets the cleaned data;
    an invalid form's errors are shown as error messages."""
    if form.is_valid():
        _act(request, lambda: action(form.cleaned_data), done)
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)


# --- Public ------------------------------------------------------------------------------------


@require_GET
@cache_for_anonymous("core", "groups", "matching", "projects")
def index(request: HttpRequest) -> HttpResponse:
    filterset, projects = selectors.public_project_list(data=request.GET)
    context = {"open_calls": selectors.open_calls()}
    return render_filtered(request, "projects/index.html", filterset, projects, context)


@require_GET
@cache_for_anonymous("core", "groups", "matching", "projects")
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    project = selected_or_404(selectors.project_detail, pk)
    permitted(request.user, "projects.view_project", project, hidden_unless=True)
    decisions = getattr(project.proposal, "adopted_decisions", []) if project.proposal_id else []
    return render(
        request,
        "projects/detail.html",
        {
            "project": project,
            "adoption": decisions[0] if decisions else None,
            "can_open_workspace": may(request.user, "projects.view_project_workspace", project),
        },
    )


@require_GET
def group_projects(request: HttpRequest, pk: int) -> HttpResponse:
    """A group's public projects (as lead or partner)."""
    from groups.models import Group

    group = get_object_or_404(Group.objects.public(), pk=pk)
    return render(
        request,
        "projects/party_projects.html",
        {
            "party": group,
            "party_url": group.get_absolute_url(),
            "page_obj": paginate(request, selectors.projects_for_group(group)),
        },
    )


@require_GET
def department_projects(request: HttpRequest, pk: int) -> HttpResponse:
    """A department's public projects (responsible or partner)."""
    from core.models import Department

    department = get_object_or_404(Department, pk=pk, is_active=True)
    try:
        party_url = reverse("matching:department_detail", args=[department.pk])
    except NoReverseMatch:  # the matching app may not offer the page
        party_url = ""
    return render(
        request,
        "projects/party_projects.html",
        {
            "party": department,
            "party_url": party_url,
            "page_obj": paginate(request, selectors.projects_for_department(department)),
        },
    )


@require_GET
def call_detail(request: HttpRequest, pk: int) -> HttpResponse:
    calls = (
        ProposalCall.objects.all()
        if may(request.user, "projects.manage_calls")
        else ProposalCall.objects.published()
    )
    call = get_object_or_404(calls, pk=pk)
    stages = call.stages.prefetch_related("criteria")
    return render(
        request,
        "projects/call_detail.html",
        {
            "call": call,
            "stages": stages,
            "can_propose": call.is_open() and may(request.user, "projects.add_proposal"),
        },
    )


# --- Proposals (group members) ---------------------------------------------------------------------


@login_required
@require_GET
def my_proposals(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "projects/my_proposals.html",
        {
            "page_obj": paginate(request, selectors.proposal_list_for_member(request.user)),
            "open_calls": selectors.open_calls(),
        },
    )


@login_required
@profile_required
def proposal_create(request: HttpRequest, pk: int) -> HttpResponse:
    call = get_object_or_404(ProposalCall.objects.published(), pk=pk)
    groups = forms.approved_groups().filter(pk__in=member_group_ids(request.user))
    if not groups.exists():
        messages.error(request, _("提案できるのは、登録済みの団体の編集者です。先に団体を登録してください。"))
        return redirect(call.get_absolute_url())
    if not call.is_open():
        messages.error(request, _("この募集は現在受け付けていません。"))
        return redirect(call.get_absolute_url())
    form = forms.ProposalForm(request.POST or None, call=call, groups=groups)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        group = data.pop("group")
        with refusals_on_form(form):
            proposal = services.proposal_create(call=call, group=group, created_by=request.user, **data)
            messages.success(
                request, _("下書きを保存しました。協働の相手・予算・添付資料を入力して提出してください。")
            )
            return redirect("projects:proposal_edit", pk=proposal.pk)
    return render(request, "projects/proposal_create.html", {"call": call, "form": form})


def _visible_proposal(request, pk: int) -> Proposal:
    return selected_or_404(selectors.proposal_detail, pk=pk, user=request.user)


@login_required
@require_GET
def proposal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _visible_proposal(request, pk)
    user = request.user
    context = {
        "proposal": proposal,
        "decision": selectors.latest_decision(proposal),
        "totals": proposal.budget_totals(),
        "can_edit": may(user, "projects.change_proposal", proposal),
        "can_review": may(user, "projects.review_proposal", proposal),
        "is_member": proposal.group_id in member_group_ids(user),
        "missing": services.proposal_missing_items(proposal) if proposal.is_editable else [],
        "deadline_passed": proposal.status == ProposalStatus.DRAFT and not proposal.call.is_open(),
    }
    if may(user, "projects.decide_proposal", proposal):
        rounds = selectors.proposal_review_rounds(proposal)
        stage_results = rounds[-1].stages if rounds else []
        context.update(
            {
                "stage_results": stage_results,
                "earlier_rounds": rounds[:-1],
                "overdue": selectors.overdue_reviews(proposal=proposal),
                "resolution_forms": _resolution_forms(proposal, stage_results),
                # Offer what the workflow allows now, and say when the review must start first.
                "can_start_review": workflow.proposal_can_start_review(proposal),
                "decisions": workflow.proposal_decisions(proposal),
                "review_comes_first": workflow.proposal_review_comes_first(proposal),
                "has_next_stage": proposal.current_stage_id is not None
                and proposal.call.stages.filter(order__gt=proposal.current_stage.order).exists(),
                "project": Project.objects.filter(proposal=proposal).first(),
            }
        )
    if may(user, "projects.view_history", proposal):
        context["history"] = selectors.proposal_history(proposal)
    return render(request, "projects/proposal_detail.html", context)


def _resolution_forms(proposal: Proposal, stage_results) -> list:
    """(side label, form) for each side of the current stage left without reviewers, not yet decided."""
    current = [result for stage, result in stage_results if stage.pk == proposal.current_stage_id]
    if proposal.status != ProposalStatus.UNDER_REVIEW or not current or not current[0].needs_resolution:
        return []
    candidates = selectors.substitute_candidates(proposal)
    result = current[0]
    forms_ = []
    for side in result.missing_sides:
        form = forms.SideResolutionForm(
            initial={"side": side}, candidates=candidates, auto_id=f"id_resolve_{side}_%s"
        )
        if len(result.missing_sides) > 1:
            form.fields["choice"].choices = [
                (ResolutionChoice.SUBSTITUTE.value, ResolutionChoice.SUBSTITUTE.label)
            ]
        forms_.append((ReviewerSide(side).label, form))
    return forms_


@login_required
def proposal_edit(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = permitted(request.user, "projects.change_proposal", _visible_proposal(request, pk))
    data = request.POST or None
    form = forms.ProposalForm(data, instance=proposal, call=proposal.call)
    partners = forms.PartnerFormSet(
        data, instance=proposal, prefix="partners", form_kwargs={"choice_cache": forms.ChoiceCache()}
    )
    budget = forms.BudgetFormSet(data, instance=proposal, prefix="budget")
    if request.method == "POST" and form.is_valid() and partners.is_valid() and budget.is_valid():
        with refusals_on_form(form):
            with transaction.atomic():
                fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
                services.proposal_update(proposal=proposal, **fields)
                _save_rows(partners, lambda partner: services.partner_save(partner=partner))
                _save_rows(budget, lambda line: services.budget_line_save(line=line))
            messages.success(request, _("提案を保存しました。"))
            if "save_and_submit" in request.POST:
                return redirect(f"{reverse('projects:proposal_detail', args=[proposal.pk])}#submit")
            return redirect("projects:proposal_edit", pk=proposal.pk)
    return render(
        request,
        "projects/proposal_edit.html",
        {
            "proposal": proposal,
            "form": form,
            "partners": partners,
            "budget": budget,
            "attachment_form": forms.AttachmentForm(),
            "totals": proposal.budget_totals(),
            "upload_limit": settings.UPLOAD_MAX_BYTES,
        },
    )


def _save_rows(formset, save: Callable[[Any], object]) -> None:
    """An inline formset row by row: a row marked for removal is deleted, a changed one is given
    the formset's parent and saved by `save` (its service)."""
    for row in formset.forms:
        if row in formset.deleted_forms:
            if row.instance.pk:
                row.instance.delete()
        elif row.has_changed() and row.cleaned_data:
            obj = row.save(commit=False)
            setattr(obj, formset.fk.name, formset.instance)
            save(obj)


@login_required
@require_POST
def proposal_submit(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = permitted(request.user, "projects.change_proposal", _visible_proposal(request, pk))
    _act(
        request,
        lambda: services.proposal_submit(proposal=proposal, by=request.user),
        _("提案を提出しました。受付のメールをお送りしました。"),
    )
    return redirect("projects:proposal_detail", pk=pk)


@login_required
@require_POST
def attachment_upload(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = permitted(request.user, "projects.change_proposal", _visible_proposal(request, pk))
    _act_on_form(
        request,
        forms.AttachmentForm(request.POST, request.FILES),
        lambda data: services.attachment_add(proposal=proposal, upload=data["file"], by=request.user),
        _("添付資料を追加しました。"),
    )
    return redirect(f"{reverse('projects:proposal_edit', args=[pk])}#attachments")


def _visible_attachment(request, pk: int) -> Attachment:
    attachment = get_object_or_404(Attachment.objects.select_related("proposal"), pk=pk)
    permitted(request.user, "projects.view_proposal", attachment.proposal, hidden_unless=True)
    return attachment


@login_required
@require_GET
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    """Served only to those who may see the proposal, always as a download."""
    attachment = _visible_attachment(request, pk)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle, as_attachment=True, filename=attachment.original_name, content_type=attachment.content_type
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def attachment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    attachment = _visible_attachment(request, pk)
    permitted(request.user, "projects.change_proposal", attachment.proposal)
    services.attachment_delete(attachment=attachment)
    messages.success(request, _("添付資料を削除しました。"))
    return redirect(f"{reverse('projects:proposal_edit', args=[attachment.proposal_id])}#attachments")


# --- Reviews (officials and staff) ---------------------------------------------------------------


@login_required
@require_GET
def my_reviews(request: HttpRequest) -> HttpResponse:
    """The proposals to review now (with the deadline), and those already reviewed (審査済み)."""
    assignments = selectors.review_assignments(request.user)
    return render(
        request,
        "projects/my_reviews.html",
        {
            "assignments": [a for a in assignments if not a.done],
            "finished": paginate(request, selectors.finished_reviews(request.user)),
        },
    )


@login_required
@require_GET
def review_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    """審査票: one review's scores, for its reviewer (and staff), also after the decision; prints on A4."""
    review = selected_or_404(selectors.review_sheet, pk)
    permitted(request.user, "projects.view_review", review, hidden_unless=True)
    proposal = review.proposal
    return render(
        request,
        "projects/review_sheet.html",
        {
            "review": review,
            "proposal": proposal,
            "decision": selectors.latest_decision(proposal) if proposal.status in DECIDED else None,
            "is_current": review.round == proposal.review_round,
        },
    )


DECIDED = (ProposalStatus.ADOPTED, ProposalStatus.REJECTED, ProposalStatus.RETURNED)


@login_required
def reviewer_invitation(request: HttpRequest, token: str) -> HttpResponse:
    """An external 審査委員 opens the e-mailed link, signed in, and accepts the invitation."""
    try:
        invitation = services.external_reviewer_from_token(token)
    except ValidationError as error:
        return render(request, "projects/reviewer_invitation.html", {"errors": _errors(error)}, status=404)
    if request.method == "POST":
        try:
            services.external_reviewer_accept(token=token, user=request.user)
        except ValidationError as error:
            flash_refusal(request, error)
        else:
            messages.success(
                request,
                _("「%(call)s」の審査委員になりました。審査が始まると、ここに提案が並びます。")
                % {"call": invitation.call.title},
            )
            return redirect("projects:my_reviews")
    return render(
        request,
        "projects/reviewer_invitation.html",
        {
            "invitation": invitation,
            "is_for_user": services.invitation_is_for(invitation, request.user),
        },
    )


@login_required
def review(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = permitted(request.user, "projects.score_proposal", _visible_proposal(request, pk))
    current = selectors.review_for(proposal=proposal, reviewer=request.user)
    criteria = selectors.stage_criteria(proposal.current_stage)
    submit = "submit" in request.POST
    form = forms.ReviewForm(
        request.POST or None,
        criteria=criteria,
        review=current,
        partial=request.method == "POST" and not submit,
    )
    if request.method == "POST" and form.is_valid():
        with refusals_on_form(form):
            services.review_save(
                proposal=proposal,
                reviewer=request.user,
                scores=form.scores(),
                recommendation=form.cleaned_data["recommendation"],
                comment=form.cleaned_data["comment"],
                submit=submit,
            )
            if submit:
                messages.success(request, _("審査を完了しました。ありがとうございました。"))
                return redirect("projects:my_reviews")
            messages.success(request, _("途中まで保存しました。"))
            return redirect("projects:review", pk=pk)
    return render(
        request,
        "projects/review.html",
        {
            "proposal": proposal,
            "review": current,
            "form": form,
            "conflict_form": forms.ConflictForm(),
            "totals": proposal.budget_totals(),
        },
    )


@login_required
@require_POST
def review_conflict(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = permitted(request.user, "projects.review_proposal", _visible_proposal(request, pk))
    form = forms.ConflictForm(request.POST)
    if form.is_valid():
        try:
            services.review_declare_conflict(
                proposal=proposal, reviewer=request.user, reason=form.cleaned_data["conflict_reason"]
            )
        except ValidationError as error:
            flash_refusal(request, error)
            return redirect("projects:review", pk=pk)
        messages.success(request, _("利害関係を申告しました。この提案の採点には加わりません。"))
        return redirect("projects:my_reviews")
    messages.error(request, _("利害関係の内容を入力してください。"))
    return redirect("projects:review", pk=pk)


# --- Staff: calls, ranking, decisions ------------------------------------------------------------------


@staff_required
@require_GET
def staff_calls(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "projects/staff/calls.html",
        {
            "page_obj": paginate(request, selectors.call_list_for_staff()),
        },
    )


def _call_form_save(request, form, call=None):
    data = dict(form.cleaned_data)
    with_presentation = data.pop("with_presentation")
    departments = data.pop("reviewer_departments")
    staff = data.pop("reviewer_staff")
    if call is None:
        return services.call_create(
            **data,
            with_presentation=with_presentation,
            reviewer_departments=departments,
            reviewer_staff=staff,
            created_by=request.user,
        )
    return services.call_update(
        call=call,
        **data,
        with_presentation=with_presentation,
        reviewer_departments=departments,
        reviewer_staff=staff,
    )


def _call_form_page(request: HttpRequest, call: ProposalCall | None) -> HttpResponse:
    """The one form page of a call: a new one (call None, for the next fiscal year) or an existing one."""
    from core.fiscal import current_fiscal_year

    if call is None:
        form = forms.CallForm(request.POST or None, initial={"fiscal_year": current_fiscal_year() + 1})
        done = _("募集を作成しました。評価項目を確認してください。")
    else:
        form = forms.CallForm(request.POST or None, instance=call)
        done = _("募集を更新しました。")
    if request.method == "POST" and form.is_valid():
        with refusals_on_form(form):
            call = _call_form_save(request, form, call=call)
            messages.success(request, done)
            return redirect("projects:staff_call_detail", pk=call.pk)
    return render(request, "projects/staff/call_form.html", {"form": form, "call": call})


@staff_required
def call_create(request: HttpRequest) -> HttpResponse:
    return _call_form_page(request, None)


@staff_required
def call_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _call_form_page(request, get_object_or_404(ProposalCall, pk=pk))


@staff_required
@require_GET
def staff_call_detail(request: HttpRequest, pk: int) -> HttpResponse:
    call = selected_or_404(selectors.call_detail, pk)
    rankings = []
    for stage in call.stages.all():
        results, all_done = selectors.call_ranking(call=call, stage=stage)
        rankings.append(
            {
                "stage": stage,
                "results": results,
                "all_done": all_done,
                "max_points": sum(c.weight for c in stage.criteria.all()),
            }
        )
    return render(
        request,
        "projects/staff/call_detail.html",
        {
            "call": call,
            "proposals": selectors.proposal_list_for_call(call),
            "rankings": rankings,
            "reviewers": selectors.call_reviewers(call),
            "history": selectors.call_history(call)
            if may(request.user, "projects.view_history", call)
            else None,
            "invitations": [e for e in call.external_reviewers.all() if not e.is_accepted],
            "overdue": selectors.overdue_reviews(call=call),
        },
    )


@staff_required
def external_reviewer_invite(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff invite an external 審査委員 to this call by e-mail (a signed link)."""
    call = get_object_or_404(ProposalCall, pk=pk)
    form = forms.ExternalReviewerForm(request.POST or None, call=call)
    if request.method == "POST" and form.is_valid():
        with refusals_on_form(form):
            invitation = services.external_reviewer_invite(call=call, by=request.user, **form.cleaned_data)
            messages.success(
                request,
                _("%(name)s さん（%(email)s）に審査委員の招待メールを送りました。")
                % {"name": invitation.full_name, "email": invitation.email},
            )
            return redirect(f"{reverse('projects:staff_call_detail', args=[call.pk])}#reviewers")
    return render(request, "projects/staff/reviewer_invite.html", {"call": call, "form": form})


@staff_required
@require_POST
def side_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    """A side left without reviewers: staff name a substitute or let the remaining side's average stand."""
    proposal = _staff_proposal(pk)
    _act_on_form(
        request,
        forms.SideResolutionForm(request.POST, candidates=selectors.substitute_candidates(proposal)),
        lambda data: services.side_resolution_record(proposal=proposal, by=request.user, **data),
        _("審査員がいない側の扱いを記録しました。"),
    )
    return redirect(f"{reverse('projects:proposal_detail', args=[pk])}#review-status")


@staff_required
def criteria_edit(request: HttpRequest, pk: int) -> HttpResponse:
    stage = get_object_or_404(ReviewStage.objects.select_related("call"), pk=pk)
    formset = forms.CriterionFormSet(request.POST or None, queryset=stage.criteria.all())
    if request.method == "POST":
        permitted(request.user, "projects.change_criteria", stage)
        if formset.is_valid():
            with transaction.atomic():
                for criterion in formset.save(commit=False):
                    criterion.stage = stage
                    criterion.full_clean()
                    criterion.save()
                for criterion in formset.deleted_objects:
                    criterion.delete()
            messages.success(request, _("評価項目を保存しました。"))
            return redirect("projects:staff_call_detail", pk=stage.call_id)
    return render(
        request,
        "projects/staff/criteria_form.html",
        {
            "stage": stage,
            "formset": formset,
            "editable": may(request.user, "projects.change_criteria", stage),
            "total_weight": sum(c.weight for c in stage.criteria.all()),
        },
    )


def _staff_proposal(pk: int) -> Proposal:
    return get_object_or_404(Proposal.objects.select_related("call", "current_stage"), pk=pk)


def _proposal_action(request: HttpRequest, pk: int, service, done: str) -> HttpResponse:
    """A staff step on one proposal: `service(proposal=..., by=...)`, then back to the proposal."""
    proposal = _staff_proposal(pk)
    _act(request, lambda: service(proposal=proposal, by=request.user), done)
    return redirect("projects:proposal_detail", pk=pk)


@staff_required
@require_POST
def proposal_start_review(request: HttpRequest, pk: int) -> HttpResponse:
    return _proposal_action(
        request,
        pk,
        services.proposal_review_start,
        _("審査を開始しました。審査員の「審査する提案」に表示されます。"),
    )


@staff_required
@require_POST
def proposal_advance(request: HttpRequest, pk: int) -> HttpResponse:
    return _proposal_action(request, pk, services.proposal_advance_stage, _("次の審査段階に進めました。"))


@staff_required
def proposal_decide(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _staff_proposal(pk)
    outcomes = workflow.proposal_decisions(proposal)
    if not outcomes:
        messages.error(request, _("この提案の状態では、決定を記録できません。"))
        return redirect("projects:proposal_detail", pk=pk)
    form = forms.DecisionForm(
        request.POST or None, outcomes=outcomes, initial={"department": proposal.desired_department_id}
    )
    if request.method == "POST" and form.is_valid():
        with refusals_on_form(form):
            services.proposal_decide(proposal=proposal, by=request.user, **form.cleaned_data)
            messages.success(request, _("決定を記録し、提案者に知らせました。"))
            if form.cleaned_data["outcome"] == ProposalStatus.ADOPTED:
                return redirect("projects:workspace", pk=proposal.project.pk)
            return redirect("projects:proposal_detail", pk=pk)
    context = {
        "proposal": proposal,
        "form": form,
        "review_comes_first": workflow.proposal_review_comes_first(proposal),
    }
    return render(request, "projects/staff/decide.html", context)


# --- Projects: workspace, life cycle, agreement, records ---------------------------------------------


def _workspace_project(request, pk: int, perm: str = "projects.view_project_workspace") -> Project:
    project = selected_or_404(selectors.project_workspace, pk)
    return permitted(request.user, perm, project, hidden_unless="projects.view_project")


@login_required
@require_GET
def workspace(request: HttpRequest, pk: int) -> HttpResponse:
    project = _workspace_project(request, pk)
    user = request.user
    transitions = (
        [
            {
                "status": status,
                "label": ProjectStatus(status).label,
                "problems": services.project_transition_problems(project, status),
            }
            for status in workflow.project_next_statuses(project)
        ]
        if may(user, "projects.change_project", project)
        else []
    )
    evaluations = {evaluation.side: evaluation for evaluation in project.evaluations.all()}
    lifecycle = workflow.project_lifecycle(project)
    return render(
        request,
        "projects/workspace.html",
        {
            "project": project,
            "agreement": selectors.agreement_of(project),
            "transitions": transitions,
            "lifecycle": [(status.value, status.label) for status in lifecycle],
            "evaluation_sides": [
                (
                    _("団体"),
                    evaluations.get("group"),
                    "group",
                    may(user, "projects.evaluate_project_as_group", project),
                ),
                (
                    _("担当課"),
                    evaluations.get("department"),
                    "department",
                    may(user, "projects.evaluate_project_as_department", project),
                ),
            ],
            "can_manage": may(user, "projects.change_project", project),
            "open": services.open_records(project),
            "can_report": may(user, "projects.add_progressreport", project),
            "is_support_kind": project.kind in UNCALLED_KINDS,
            "history": selectors.project_history(project)
            if may(user, "projects.view_history", project)
            else None,
        },
    )


@staff_required
@require_POST
def project_transition(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_object_or_404(Project, pk=pk)
    form = forms.TransitionForm(request.POST)
    if form.is_valid():
        try:
            project = services.project_transition(
                project=project,
                to_status=form.cleaned_data["to_status"],
                by=request.user,
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            flash_refusal(request, error)
        else:
            messages.success(
                request, _("状態を「%(status)s」にしました。") % {"status": project.get_status_display()}
            )
    else:
        # Nothing changed: say why (a note over 200 characters), never return as if done.
        messages.error(request, form_errors_text(form))
    return redirect("projects:workspace", pk=pk)


@staff_required
def agreement_edit(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_object_or_404(Project.objects.select_related("lead_group", "department"), pk=pk)
    agreement = selectors.agreement_of(project)
    initial = services.agreement_defaults(project) if agreement is None else None
    form = forms.AgreementForm(request.POST or None, instance=agreement, initial=initial)
    if request.method == "POST" and form.is_valid():
        with refusals_on_form(form):
            services.agreement_save(project=project, by=request.user, **form.cleaned_data)
            messages.success(request, _("協働協定書を保存しました。PDFで確認できます。"))
            return redirect("projects:workspace", pk=pk)
    return render(request, "projects/staff/agreement_form.html", {"project": project, "form": form})


@login_required
@require_GET
def agreement_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    project = permitted(
        request.user, "projects.view_agreement", get_object_or_404(Project, pk=pk), hidden_unless=True
    )
    agreement = selectors.agreement_of(project)
    if agreement is None:
        raise Http404
    pdf = services.agreement_pdf(agreement)
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = _("協働協定書_%(title)s.pdf") % {"title": project.title}
    from django.utils.http import content_disposition_header

    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "private, no-store"
    return response


@dataclass(frozen=True)
class RecordKind:
    title: str
    form_class: type
    service: object
    perm: str


RECORD_KINDS = {
    "progress": RecordKind(
        _("進捗報告"),
        forms.ProgressReportForm,
        services.progress_report_create,
        "projects.add_progressreport",
    ),
    "note": RecordKind(
        _("職員メモ"), forms.StaffNoteForm, services.staff_note_create, "projects.add_staffnote"
    ),
    "midterm": RecordKind(
        _("中間ふりかえり"),
        forms.MidtermReviewForm,
        services.midterm_review_create,
        "projects.change_project",
    ),
    "presentation": RecordKind(
        _("成果発表"),
        forms.ResultsPresentationForm,
        services.results_presentation_create,
        "projects.change_project",
    ),
    "support": RecordKind(
        _("支援記録"), forms.SupportLogForm, services.support_log_create, "projects.add_supportlog"
    ),
}


@login_required
def record_add(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    config = RECORD_KINDS.get(kind)
    if config is None:
        raise Http404
    project = permitted(
        request.user,
        config.perm,
        get_object_or_404(Project.objects.select_related("lead_group", "department"), pk=pk),
    )
    form = config.form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with refusals_on_form(form):
            config.service(project=project, by=request.user, **form.cleaned_data)
            messages.success(request, _("%(title)sを記録しました。") % {"title": config.title})
            return redirect("projects:workspace", pk=pk)
    return render(
        request, "projects/record_form.html", {"project": project, "form": form, "title": config.title}
    )


@login_required
def evaluation_edit(request: HttpRequest, pk: int, side: str) -> HttpResponse:
    if side not in ("group", "department"):
        raise Http404
    user = request.user
    project = permitted(
        user,
        f"projects.evaluate_project_as_{side}",
        get_object_or_404(Project.objects.select_related("lead_group", "department"), pk=pk),
    )
    existing = project.evaluations.filter(side=side).first()
    form = forms.MutualEvaluationForm(request.POST or None, instance=existing)
    if request.method == "POST" and form.is_valid():
        with refusals_on_form(form):
            services.mutual_evaluation_save(project=project, side=side, by=user, **form.cleaned_data)
            messages.success(request, _("相互評価を保存しました。"))
            return redirect("projects:workspace", pk=pk)
    side_label = _("団体") if side == "group" else _("担当課")
    return render(
        request, "projects/evaluation_form.html", {"project": project, "form": form, "side_label": side_label}
    )


# --- Staff: project list, registration, support logs -------------------------------------------------


staff_projects = staff_required(
    filtered_list_view(selectors.staff_project_list, "projects/staff/projects.html")
)


@staff_required
def project_register(request: HttpRequest) -> HttpResponse:
    from core.fiscal import current_fiscal_year

    form = forms.ProjectRegisterForm(request.POST or None, initial={"fiscal_year": current_fiscal_year()})
    if request.method == "POST" and form.is_valid():
        with refusals_on_form(form):
            project = services.project_register(by=request.user, **form.cleaned_data)
            messages.success(request, _("プロジェクトを登録しました。支援記録をつけられます。"))
            return redirect("projects:workspace", pk=project.pk)
    return render(request, "projects/staff/project_register.html", {"form": form})


@staff_required
def project_edit(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_object_or_404(Project, pk=pk)
    data = request.POST or None
    form = forms.ProjectEditForm(data, instance=project)
    partners = forms.ProjectPartnerFormSet(
        data, instance=project, prefix="partners", form_kwargs={"choice_cache": forms.ChoiceCache()}
    )
    if request.method == "POST" and form.is_valid() and partners.is_valid():
        with refusals_on_form(form):
            with transaction.atomic():
                services.project_update(project=project, **form.cleaned_data)
                _save_rows(partners, lambda partner: services.partner_save(partner=partner))
            messages.success(request, _("協働事業を更新しました。"))
            return redirect("projects:workspace", pk=pk)
    return render(
        request, "projects/staff/project_edit.html", {"project": project, "form": form, "partners": partners}
    )


support_logs = staff_required(
    filtered_list_view(selectors.support_log_list, "projects/staff/support_logs.html")
)
