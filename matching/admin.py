from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from core.admin_actions import AddedElsewhereAdmin, apply_to_each
from matching import services
from matching.models import Business, BusinessStatus, Match, MatchStatus, MatchStatusChange, Need, Offer


@admin.register(Business)
class BusinessAdmin(admin.ModelAdmin):
    list_display = ["name", "industry", "status", "created_at"]
    list_filter = ["status", "themes"]
    search_fields = ["name", "name_kana", "industry", "email"]
    filter_horizontal = ["themes", "areas", "members"]
    # The status changes only through matching.services (approve here or on the staff queue; 差戻し
    # needs a reason the business sees, so it is done on the staff queue page).
    readonly_fields = ["status", "status_reason", "approved_at"]
    actions = ["approve"]

    @admin.action(description=_("選んだ企業・事業者を承認する"))
    def approve(self, request, queryset):
        done = 0
        for business in queryset.exclude(status=BusinessStatus.APPROVED):
            services.business_approve(business=business, by=request.user)
            done += 1
        self.message_user(request, _("%(n)d件を承認しました。") % {"n": done}, messages.SUCCESS)


# Who offers or needs an item: exactly one of these (Exchange.party).
ITEM_PARTY_FIELDS = ["group", "business", "department"]


class ItemAdmin(admin.ModelAdmin):
    list_display = ["title", "party", "kind", "deliverable", "is_open", "created_at"]
    list_select_related = ITEM_PARTY_FIELDS
    list_filter = ["is_open", "kind", "deliverable"]
    search_fields = ["title", "description"]
    raw_id_fields = ITEM_PARTY_FIELDS
    filter_horizontal = ["themes", "areas"]
    # Named, since the title Need and Offer each declare (for its example) sorts after the fields
    # of their shared base.
    fields = [
        *ITEM_PARTY_FIELDS,
        "title",
        "kind",
        "deliverable",
        "description",
        "themes",
        "areas",
        "is_open",
    ]

    @admin.display(description=_("登録者"))
    def party(self, obj):
        return obj.party


admin.site.register(Need, ItemAdmin)
admin.site.register(Offer, ItemAdmin)


class MatchStatusChangeInline(admin.TabularInline):
    model = MatchStatusChange
    extra = 0
    can_delete = False
    readonly_fields = ["from_status", "to_status", "changed_by", "changed_at", "note"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Match)
class MatchAdmin(AddedElsewhereAdmin):
    """Status changes go through the pipeline (services.match_transition); here only the record.
    New matches come from suggestions (紹介する), so that score, reasons and history are kept."""

    list_display = ["__str__", "status", "score", "program", "status_changed_at"]
    list_select_related = [*Match.PARTY_FIELDS, "program"]
    list_filter = ["status", "program"]
    raw_id_fields = [
        *Match.PARTY_FIELDS,
        "need",
        "offer",
        "origin_event",
        "origin_consultation",
        "created_by",
    ]
    readonly_fields = [
        "status",
        "status_changed_at",
        "score",
        "reasons",
        "mail_sent_at",
        "mail_error",
        "created_at",
    ]
    inlines = [MatchStatusChangeInline]
    actions = ["move_to_negotiating", "move_to_concluded", "move_to_declined"]

    def _move(self, request, queryset, to_status):
        done = apply_to_each(
            self,
            request,
            queryset,
            lambda match: services.match_transition(match=match, to_status=to_status, by=request.user),
        )
        if done:
            self.message_user(request, _("%(n)d件を変更しました。") % {"n": done}, messages.SUCCESS)

    @admin.action(description=_("協議中にする"))
    def move_to_negotiating(self, request, queryset):
        self._move(request, queryset, MatchStatus.NEGOTIATING)

    @admin.action(description=_("成立にする"))
    def move_to_concluded(self, request, queryset):
        self._move(request, queryset, MatchStatus.CONCLUDED)

    @admin.action(description=_("不成立にする"))
    def move_to_declined(self, request, queryset):
        self._move(request, queryset, MatchStatus.DECLINED)
