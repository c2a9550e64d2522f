"""Admin for consultations: only for staff who may see consultations, and every look is logged.

The model permissions (view_consultation, ...) are not enough: each admin also asks
consultations.rules, so a staff member without `consultations.access_consultation` sees no
consultation, referral or follow-up in the admin at all. The access log is read-only for
everyone, superusers included.
"""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from consultations import services
from consultations.filters import ConsultationFilter
from consultations.models import AccessAction, Consultation, ConsultationAccessLog, FollowUp, Referral, Topic
from consultations.rules import user_can_access, user_can_audit


class ConsultationAccessMixin:
    """Every has_*_permission also requires the consultation access rule."""

    def has_module_permission(self, request):
        return user_can_access(request.user) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return user_can_access(request.user) and super().has_view_permission(request, obj)

    def has_add_permission(self, request, *args):
        return user_can_access(request.user) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        if obj is not None and getattr(obj, "anonymised_at", None):
            return False
        return user_can_access(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return user_can_access(request.user) and super().has_delete_permission(request, obj)


class ReferralInline(ConsultationAccessMixin, admin.TabularInline):
    model = Referral
    extra = 0
    raw_id_fields = ["group", "business"]
    fields = ["department", "group", "business", "note", "result", "result_note", "result_recorded_on"]


class FollowUpInline(ConsultationAccessMixin, admin.TabularInline):
    model = FollowUp
    extra = 0
    fields = ["due_on", "owner", "description", "done", "done_on"]


@admin.register(Consultation)
class ConsultationAdmin(ConsultationAccessMixin, admin.ModelAdmin):
    list_display = ["consulted_on", "client_label", "channel", "staff", "status", "anonymised_at"]
    list_filter = ["status", "channel", "topics", "consulted_on"]
    list_select_related = ["group", "person", "staff"]
    search_fields = ["search_text"]
    date_hierarchy = "consulted_on"
    raw_id_fields = ["group", "person", "related_events", "related_projects"]
    filter_horizontal = ["topics", "themes"]
    readonly_fields = ["anonymised_at", "created_by", "created_at", "updated_at"]
    inlines = [ReferralInline, FollowUpInline]
    # The record form's fields are the service's (one list, consultations.services); the admin
    # adds the classifications and links, and shows the bookkeeping read-only.
    fieldsets = [
        (None, {"fields": services.CHANGEABLE_FIELDS}),
        (_("分類と関連"), {"fields": ["topics", "themes", "related_events", "related_projects"]}),
        (_("記録"), {"fields": readonly_fields}),
    ]

    @admin.display(description=_("相談者"))
    def client_label(self, obj: Consultation) -> str:
        return obj.client_label

    def get_search_results(self, request, queryset, search_term):
        """The portal list's keyword search (ConsultationFilter.q): search_text is stored
        normalised (widths, kana, ヶ/ケ, synonyms), so the raw term of Django's search finds
        nothing for 西ケ丘 or こども食堂. One AND of ORs on one table: no duplicates."""
        return ConsultationFilter.base_filters["q"].filter(queryset, search_term), False

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = (
            getattr(response, "context_data", {}).get("cl") if hasattr(response, "context_data") else None
        )
        if changelist is not None:
            services.access_log_write(
                user=request.user,
                action=AccessAction.VIEW,
                consultations=list(changelist.result_list),
                path=request.get_full_path(),
            )
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "GET" and str(object_id).isdigit():
            if Consultation.objects.filter(pk=int(object_id)).exists() and self.has_view_permission(request):
                services.access_log_write(
                    user=request.user,
                    action=AccessAction.VIEW,
                    consultations=[int(object_id)],
                    path=request.get_full_path(),
                )
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.access_log_write(
            user=request.user,
            action=AccessAction.CHANGE if change else AccessAction.CREATE,
            consultations=[form.instance],
            path=request.get_full_path(),
        )

    def delete_model(self, request, obj):
        services.access_log_write(
            user=request.user,
            action=AccessAction.CHANGE,
            consultations=[obj],
            path=_("削除: %(path)s") % {"path": request.get_full_path()},
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        services.access_log_write(
            user=request.user,
            action=AccessAction.CHANGE,
            consultations=list(queryset),
            path=_("削除: %(path)s") % {"path": request.get_full_path()},
        )
        super().delete_queryset(request, queryset)


@admin.register(Topic)
class TopicAdmin(ConsultationAccessMixin, admin.ModelAdmin):
    list_display = ["name", "code", "order", "is_active"]
    list_editable = ["order", "is_active"]


@admin.register(ConsultationAccessLog)
class ConsultationAccessLogAdmin(admin.ModelAdmin):
    """Read-only for everyone: the log can be read by auditors, never added to, changed or deleted."""

    list_display = ["at", "user_label", "action", "record_count", "path"]
    list_filter = ["action", "at"]
    search_fields = ["user_label", "path"]
    date_hierarchy = "at"
    readonly_fields = ["at", "user", "user_label", "action", "consultation_ids", "record_count", "path"]

    def has_module_permission(self, request):
        return user_can_audit(request.user)

    def has_view_permission(self, request, obj=None):
        return user_can_audit(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
