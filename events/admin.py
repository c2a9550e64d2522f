"""Admin for programs and events. Status changes of registrations go through events.services
(the admin actions call the same functions as the staff pages)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpResponseRedirect
from django.utils.translation import gettext_lazy as _

from core.admin_actions import AddedElsewhereAdmin, apply_to_each
from events import services
from events.forms import EventSessionAdminForm
from events.models import Event, EventSession, Program, Registration, SurveyResponse


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "journey_step", "order", "is_active"]
    list_editable = ["order", "is_active"]
    search_fields = ["name", "code"]

    def get_readonly_fields(self, request, obj=None):
        # The code is what reports and URLs rely on: fixed once created.
        return ["code"] if obj else []


class EventSessionInline(admin.TabularInline):
    model = EventSession
    form = EventSessionAdminForm
    extra = 1
    fields = ["starts_at", "ends_at", "title", "venue", "release_bookings", "move_bookings"]


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["title", "program", "capacity", "is_public", "updated_at"]
    list_filter = ["program", "is_public", "area"]
    search_fields = ["title", "description", "venue"]
    filter_horizontal = ["themes"]
    inlines = [EventSessionInline]
    fieldsets = (
        (None, {"fields": ("program", "title", "description", "themes", "is_public")}),
        (_("会場・定員"), {"fields": ("venue", "area", "capacity")}),
        (_("申込受付"), {"fields": ("registration_opens_at", "registration_closes_at")}),
        (_("修了"), {"fields": ("completion_min_sessions",)}),
        (
            _("参加しやすくするための配慮"),
            {
                "fields": (
                    "wheelchair_accessible",
                    "childcare",
                    "sign_language",
                    "captioning",
                    "online",
                    "accessibility_note",
                )
            },
        ),
    )

    def save_model(self, request, obj, form, change):
        # Rooms staff chose to take back from bookings (EventSessionAdminForm) are freed first, so
        # that the sessions saved next can block them.
        releases = getattr(obj, "_room_releases", [])
        if releases:
            services.session_rooms_release(releases=releases, by=request.user)
            del obj._room_releases
            self.message_user(
                request,
                _("重なっていた予約 %(n)d 件を取り消し、予約した団体にメールで知らせました。")
                % {"n": len(releases)},
            )
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Sessions saved with 「重なる予約を移す」: the page where staff move those bookings.
        request._room_moves_urls = [
            inline.moves_url(inline.instance.pk)
            for formset in formsets
            for inline in formset.forms
            if getattr(inline, "moves_url", None) and inline.instance.pk
        ]
        sessions_changed = any(formset.has_changed() for formset in formsets)
        if change and ("completion_min_sessions" in form.changed_data or sessions_changed):
            changed = services.event_completion_update(event=form.instance)
            if changed:
                self.message_user(
                    request, _("修了の判定をやり直し、%(n)d 人の修了を改めました。") % {"n": changed}
                )
        if change and "capacity" in form.changed_data:
            # A larger capacity gives the new seats to the waitlist, in order.
            promoted = services.waitlist_promote(event=form.instance)
            if promoted:
                self.message_user(
                    request, _("キャンセル待ちの %(n)d 人を参加確定にしました。") % {"n": len(promoted)}
                )

    def _to_room_moves(self, request, response):
        urls = getattr(request, "_room_moves_urls", [])
        if not urls:
            return response
        self.message_user(
            request,
            _("催しを保存しました。重なる予約を、空いている部屋・時間へ移してください（%(n)d 回）。")
            % {"n": len(urls)},
        )
        return HttpResponseRedirect(urls[0])

    def response_add(self, request, obj, post_url_continue=None):
        return self._to_room_moves(request, super().response_add(request, obj, post_url_continue))

    def response_change(self, request, obj):
        return self._to_room_moves(request, super().response_change(request, obj))


@admin.register(Registration)
class RegistrationAdmin(AddedElsewhereAdmin):
    """Registrations are made on the event pages (capacity and waitlist rules)."""

    list_display = ["person", "event", "status", "channel", "created_at", "completed_at"]
    list_filter = ["status", "channel", "event__program"]
    search_fields = ["person__name", "person__name_kana", "person__email", "event__title"]
    list_select_related = ["person", "event"]
    raw_id_fields = ["event", "person"]
    readonly_fields = [
        "event",
        "person",
        "status",
        "channel",
        "registered_by",
        "created_at",
        "confirmed_at",
        "cancelled_at",
        "completed_at",
    ]
    actions = ["cancel_registrations"]

    @admin.action(description=_("選択した申込を取り消す（キャンセル待ちを繰り上げ）"))
    def cancel_registrations(self, request, queryset):
        done = apply_to_each(
            self,
            request,
            queryset.exclude(status=Registration.Status.CANCELLED),
            lambda registration: services.registration_cancel(registration=registration, by=request.user),
        )
        self.message_user(request, _("%(n)d 件を取り消しました。") % {"n": done})


@admin.register(SurveyResponse)
class SurveyResponseAdmin(AddedElsewhereAdmin):
    list_display = ["registration", "satisfaction", "submitted_at"]
    list_filter = ["satisfaction", "registration__event__program"]
    list_select_related = ["registration__person", "registration__event"]
    readonly_fields = ["registration", "satisfaction", "comment", "submitted_at"]
