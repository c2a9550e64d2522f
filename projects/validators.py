"""What the projects app accepts: attachments (PDF, Office files and images only, checked by their
content and their name) and the bounds of its numbers."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.fiscal import FISCAL_YEAR_BOUNDS
from core.uploads import validate_upload
from core.validators import FISCAL_YEAR_MESSAGE, fiscal_year_validators

# --- Numbers ----------------------------------------------------------------------------------------
# A PositiveIntegerField alone takes whatever the database holds (on SQLite up to 2**63), so a
# slip of the finger (99999999999999) was saved and summed into a 合計 of trillions of yen.

# A city's collaboration project (市民提案型協働事業 and the like) runs on a few hundred thousand
# to a few million yen in all; 1億円 for one line of its budget is far above any real line yet
# still catches the extra zeros of a typo, and fifty lines of it stay well inside an integer.
BUDGET_LINE_MAX = 100_000_000
budget_line_max = MaxValueValidator(
    BUDGET_LINE_MAX, message=_("金額は1行につき1億円（100,000,000円）以下で入力してください。")
)

# The same years a URL may ask for (core.fiscal): the portal's records start in Heisei.
FISCAL_YEAR_MIN, FISCAL_YEAR_MAX = FISCAL_YEAR_BOUNDS[0], FISCAL_YEAR_BOUNDS[-1]


class _SaysItsBounds:
    """A whole number whose form field (the staff's forms and the admin alike) says the field's
    own `bounds_message` for a number out of its bounds or no whole number: a positive integer's
    form field answered -5 with Django's 「0 以上」, 101 with 「100 以下」 and 20.5 with 「数字で」,
    before the model's bounds (and their words) were asked. The bounds are the validators'."""

    column_class: type[models.Field]

    def __init__(self, *args, bounds_message=None, **kwargs):
        self.bounds_message = bounds_message
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        # The column is the parent's: the form field's words are no matter for migrations (whose
        # copies of the field, made from this, have none).
        name, _path, args, kwargs = super().deconstruct()
        return name, f"django.db.models.{self.column_class.__name__}", args, kwargs

    def formfield(self, **kwargs):
        lows = [v.limit_value for v in self.validators if isinstance(v, MinValueValidator)]
        highs = [v.limit_value for v in self.validators if isinstance(v, MaxValueValidator)]
        bounds = {"min_value": max(lows, default=0), "max_value": min(highs, default=None)}
        if self.bounds_message:
            codes = ("invalid", "min_value", "max_value")
            bounds["error_messages"] = {code: self.bounds_message for code in codes}
        return super().formfield(**{**bounds, **kwargs})


class BoundedPositiveIntegerField(_SaysItsBounds, models.PositiveIntegerField):
    column_class = models.PositiveIntegerField


class BoundedPositiveSmallIntegerField(_SaysItsBounds, models.PositiveSmallIntegerField):
    column_class = models.PositiveSmallIntegerField


def fiscal_year_field(verbose_name, **kwargs) -> BoundedPositiveIntegerField:
    """年度, as the calendar year it starts in (2026 for 令和8年度), bounded as above."""
    return BoundedPositiveIntegerField(
        verbose_name, validators=fiscal_year_validators, bounds_message=FISCAL_YEAR_MESSAGE, **kwargs
    )


# A results presentation fills a hall, or at most a streamed audience of some thousands.
AUDIENCE_MAX = 100_000
audience_max = MaxValueValidator(AUDIENCE_MAX, message=_("参加者数は100,000人以下で入力してください。"))
AUDIENCE_MESSAGE = _("参加者数は0〜100,000人で入力してください。")

# One support record is one meeting or session: it cannot last longer than a day.
SUPPORT_MINUTES_MAX = 24 * 60
support_minutes_max = MaxValueValidator(
    SUPPORT_MINUTES_MAX, message=_("時間は1回につき1,440分（24時間）以下で入力してください。")
)
SUPPORT_MINUTES_MESSAGE = _("時間は0〜1,440分（24時間）で入力してください。")

# --- Attachments ------------------------------------------------------------------------------------

# File-name extension → the kinds `filetype` may detect in the content, and the type we serve it as.
ALLOWED_TYPES: dict[str, tuple[set[str], str]] = {
    ".pdf": ({"pdf"}, "application/pdf"),
    ".doc": ({"doc"}, "application/msword"),
    ".docx": ({"docx"}, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ".xls": ({"xls"}, "application/vnd.ms-excel"),
    ".xlsx": ({"xlsx"}, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ".ppt": ({"ppt"}, "application/vnd.ms-powerpoint"),
    ".pptx": ({"pptx"}, "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    ".jpg": ({"jpg"}, "image/jpeg"),
    ".jpeg": ({"jpg"}, "image/jpeg"),
    ".png": ({"png"}, "image/png"),
    ".gif": ({"gif"}, "image/gif"),
    ".webp": ({"webp"}, "image/webp"),
}

# How the form names the kinds above (its help text) and what the file picker offers.
ALLOWED_LABEL = _("PDF、Word・Excel・PowerPoint、画像（JPEG・PNG・GIF・WebP）")
ALLOWED_ACCEPT = ",".join(ALLOWED_TYPES)


def validate_attachment(upload) -> str:
    """Checks a proposal's attachment; returns the content type to serve it with (core.uploads)."""
    return validate_upload(upload, allowed_types=ALLOWED_TYPES, allowed_label=str(ALLOWED_LABEL))
