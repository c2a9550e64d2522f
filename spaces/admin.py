from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin_actions import AddedElsewhereAdmin, apply_to_each
from spaces import services
from spaces.models import Allotment, Booking, Closure, MachineUse, Resource


@admin.register(Resource)
class ResourceAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "capacity", "unit_price", "unit", "is_active", "order")
    list_filter = ("kind", "is_active")
    search_fields = ("name",)
    fieldsets = (
        (None, {"fields": ("kind", "name", "description", "order", "is_active")}),
        (
            _("部屋"),
            {
                "fields": (
                    "capacity",
                    "equipment",
                    "wheelchair_accessible",
                    "hearing_loop",
                    "accessibility_note",
                    "photo",
                    "photo_alt",
                    "venue_keyword",
                )
            },
        ),
        (
            _("予約の決まり（部屋）"),
            {
                "fields": (
                    "eligibility",
                    "book_ahead_days",
                    "opens_at",
                    "closes_at",
                    "slot_minutes",
                    "max_hours_per_month",
                    "cancel_deadline_hours",
                    "requires_approval",
                )
            },
        ),
        (_("料金（機器）"), {"fields": ("unit", "unit_price", "use_price")}),
    )


@admin.register(Closure)
class ClosureAdmin(admin.ModelAdmin):
    list_display = ("date", "reason")
    date_hierarchy = "date"


@admin.register(Allotment)
class AllotmentAdmin(admin.ModelAdmin):
    list_display = ("fiscal_year", "resource", "group", "note")
    list_filter = ("fiscal_year", "resource__kind")
    autocomplete_fields = ("group",)
    search_fields = ("group__name", "resource__name")


@admin.register(Booking)
class BookingAdmin(AddedElsewhereAdmin):
    """Read and cancel here; bookings are made on the staff pages, where every rule is checked."""

    list_display = ("starts_at", "ends_at", "resource", "group", "status", "channel", "is_block")
    list_filter = ("resource", "status", "channel", "is_block")
    date_hierarchy = "starts_at"
    search_fields = ("group__name", "purpose")
    list_select_related = ("resource", "group")
    readonly_fields = [f.name for f in Booking._meta.fields]
    actions = ["cancel_bookings"]

    @admin.action(description=_("選んだ予約を取り消す"))
    def cancel_bookings(self, request, queryset):
        done = apply_to_each(
            self, request, queryset, lambda booking: services.booking_cancel(booking=booking, by=request.user)
        )
        self.message_user(request, _("%(n)s件を取り消しました。") % {"n": done})


@admin.register(MachineUse)
class MachineUseAdmin(AddedElsewhereAdmin):
    """Read here; uses are logged on the staff page so that the fee is computed in one place."""

    list_display = ("used_on", "machine", "group", "count", "fee")
    list_filter = ("machine",)
    date_hierarchy = "used_on"
    search_fields = ("group__name",)
    list_select_related = ("machine", "group")
    readonly_fields = [f.name for f in MachineUse._meta.fields]
