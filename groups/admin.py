"""Admin for the registry. Approve and return call the same services as the staff queue."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db.models import Q
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from core.admin_actions import apply_to_each
from core.form_fields import phone_field
from core.form_helpers import text_area
from core.search import keyword_search
from core.shortcuts import refusals_on_form
from groups import selectors, services
from groups.models import (
    Group,
    GroupInvitation,
    GroupMembership,
    GroupRenewal,
    GroupStatus,
    RegistrationCounter,
    RenewalReminder,
)
from groups.validators import normalize_digits


class GroupMembershipInline(admin.TabularInline):
    model = GroupMembership
    extra = 0
    autocomplete_fields = ["user"]


class ReturnReasonForm(forms.Form):
    reason = text_area(_("差し戻す理由"), rows=4, help_text=_("申請者にそのままメールで伝わります。"))


class GroupAdminForm(forms.ModelForm):
    # Checked and stored by the rule of the group's own form and the profile (core.text.phone_number).
    phone = phone_field()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["phone"].keep_stored(self.instance.phone)


@admin.register(Group)
class GroupAdmin(SimpleHistoryAdmin):
    form = GroupAdminForm
    # Fits 1280 px with the filters beside it: the name keeps its room (admin.css).
    list_display = ["name", "status", "registration_number", "legal_form", "registered_on"]
    list_filter = ["status", "legal_form", "themes", "areas", "last_renewed_fiscal_year"]
    # Searched by get_search_results below; listed so the admin shows its search box.
    search_fields = ["name", "name_kana", "registration_number", "email", "corporate_number"]
    search_help_text = _(
        "団体名・ふりがな・活動内容は団体一覧と同じ探し方です（全角半角、かな、ヶとケ、子どもとこども等の違いを問いません）。"
        "登録番号・メールアドレス・法人番号でも探せます。"
    )
    readonly_fields = [
        "status",
        "status_reason",
        "registration_number",
        "registered_on",
        "submitted_at",
        "last_renewed_fiscal_year",
        "created_at",
        "updated_at",
    ]
    filter_horizontal = ["themes", "areas"]
    inlines = [GroupMembershipInline]
    actions = ["approve_selected", "return_selected"]
    list_per_page = 50

    def get_search_results(self, request, queryset, search_term):
        """The public directory's keyword search (the stored search_text column, with the same
        normalisation and synonyms: 西ヶ丘 = 西ケ丘, こども食堂 = 子ども食堂) for names and
        descriptions; the registration number, e-mail and 法人番号 as typed. Staff used to get
        other results than the directory for the same words."""
        term = search_term.strip()
        if not term:
            return queryset, False
        condition = (
            Q(registration_number__icontains=term)
            | Q(email__icontains=term)
            | Q(corporate_number=normalize_digits(term))
        )
        search = keyword_search(term)
        if search:
            condition |= search.q(["search_text__contains"])
        return queryset.filter(condition), False

    @admin.action(description=_("選んだ申請を承認する（登録番号を付与）"))
    def approve_selected(self, request, queryset):
        done = apply_to_each(
            self,
            request,
            queryset.filter(status=GroupStatus.PENDING).order_by(*selectors.REVIEW_ORDER),
            lambda group: services.group_approve(group=group, staff=request.user),
        )
        skipped = queryset.exclude(status=GroupStatus.APPROVED).count()
        self.message_user(request, _("%(count)s件を承認しました。") % {"count": done}, messages.SUCCESS)
        if skipped:
            self.message_user(
                request,
                _("申請中でない団体は承認できません（%(count)s件）。") % {"count": skipped},
                messages.WARNING,
            )

    @admin.action(description=_("選んだ申請を差し戻す（理由を入力）"))
    def return_selected(self, request, queryset):
        pending = queryset.filter(status=GroupStatus.PENDING)
        if "apply" in request.POST:
            form = ReturnReasonForm(request.POST)
            if form.is_valid():
                # The reason is checked before the first group changes: a refused one (too long,
                # control characters) is shown on this form, and no group is returned.
                with refusals_on_form(form):
                    for group in pending:
                        services.group_return(
                            group=group, staff=request.user, reason=form.cleaned_data["reason"]
                        )
                    self.message_user(
                        request,
                        _("%(count)s件を差し戻しました。") % {"count": pending.count()},
                        messages.SUCCESS,
                    )
                    return None
        else:
            form = ReturnReasonForm()
        return render(
            request,
            "admin/groups/return_reason.html",
            {
                **self.admin_site.each_context(request),
                "title": _("申請を差し戻す"),
                "form": form,
                "groups": pending,
                "queryset": queryset,
                "opts": self.model._meta,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )


@admin.register(GroupInvitation)
class GroupInvitationAdmin(admin.ModelAdmin):
    list_display = ["group", "email", "role", "created_at", "accepted_at", "cancelled_at"]
    search_fields = ["group__name", "email"]
    readonly_fields = ["token", "created_at", "accepted_at", "accepted_by"]
    autocomplete_fields = ["group"]


class GroupYearAdmin(admin.ModelAdmin):
    """A record of a group for one fiscal year (its renewal, the reminder it was sent)."""

    list_filter = ["fiscal_year"]
    search_fields = ["group__name"]


@admin.register(GroupRenewal)
class GroupRenewalAdmin(GroupYearAdmin):
    list_display = ["group", "fiscal_year", "confirmed_by", "confirmed_at"]
    autocomplete_fields = ["group"]


@admin.register(RenewalReminder)
class RenewalReminderAdmin(GroupYearAdmin):
    list_display = ["group", "fiscal_year", "sent_at", "recipients"]
    readonly_fields = ["group", "fiscal_year", "sent_at", "recipients"]


@admin.register(RegistrationCounter)
class RegistrationCounterAdmin(admin.ModelAdmin):
    list_display = ["fiscal_year", "last_number"]
    readonly_fields = ["fiscal_year", "last_number"]
