from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from core.models import Area, DemoDataset, Department, OutboxMessage, Person, SearchSynonym, Theme, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_staff", "is_active", "date_joined"]
    list_filter = ["is_staff", "is_superuser", "is_active", "groups"]
    search_fields = ["email", "full_name", "full_name_kana"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("個人情報"), {"fields": ("full_name", "full_name_kana", "phone")}),
        (_("メールで受け取るお知らせ"), {"fields": ("notify_event_reminders", "notify_event_surveys")}),
        (_("権限"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("日時"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "is_npo_act_field", "priority_fiscal_year", "order", "is_active"]
    list_editable = ["order", "is_active"]
    list_filter = ["is_npo_act_field", "is_active", "priority_fiscal_year"]
    search_fields = ["name", "short_name"]


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["name", "name_kana", "order"]
    list_editable = ["order"]
    search_fields = ["name", "name_kana"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "division", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "name_kana", "division"]
    filter_horizontal = ["themes", "areas", "officials"]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["name", "name_kana", "email", "user", "merged_into", "created_at"]
    search_fields = ["name", "name_kana", "email"]
    raw_id_fields = ["user", "merged_into"]


@admin.register(DemoDataset)
class DemoDatasetAdmin(admin.ModelAdmin):
    list_display = ["app_label", "scale", "created_at"]


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    """Read only: messages are written by core.outbox and resent from the staff page."""

    list_display = ["created_at", "subject", "kind", "status", "attempts", "sent_at"]
    list_filter = ["status", "kind"]
    search_fields = ["subject", "to"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(SearchSynonym)
class SearchSynonymAdmin(admin.ModelAdmin):
    list_display = ["variants", "note"]
    search_fields = ["variants", "note"]
