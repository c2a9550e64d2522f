"""Makes again the derived columns (search text, reading order keys) of every keyword-searchable
record, after the rules that make them changed (core.text): a record saved before a rule would
otherwise not be found the new way until someone edits it."""

from django.apps import apps
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from core.models import KeywordSearchable

BATCH_SIZE = 1000


def refresh_search_columns(model) -> int:
    """The rows of `model` whose derived columns differ from what they are made to now, written
    again a batch at a time by primary key; returns how many changed."""
    columns = list(model.derived_from())
    changed_count, last_pk = 0, None
    while True:
        rows = model._base_manager.order_by("pk")
        if last_pk is not None:
            rows = rows.filter(pk__gt=last_pk)
        batch = list(rows[:BATCH_SIZE])
        if not batch:
            return changed_count
        last_pk = batch[-1].pk
        changed = []
        for row in batch:
            before = [getattr(row, column) for column in columns]
            row.refresh_derived_fields()
            if [getattr(row, column) for column in columns] != before:
                changed.append(row)
        model._base_manager.bulk_update(changed, columns)
        changed_count += len(changed)


class Command(BaseCommand):
    help = _("検索用の列（キーワード検索・あいうえお順のキー）を、いまの規則で作り直します。")

    def handle(self, *args, **options):
        for model in apps.get_models():
            if issubclass(model, KeywordSearchable):
                changed = refresh_search_columns(model)
                self.stdout.write(
                    _("%(model)s: %(count)d 件を作り直しました。")
                    % {"model": model._meta.verbose_name, "count": changed}
                )
