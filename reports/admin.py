from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.admin_actions import apply_to_each
from reports import services
from reports.forms import OutcomeRecordForm
from reports.models import OutcomeRecord, Report, ReportStatus


@admin.register(OutcomeRecord)
class OutcomeRecordAdmin(admin.ModelAdmin):
    list_display = ["category", "short_episode", "program", "fiscal_year", "axis", "source"]
    list_filter = ["fiscal_year", "program", "axis", "source"]
    search_fields = ["category", "episode"]
    list_select_related = ["program"]
    raw_id_fields = ["groups", "events", "projects"]
    fields = OutcomeRecordForm.Meta.fields  # the staff page's fields, in its order

    @admin.display(description=_("エピソード（・）"))
    def short_episode(self, obj: OutcomeRecord) -> str:
        return obj.episode[:40] + ("…" if len(obj.episode) > 40 else "")

    def save_model(self, request, obj, form, change):
        """Through the same services as the staff pages; the links are saved with them."""
        data = form.cleaned_data
        fields = {name: data[name] for name in self.fields if name not in ("groups", "events", "projects")}
        links = {name: data.get(name, ()) for name in ("groups", "events", "projects")}
        if change:
            services.outcome_record_update(record=obj, **fields, **links)
        else:
            record = services.outcome_record_create(recorded_by=request.user, **fields, **links)
            obj.pk, obj._state.adding = record.pk, False
            obj.recorded_by = record.recorded_by

    def save_related(self, request, form, formsets, change):
        # The services above set the links; the form must not set them a second time.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "status",
        "progress",
        "attempts",
        "requested_by",
        "requested_at",
        "finished_at",
    ]
    list_filter = ["status", "fiscal_year", "program"]
    list_select_related = ["program", "requested_by"]
    readonly_fields = [
        "program",
        "fiscal_year",
        "status",
        "progress",
        "pdf",
        "pdf_size",
        "error",
        "requested_by",
        "requested_at",
        "started_at",
        "finished_at",
        "task_id",
        "attempts",
    ]
    actions = ["generate_again", "retry_failed"]
    add_fields = ["program", "fiscal_year"]

    def get_fields(self, request, obj=None):
        return self.add_fields if obj is None else super().get_fields(request, obj)

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change):
        """「追加」 asks for a report through the same service as the reports page: while one for
        the same program and year is waiting or running, that one is kept and nothing new starts."""
        report, created = services.report_request(
            program=obj.program, fiscal_year=obj.fiscal_year, requested_by=request.user
        )
        obj.pk = report.pk
        obj._state.adding = False
        if not created:
            self.message_user(
                request,
                _("同じ事業・年度の報告書を作成中のため、新しい依頼はしませんでした。"),
                messages.WARNING,
            )

    def response_add(self, request, obj, post_url_continue=None):
        from django.http import HttpResponseRedirect
        from django.urls import reverse

        self.message_user(
            request,
            _("%(report)sの作成を依頼しました。状態は一覧で確認できます。") % {"report": obj},
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:reports_report_changelist"))

    @admin.action(description=_("選んだ報告書を作成する（同じ事業・年度の新しい依頼）"), permissions=["view"])
    def generate_again(self, request, queryset):
        created = 0
        for report in queryset.select_related("program"):
            _report, was_created = services.report_request(
                program=report.program, fiscal_year=report.fiscal_year, requested_by=request.user
            )
            created += was_created
        self.message_user(
            request,
            ngettext(
                "%(count)d件の作成を依頼しました（作成中のものは除きます）。",
                "%(count)d件の作成を依頼しました（作成中のものは除きます）。",
                created,
            )
            % {"count": created},
            messages.SUCCESS,
        )

    @admin.action(description=_("失敗した報告書を再試行する"), permissions=["view"])
    def retry_failed(self, request, queryset):
        retried = apply_to_each(
            self,
            request,
            queryset.filter(status=ReportStatus.FAILED),
            lambda report: services.report_retry(report=report, requested_by=request.user),
        )
        self.message_user(request, _("%(count)d件を再試行しました。") % {"count": retried}, messages.SUCCESS)
