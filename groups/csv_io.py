"""CSV import and export of the registry, and the public open data (CSV and JSON).

Export: UTF-8 with a BOM, so Excel in Japan opens it without garbling. Import: UTF-8 (with or
without BOM) or Shift_JIS (cp932, what Excel saves as "CSV"); every row is checked first and
the preview lists each bad row with its reasons in Japanese; a file with any bad row saves nothing.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import jaconv
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.csv import BOM, CsvWriter
from core.fiscal import parse_japanese_date, parse_japanese_year
from core.models import Area, Theme, User, absolute_url
from core.search import synonym_sets
from core.text import (
    expand_synonyms,
    is_phone_number,
    name_key,
    normalize_for_search,
    phone_number,
    search_key,
    tidy_text,
)
from groups.models import CORPORATE_LEGAL_FORMS, TIDIED_FIELDS, Group, GroupStatus, LegalForm
from groups.validators import (
    FOUNDED_YEAR_MIN,
    MEMBER_COUNT_MAX,
    clean_sns_lines,
    is_valid_corporate_number,
    normalize_digits,
    normalize_postal_code,
)

LIST_SEPARATOR = ";"

# (CSV header, model field or special key). Export and import use the same columns, so a file
# exported, corrected in Excel and imported again updates the same groups (matched by ID).
COLUMNS: list[tuple[str, str]] = [
    ("ID", "id"),
    ("登録番号", "registration_number"),
    ("登録日", "registered_on"),
    ("登録状況", "status"),
    ("団体名", "name"),
    ("ふりがな", "name_kana"),
    ("法人格", "legal_form"),
    ("法人番号", "corporate_number"),
    ("活動分野", "themes"),
    ("活動地域", "areas"),
    ("活動の目的", "purpose"),
    ("主な活動内容", "activities"),
    ("設立年", "founded_year"),
    ("会員数", "member_count"),
    ("代表者名", "representative_name"),
    ("代表者名の公開", "representative_name_public"),
    ("連絡担当者名", "contact_name"),
    ("連絡担当者名の公開", "contact_name_public"),
    ("メールアドレス", "email"),
    ("メールアドレスの公開", "email_public"),
    ("電話番号", "phone"),
    ("電話番号の公開", "phone_public"),
    ("郵便番号", "postal_code"),
    ("所在地", "address"),
    ("所在地の公開", "address_public"),
    ("ウェブサイト", "website"),
    ("SNS", "sns"),
    ("最終更新年度", "last_renewed_fiscal_year"),
]
REQUIRED_HEADERS = ("団体名",)
FLAG_FIELDS = {key for _h, key in COLUMNS if key.endswith("_public")}
TRUE_WORDS = {"公開", "1", "はい", "true", "yes", "○", "◯", "する"}
FALSE_WORDS = {"非公開", "0", "いいえ", "false", "no", "×", "しない", ""}


# --- export -------------------------------------------------------------------------------------------


def _row_values(group: Group) -> dict[str, str]:
    values: dict[str, str] = {}
    for _header, key in COLUMNS:
        if key == "themes":
            values[key] = LIST_SEPARATOR.join(str(t) for t in group.themes.all())
        elif key == "areas":
            values[key] = LIST_SEPARATOR.join(a.name for a in group.areas.all())
        elif key == "status":
            values[key] = group.get_status_display()
        elif key == "legal_form":
            values[key] = group.get_legal_form_display()
        elif key in FLAG_FIELDS:
            values[key] = "公開" if getattr(group, key) else "非公開"
        else:
            value = getattr(group, key)
            values[key] = "" if value is None else str(value)
    return values


def export_csv(groups: Iterable[Group]) -> str:
    """Every field (private ones too): for staff only."""
    writer = CsvWriter()
    writer.writerow([header for header, _key in COLUMNS])
    for group in groups:
        values = _row_values(group)
        writer.writerow([values[key] for _header, key in COLUMNS])
    return writer.getvalue()


OPEN_DATA_COLUMNS = [
    ("registration_number", "登録番号"),
    ("name", "団体名"),
    ("name_kana", "ふりがな"),
    ("legal_form", "法人格"),
    ("corporate_number", "法人番号"),
    ("themes", "活動分野"),
    ("areas", "活動地域"),
    ("purpose", "活動の目的"),
    ("activities", "主な活動内容"),
    ("founded_year", "設立年"),
    ("member_count", "会員数"),
    ("representative_name", "代表者名"),
    ("contact_name", "連絡担当者名"),
    ("email", "メールアドレス"),
    ("phone", "電話番号"),
    ("postal_code", "郵便番号"),
    ("address", "所在地"),
    ("website", "ウェブサイト"),
    ("sns", "SNS"),
    ("registered_on", "登録日"),
    ("url", "ページURL"),
]


def open_data_record(group: Group) -> dict:
    """Public fields only: a contact detail appears only when the group chose to publish it."""
    return {
        "registration_number": group.registration_number,
        "name": group.name,
        "name_kana": group.name_kana,
        "legal_form": group.get_legal_form_display(),
        "corporate_number": group.corporate_number,
        "themes": [str(t) for t in group.themes.all()],
        "areas": [a.name for a in group.areas.all()],
        "purpose": group.purpose,
        "activities": group.activities,
        "founded_year": group.founded_year,
        "member_count": group.member_count,
        "representative_name": group.representative_name if group.representative_name_public else "",
        "contact_name": group.contact_name if group.contact_name_public else "",
        "email": group.email if group.email_public else "",
        "phone": group.phone if group.phone_public else "",
        "postal_code": group.postal_code if group.address_public else "",
        "address": group.address if group.address_public else "",
        "website": group.website,
        "sns": group.sns_links(),
        "registered_on": group.registered_on.isoformat() if group.registered_on else "",
        "url": absolute_url(group.get_absolute_url()),
    }


def open_data_csv(groups: Iterable[Group]) -> str:
    writer = CsvWriter()
    writer.writerow([label for _key, label in OPEN_DATA_COLUMNS])
    for group in groups:
        record = open_data_record(group)
        writer.writerow(
            [
                LIST_SEPARATOR.join(record[key])
                if isinstance(record[key], list)
                else ("" if record[key] is None else record[key])
                for key, _label in OPEN_DATA_COLUMNS
            ]
        )
    return writer.getvalue()


# --- import -------------------------------------------------------------------------------------------
#
# An upsert that staff can trust:
# - each row is matched to a group by ID (a file exported here), then 法人番号, then 登録番号,
#   then the name without 法人格 and spaces (core.text.name_key, the same normalisation as search);
# - columns missing from the file leave those fields untouched, and an empty cell clears a field
#   only when staff tick "空欄で消す" (clear_empty);
# - rows that name the same group as another row, or that could be more than one group, are
#   重複: skipped unless staff choose what each one is;
# - any row in error saves nothing; approvals go through groups.services.group_approve.


class RowAction(models.TextChoices):
    NEW = "new", _("新規")
    UPDATE = "update", _("更新")
    UNCHANGED = "unchanged", _("変更なし")
    DUPLICATE = "duplicate", _("重複")
    SKIP = "skip", _("取り込まない")


@dataclass
class FieldChange:
    label: str
    old: str
    new: str


@dataclass
class ImportRow:
    line: int
    values: dict = field(default_factory=dict)  # model field → cleaned value (columns in the file)
    blank: set = field(default_factory=set)  # model fields whose cell is empty
    themes: list[Theme] | None = None  # None: the column is not in the file
    areas: list[Area] | None = None
    group: Group | None = None  # the group this row updates; None: a new group
    candidates: list[Group] = field(default_factory=list)  # 重複: the groups it could be
    duplicate_lines: list[int] = field(default_factory=list)  # 重複: other rows naming the same group
    duplicate_reason: str = ""
    choice: str = ""  # staff's decision for a 重複 row: "skip", "new" or "group-<id>"
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # said in the preview; they stop nothing
    changes: list[FieldChange] = field(default_factory=list)
    action: str = RowAction.NEW
    # A phone number the rule refuses: an error unless it is the group's own stored number (_settle_phone).
    refused_phone: str = ""

    @property
    def action_label(self) -> str:
        return str(RowAction(self.action).label)

    @property
    def is_duplicate(self) -> bool:
        return bool(self.candidates or self.duplicate_lines)

    @property
    def choice_name(self) -> str:
        return f"choice-{self.line}"

    def choices(self) -> list[tuple[str, str]]:
        """What staff may make of a 重複 row (the first is the default)."""
        options = [("skip", _("取り込まない"))]
        for group in self.candidates:
            options.append(
                (
                    f"group-{group.pk}",
                    _("ID %(id)s「%(name)s」（%(number)s）を更新する")
                    % {
                        "id": group.pk,
                        "name": group.name,
                        "number": group.registration_number or _("番号なし"),
                    },
                )
            )
        if self.duplicate_lines and self.group is not None and self.group not in self.candidates:
            options.append(
                (
                    f"group-{self.group.pk}",
                    _("この行でID %(id)s「%(name)s」を更新する")
                    % {"id": self.group.pk, "name": self.group.name},
                )
            )
        if self.group is None:
            options.append(("new", _("新しい団体として登録する")))
        return options

    @property
    def legal_form_label(self) -> str:
        value = self.values.get("legal_form")
        return str(LegalForm(value).label) if value in LegalForm.values else ""

    @property
    def status_label(self) -> str:
        value = self.values.get("status")
        return str(GroupStatus(value).label) if value in GroupStatus.values else ""

    @property
    def display_name(self) -> str:
        return self.values.get("name") or (self.group.name if self.group else "")


@dataclass
class ImportPreview:
    encoding: str = ""
    rows: list[ImportRow] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)
    present: set = field(default_factory=set)  # model fields that have a column
    clear_empty: bool = False

    @property
    def bad_rows(self) -> list[ImportRow]:
        return [row for row in self.rows if row.errors]

    @property
    def duplicate_rows(self) -> list[ImportRow]:
        return [row for row in self.rows if row.is_duplicate]

    @property
    def is_valid(self) -> bool:
        return not self.file_errors and not self.bad_rows and bool(self.rows)

    @property
    def counts(self) -> dict[str, int]:
        return {action: self.count(action) for action in RowAction.values}

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)

    @property
    def to_save(self) -> list[ImportRow]:
        return [row for row in self.rows if row.action in (RowAction.NEW, RowAction.UPDATE)]


# A spreadsheet chosen instead of its CSV: .xlsx is a zip archive, .xls an OLE2 compound file.
SPREADSHEET_SIGNATURES = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding name): UTF-8 with or without BOM, else Shift_JIS (cp932). A spreadsheet or
    any other binary file is refused with what to do, rather than read as garbled Shift_JIS."""
    if data.startswith(SPREADSHEET_SIGNATURES):
        raise ValueError(
            _(
                "Excelのファイル（.xlsx・.xls）のままです。Excelで「名前を付けて保存」から"
                "「CSV UTF-8（コンマ区切り）」を選んで保存し、そのCSVファイルを選んでください。"
            )
        )
    try:
        text, encoding = data.decode("utf-8-sig"), "UTF-8"
    except UnicodeDecodeError:
        try:
            text, encoding = data.decode("cp932"), "Shift_JIS"
        except UnicodeDecodeError as exc:
            raise ValueError(
                _(
                    "ファイルの文字コードを読み取れません。ExcelでUTF-8またはShift_JISのCSVとして保存し直してください。"
                )
            ) from exc
    if "\x00" in text:  # no text file has one: an image, a PDF, ... read as Shift_JIS
        raise ValueError(_("CSVファイルではないようです。ExcelでCSVとして保存したファイルを選んでください。"))
    return text, encoding


def parse(data: bytes, *, clear_empty: bool = False, choices: dict[str, str] | None = None) -> ImportPreview:
    """Reads, checks and matches every row; saves nothing. ``choices``: staff's 重複 decisions."""
    preview = ImportPreview(clear_empty=clear_empty)
    try:
        text, preview.encoding = decode(data)
    except ValueError as exc:
        preview.file_errors.append(str(exc))
        return preview
    # Excel's 「テキスト（タブ区切り）」: a header line with tabs and no comma.
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        headers = [unicodedata.normalize("NFKC", h).strip().lstrip(BOM) for h in next(reader)]
    except StopIteration:
        preview.file_errors.append(_("ファイルが空です。"))
        return preview
    except csv.Error as exc:
        preview.file_errors.append(_("CSVとして読み取れません（%(error)s）。") % {"error": exc})
        return preview
    # A header in another spelling (「フリガナ」, 「団体 名」) is the column it names.
    known = {search_key(header): header for header, _key in COLUMNS}
    headers = [known.get(search_key(h), h) if h else h for h in headers]
    unknown = [h for h in headers if h and h not in known.values()]
    if unknown:
        preview.file_errors.append(
            _("知らない見出しがあります: %(names)s。見出し行はエクスポートしたCSVと同じにしてください。")
            % {"names": "、".join(unknown)}
        )
    missing = [h for h in REQUIRED_HEADERS if h not in headers]
    if missing:
        preview.file_errors.append(_("必要な見出しがありません: %(names)s。") % {"names": "、".join(missing)})
    repeated = sorted({h for h in headers if h and headers.count(h) > 1})
    if repeated:
        preview.file_errors.append(_("同じ見出しが2回あります: %(names)s。") % {"names": "、".join(repeated)})
    if preview.file_errors:
        return preview

    context = _ImportContext.load()
    key_of = dict(COLUMNS)
    preview.present = {key_of[h] for h in headers if h}
    try:
        for line, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) > len(headers):
                preview.rows.append(ImportRow(line=line, errors=[_("列の数が見出しより多くなっています。")]))
                continue
            raw = {key_of[h]: (cells[i] if i < len(cells) else "") for i, h in enumerate(headers) if h}
            preview.rows.append(_clean_row(line, raw, context))
    except csv.Error as exc:
        preview.file_errors.append(_("CSVとして読み取れません（%(error)s）。") % {"error": exc})
    if not preview.rows and not preview.file_errors:
        preview.file_errors.append(_("データの行がありません。"))
    for row in preview.rows:
        if not row.errors:
            _match(row, context)
    _flag_duplicates(preview.rows, context)
    for row in preview.rows:
        row.choice = (choices or {}).get(row.choice_name, "skip") if row.is_duplicate else ""
    _check_choices(preview.rows)
    for row in preview.rows:
        if not row.errors:
            _plan(row, preview)
        elif row.refused_phone:
            _settle_phone(row)  # every error of the row at once
    return preview


def _settle_phone(row: ImportRow) -> None:
    """A phone number the rule refuses is kept when it is the number the group already stores
    (saved before the rule, as the group form and the admin keep it): an exported file imported
    again must not fail on a number nobody touched. Any other refused number is an error."""
    number, row.refused_phone = row.refused_phone, ""
    if row.group is not None and phone_number(row.group.phone) == number:
        row.values["phone"] = row.group.phone
        row.notes.append(
            _(
                "電話番号「%(value)s」は今の書き方（数字とハイフンで10〜11桁）に合っていませんが、"
                "登録済みの番号と同じなので、そのままにします。正しい番号に直してください。"
            )
            % {"value": row.group.phone}
        )
    else:
        row.errors.append(
            _("電話番号「%(value)s」の形式が正しくありません（例: 000-123-4567）。") % {"value": number}
        )


@dataclass
class _ImportContext:
    themes: dict[str, Theme]
    areas: dict[str, Area]
    groups: dict[int, Group]
    by_corporate_number: dict[str, list[int]]
    by_registration_number: dict[str, int]
    by_name: dict[str, list[int]]
    synonyms: list[tuple[str, ...]]

    def spellings(self, key: str) -> tuple[str, ...]:
        """The key and its other spellings in the search synonyms (子ども/こども/子供), as typed first."""
        (word,) = expand_synonyms([key], self.synonyms)
        return word.variants

    def find(self, lookup: dict[str, Theme] | dict[str, Area], name: str) -> Theme | Area | None:
        """A theme or an area by its name in any spelling search takes for it."""
        key = normalize_for_search(name)
        return next((lookup[spelling] for spelling in self.spellings(key) if spelling in lookup), None)

    @classmethod
    def load(cls) -> _ImportContext:
        themes: dict[str, Theme] = {}
        for theme in Theme.objects.all():
            for label in (theme.name, theme.short_name):
                if label:
                    themes[normalize_for_search(label)] = theme
        areas = {normalize_for_search(a.name): a for a in Area.objects.all()}
        # Every group once, with its themes and areas (a few thousand rows at most), so that
        # matching and the old → new comparison need no query per row.
        groups = {g.pk: g for g in Group.objects.order_by("pk").prefetch_related("themes", "areas")}
        by_corporate_number: dict[str, list[int]] = {}
        by_registration_number: dict[str, int] = {}
        by_name: dict[str, list[int]] = {}
        for group in groups.values():
            if group.corporate_number:
                by_corporate_number.setdefault(group.corporate_number, []).append(group.pk)
            if group.registration_number:
                by_registration_number[group.registration_number] = group.pk
            if group.name_key:
                by_name.setdefault(group.name_key, []).append(group.pk)
        return cls(
            themes=themes,
            areas=areas,
            groups=groups,
            by_corporate_number=by_corporate_number,
            by_registration_number=by_registration_number,
            by_name=by_name,
            synonyms=synonym_sets(),
        )


def _text(raw: dict, key: str) -> str:
    return (
        unicodedata.normalize("NFKC", raw.get(key, "") or "").strip()
        if key in ("registration_number", "email", "website")
        else (raw.get(key, "") or "").strip()
    )


def _clean_row(line: int, raw: dict, context: _ImportContext) -> ImportRow:
    """Checks the cells of the columns the file has; ``row.values`` holds only those fields."""
    row = ImportRow(line=line)
    errors = row.errors
    values = row.values
    present = set(raw)

    group_id = _text(raw, "id")
    if group_id:
        if not group_id.isdigit():
            errors.append(_("IDは数字です（新しい団体は空欄にしてください）。"))
        else:
            row.group = context.groups.get(int(group_id))
            if row.group is None:
                errors.append(
                    _("ID %(id)s の団体は見つかりません（新しい団体は空欄にしてください）。")
                    % {"id": group_id}
                )

    # As Group.clean stores them, so that the preview shows and compares what will be saved.
    values["name"] = tidy_text(raw.get("name"))
    if not values["name"]:
        errors.append(_("団体名が空です。"))
    elif len(values["name"]) > 200:
        errors.append(_("団体名が長すぎます（200文字まで）。"))
    if "name_kana" in present:
        kana = unicodedata.normalize("NFKC", raw.get("name_kana", "") or "").strip()
        values["name_kana"] = jaconv.kata2hira(kana)

    if "legal_form" in present:
        legal_label = _text(raw, "legal_form")
        legal_by_label = {str(label): value for value, label in LegalForm.choices}
        legal_by_label.update({value: value for value, _label in LegalForm.choices})
        legal_by_label["NPO法人"] = LegalForm.NPO
        legal_by_label["特定非営利活動法人"] = LegalForm.NPO
        values["legal_form"] = legal_by_label.get(
            unicodedata.normalize("NFKC", legal_label).replace("ＮＰＯ", "NPO"), ""
        )
        if legal_label and not values["legal_form"]:
            errors.append(
                _("法人格「%(value)s」は選べません（%(choices)s のどれか）。")
                % {"value": legal_label, "choices": "、".join(str(label) for _v, label in LegalForm.choices)}
            )

    if "corporate_number" in present:
        number = normalize_digits(raw.get("corporate_number", "") or "")
        values["corporate_number"] = number
        if number and not is_valid_corporate_number(number):
            errors.append(
                _("法人番号「%(value)s」が正しくありません（13桁で、確認用の数字が一致すること）。")
                % {"value": number}
            )

    for key, lookup, label in (
        ("themes", context.themes, _("活動分野")),
        ("areas", context.areas, _("活動地域")),
    ):
        if key not in present:
            continue
        names = [
            n.strip() for n in unicodedata.normalize("NFKC", raw.get(key, "") or "").split(LIST_SEPARATOR)
        ]
        found = []
        for name in filter(None, names):
            item = context.find(lookup, name)
            if item is None:
                errors.append(_("%(label)s「%(name)s」が見つかりません。") % {"label": label, "name": name})
            else:
                found.append(item)
        setattr(row, key, found)

    for key in ("purpose", "activities", "representative_name", "contact_name", "address", "sns"):
        if key in present:
            value = raw.get(key, "") or ""
            values[key] = tidy_text(value) if key in TIDIED_FIELDS else value.strip()
    if "sns" in values:
        try:
            values["sns"] = clean_sns_lines(values["sns"])
        except ValidationError as error:
            errors.extend(error.messages)

    for key, label, low, high in (
        ("founded_year", _("設立年"), FOUNDED_YEAR_MIN, timezone.localdate().year),
        ("member_count", _("会員数"), 0, MEMBER_COUNT_MAX),
        ("last_renewed_fiscal_year", _("最終更新年度"), 2000, 2100),
    ):
        if key not in present:
            continue
        text = _whole_number_text(raw.get(key, "") or "")
        values[key] = None
        if not text:
            continue
        if key == "member_count":
            number = int(text) if text.isdigit() else None
        else:  # a year, in the western or the Japanese calendar (平成27年, 令和6年度, R6)
            number = parse_japanese_year(text)
        if number is None or not low <= number <= high:
            message = (
                _("%(label)s「%(value)s」は%(low)s〜%(high)sの数字で入力してください。")
                if key == "member_count"
                else _(
                    "%(label)s「%(value)s」は%(low)s年〜%(high)s年の年で入力してください"
                    "（例: 2015、平成27年、R6）。"
                )
            )
            errors.append(message % {"label": label, "value": text, "low": low, "high": high})
        else:
            values[key] = number

    for key in FLAG_FIELDS & present:
        word = unicodedata.normalize("NFKC", raw.get(key, "") or "").strip().lower()
        if word in TRUE_WORDS:
            values[key] = True
        elif word in FALSE_WORDS:
            values[key] = False
        else:
            errors.append(_("「%(value)s」は公開・非公開のどちらかで入力してください。") % {"value": word})

    if "email" in present:
        values["email"] = _text(raw, "email")
        if values["email"]:
            try:
                EmailValidator()(values["email"])
            except ValidationError:
                errors.append(
                    _("メールアドレス「%(value)s」の形式が正しくありません。") % {"value": values["email"]}
                )
    if "phone" in present:
        values["phone"] = phone_number(raw.get("phone"))  # the portal's form and the profile's rule
        if values["phone"] and not is_phone_number(values["phone"]):
            row.refused_phone = values["phone"]  # settled once the row's group is known
    if "postal_code" in present:
        values["postal_code"] = normalize_postal_code(raw.get("postal_code", "") or "")
        if values["postal_code"] and not re.fullmatch(r"\d{3}-\d{4}", values["postal_code"]):
            errors.append(
                _("郵便番号「%(value)s」は7桁の数字で入力してください。") % {"value": values["postal_code"]}
            )
    if "website" in present:
        values["website"] = _text(raw, "website")
        if values["website"]:
            try:
                URLValidator(schemes=["http", "https"])(values["website"])
            except ValidationError:
                errors.append(
                    _("ウェブサイト「%(value)s」はURLとして正しくありません。") % {"value": values["website"]}
                )

    if "status" in present:
        status_label = _text(raw, "status")
        status_by_label = {str(label): value for value, label in GroupStatus.choices}
        values["status"] = status_by_label.get(status_label, "") if status_label else ""
        if status_label and not values["status"]:
            errors.append(
                _("登録状況「%(value)s」は選べません（%(choices)s のどれか）。")
                % {
                    "value": status_label,
                    "choices": "、".join(str(label) for _v, label in GroupStatus.choices),
                }
            )
    if "registered_on" in present:
        values["registered_on"] = None
        date_text = unicodedata.normalize("NFKC", raw.get("registered_on", "") or "").strip()
        if date_text:
            parsed = parse_japanese_date(date_text)
            if parsed is None:
                errors.append(
                    _("登録日「%(value)s」は日付として読めません（例: 2025/4/1、令和7年4月1日、R7.4.1）。")
                    % {"value": date_text}
                )
            else:
                try:  # the model's bounds, which the save would otherwise refuse after the preview
                    Group._meta.get_field("registered_on").run_validators(parsed)
                except ValidationError as error:
                    errors.extend(error.messages)
            values["registered_on"] = parsed
    if "registration_number" in present:
        values["registration_number"] = _text(raw, "registration_number").upper()
        if values["registration_number"] and not re.fullmatch(
            r"[A-Z]\d{1,2}-\d{1,6}", values["registration_number"]
        ):
            errors.append(
                _("登録番号「%(value)s」の形式が正しくありません（例: R7-0001）。")
                % {"value": values["registration_number"]}
            )
    row.blank = {key for key, value in values.items() if value in ("", None)}
    if row.themes == []:
        row.blank.add("themes")
    if row.areas == []:
        row.blank.add("areas")
    return row


def _whole_number_text(value: str) -> str:
    """A count or a year as typed in a spreadsheet: full-width digits, spaces and the thousands
    separators of Excel (1,200) are read; a dash stays, so 「10-20」 (a range) and 「-5」 are refused
    instead of being read as 1020 and 5 (normalize_digits drops dashes, which suits 法人番号 only)."""
    return re.sub(r"[\s,、]", "", unicodedata.normalize("NFKC", value))


def _match(row: ImportRow, context: _ImportContext) -> None:
    """The group this row is: by ID, 法人番号, 登録番号, then name; more than one is a 重複."""
    found: dict[int, str] = {}  # group id → what matched, in the order of the keys
    if row.group is not None:
        found[row.group.pk] = "ID"
    number = row.values.get("corporate_number")
    for pk in context.by_corporate_number.get(number, []) if number else []:
        found.setdefault(pk, _("法人番号"))
    registration = row.values.get("registration_number")
    if registration and registration in context.by_registration_number:
        found.setdefault(context.by_registration_number[registration], _("登録番号"))
    if not found:
        key = name_key(row.values["name"])
        for pk in context.by_name.get(key, []):
            group = context.groups[pk]
            # Same name but another 法人番号: two corporations, one name. Staff decide.
            found.setdefault(pk, _("団体名"))
            if number and group.corporate_number and group.corporate_number != number:
                found[pk] = _("団体名（法人番号は別）")
        # The name in another spelling of the search synonyms (こども食堂 = 子ども食堂), as
        # selectors.possible_duplicates finds for an application: likely, not surely, one group.
        for spelling in context.spellings(key)[1:] if key else ():
            for pk in context.by_name.get(spelling, []):
                found.setdefault(pk, _("団体名（書き方ちがい）"))
    if len(found) == 1:
        pk, how = next(iter(found.items()))
        group = context.groups[pk]
        if how == _("団体名（法人番号は別）"):
            row.candidates = [group]
            row.duplicate_reason = _("同じ名前の団体（ID %(id)s）がありますが、法人番号が違います。") % {
                "id": pk
            }
        elif how == _("団体名（書き方ちがい）"):
            row.candidates = [group]
            row.duplicate_reason = _(
                "書き方だけが違う名前の団体（ID %(id)s「%(name)s」）があります。同じ団体か選んでください。"
            ) % {"id": pk, "name": group.name}
        else:
            row.group = group
    elif found:
        row.candidates = [context.groups[pk] for pk in found]
        row.duplicate_reason = _("複数の団体に当てはまります（%(how)s）。") % {
            "how": "、".join(f"ID {pk}: {how}" for pk, how in found.items())
        }


def _flag_duplicates(rows: list[ImportRow], context: _ImportContext) -> None:
    """Rows that name the same group, or the same new group (法人番号, 登録番号 or name, in any
    spelling of the search synonyms: こども食堂 = 子ども食堂), as another."""
    by_key: dict[tuple, list[ImportRow]] = {}
    for row in rows:
        if row.errors:
            continue
        keys = []
        if row.group is not None:
            keys.append(("group", row.group.pk))
        else:
            if row.values.get("corporate_number"):
                keys.append(("corporate", row.values["corporate_number"]))
            if row.values.get("registration_number"):
                keys.append(("registration", row.values["registration_number"]))
            keys.append(("name", min(context.spellings(name_key(row.values["name"])))))
        for key in keys:
            by_key.setdefault(key, []).append(row)
    for same in by_key.values():
        if len(same) < 2:
            continue
        for row in same:
            others = [other.line for other in same if other is not row]
            row.duplicate_lines = sorted(set(row.duplicate_lines) | set(others))
            row.duplicate_reason = _("%(lines)s行目と同じ団体です。どの行を取り込むか選んでください。") % {
                "lines": "・".join(str(line) for line in row.duplicate_lines)
            }


def _check_choices(rows: list[ImportRow]) -> None:
    """A 重複 choice must be one offered, and two rows cannot both become one group."""
    taken: dict[str, int] = {}
    by_line = {row.line: row for row in rows}
    for row in rows:
        if not row.is_duplicate:
            continue
        if row.choice not in {value for value, _label in row.choices()}:
            row.choice = "skip"
        target = row.choice
        if target == "new":
            # A new group chosen from rows that name each other: the first such row wins.
            for line in row.duplicate_lines:
                if by_line[line].choice == "new" and line < row.line:
                    row.errors.append(
                        _("%(line)s行目も新しい団体として選ばれています。どちらか1行を選んでください。")
                        % {"line": line}
                    )
                    break
        elif target.startswith("group-"):
            if target in taken:
                row.errors.append(
                    _("%(line)s行目も同じ団体を更新するよう選ばれています。どちらか1行を選んでください。")
                    % {"line": taken[target]}
                )
            taken[target] = row.line
    for row in rows:
        if not row.is_duplicate and row.group is not None and f"group-{row.group.pk}" in taken:
            row.errors.append(
                _("%(line)s行目も同じ団体を更新するよう選ばれています。")
                % {"line": taken[f"group-{row.group.pk}"]}
            )


def _display(key: str, value) -> str:
    if value is None or value == "":
        return ""
    if key in FLAG_FIELDS:
        return _("公開") if value else _("非公開")
    if key == "legal_form":
        return str(LegalForm(value).label) if value in LegalForm.values else str(value)
    if key == "status":
        return str(GroupStatus(value).label) if value in GroupStatus.values else str(value)
    if isinstance(value, list | tuple):
        return LIST_SEPARATOR.join(str(item) for item in value)
    return str(value)


FIELD_LABELS = {key: header for header, key in COLUMNS}


def _plan(row: ImportRow, preview: ImportPreview) -> None:
    """新規 / 更新 / 変更なし / 重複, and for an update the fields that change (old → new)."""
    if row.is_duplicate:
        if row.choice == "skip":
            row.action = RowAction.DUPLICATE
            return
        if row.choice.startswith("group-"):
            pk = int(row.choice.removeprefix("group-"))
            row.group = next((g for g in row.candidates if g.pk == pk), row.group)
        else:
            row.group = None
    if row.refused_phone:
        _settle_phone(row)
        if row.errors:
            return
    updates = applied_values(row, clear_empty=preview.clear_empty)
    if row.group is None:
        row.action = RowAction.NEW
        for key, label in (("name_kana", _("ふりがな")), ("legal_form", _("法人格"))):
            if not updates.get(key):
                row.errors.append(_("新しい団体には%(label)sが必要です。") % {"label": label})
        if updates.get("legal_form") in CORPORATE_LEGAL_FORMS and not updates.get("corporate_number"):
            row.errors.append(_("法人の場合は法人番号が必要です。"))
        return
    group = row.group
    for key, new in updates.items():
        if key in ("themes", "areas"):
            old = list(getattr(group, key).all())
            if {item.pk for item in old} != {item.pk for item in new}:
                row.changes.append(FieldChange(FIELD_LABELS[key], _display(key, old), _display(key, new)))
            continue
        old = getattr(group, key)
        if (old if old is not None else "") != (new if new is not None else ""):
            row.changes.append(FieldChange(FIELD_LABELS[key], _display(key, old), _display(key, new)))
    legal_form = updates.get("legal_form", group.legal_form)
    touched = "legal_form" in updates or "corporate_number" in updates
    if (
        touched
        and legal_form in CORPORATE_LEGAL_FORMS
        and not updates.get("corporate_number", group.corporate_number)
    ):
        row.errors.append(_("法人の場合は法人番号が必要です。"))
    row.action = RowAction.UPDATE if row.changes else RowAction.UNCHANGED


def applied_values(row: ImportRow, *, clear_empty: bool) -> dict:
    """The fields this row sets: its columns, less the empty cells unless staff chose to clear them."""
    updates = {}
    for key, value in row.values.items():
        if key == "id":
            continue
        if key in row.blank and not clear_empty:
            continue
        if key == "status" and not value:
            continue  # an empty 登録状況 never clears the status
        updates[key] = value
    for key in ("themes", "areas"):
        items = getattr(row, key)
        if items is None or (key in row.blank and not clear_empty):
            continue
        updates[key] = items
    if row.group is None and "status" not in updates:
        updates["status"] = (
            GroupStatus.APPROVED if updates.get("registration_number") else GroupStatus.PENDING
        )
    return updates


@transaction.atomic
def import_rows(*, preview: ImportPreview, staff: User) -> list[Group]:
    """Saves every 新規 and 更新 row of a preview with no error, or nothing at all.

    A row that makes a group 登録 without a registration number is approved through
    groups.services.group_approve (number by the Japan date, renewal record, history, e-mail),
    exactly as from the staff queue. A row that brings its own registration number records a
    registration made before the portal, as it was. A row that puts a group in 申請中 gives it the
    import time as its 申請日時: it waits in the staff queue (oldest first) from when it came in.
    """
    from groups.services import _by, _set_m2m, group_approve, registration_counters_sync

    if not preview.is_valid:
        raise ValidationError(_("エラーのある行があるため、取り込みませんでした。"))
    saved = []
    for row in preview.to_save:
        group = Group.objects.select_for_update().get(pk=row.group.pk) if row.group else Group()
        waiting_since = group.submitted_at if group.status == GroupStatus.PENDING else None
        updates = applied_values(row, clear_empty=preview.clear_empty)
        themes = updates.pop("themes", None)
        areas = updates.pop("areas", None)
        for key, value in updates.items():
            setattr(group, key, value)
        if group.status == GroupStatus.PENDING:
            group.submitted_at = waiting_since or timezone.now()
        approve = (
            group.status == GroupStatus.APPROVED
            and not group.registration_number
            and (row.group is None or row.group.status != GroupStatus.APPROVED)
        )
        if approve:
            group.status = GroupStatus.PENDING
        try:
            group.full_clean()
        except ValidationError as exc:
            raise ValidationError(
                _("%(line)s行目: %(errors)s")
                % {"line": row.line, "errors": " ".join(m for ms in exc.message_dict.values() for m in ms)}
            ) from exc
        _by(group, staff, _("CSVインポート"))
        group.save()
        if themes is not None or areas is not None:
            _set_m2m(group, themes=themes, areas=areas)
            _by(group, staff, _("CSVインポート（活動分野・地域）"))
            group.save(update_fields=["updated_at"])
        if approve:
            try:
                group = group_approve(group=group, staff=staff)
            except ValidationError as exc:
                raise ValidationError(
                    _("%(line)s行目は登録にできません: %(errors)s")
                    % {"line": row.line, "errors": " ".join(exc.messages)}
                ) from exc
        saved.append(group)
    registration_counters_sync()
    return saved


# A confirmed import is claimed before anything is read or saved, so that a second 「取り込む」 with
# the same token (a double click, a second tab, a retry while the first is still saving) imports
# nothing: the session alone cannot tell, as each request reads it before the other has written.
# cache.add is atomic in the cache every process shares (Redis; the local-memory cache in one
# process). The claim outlives a successful import, so a late repeat is told it was imported.
IMPORT_CLAIM_SECONDS = 60 * 60


def _claim_key(token: str) -> str:
    return f"groups:import-claim:{token}"


def import_claim(*, token: str) -> bool:
    """True for the one request that may import the file of `token`; False while or after another does."""
    return cache.add(_claim_key(token), 1, IMPORT_CLAIM_SECONDS)


def import_release(*, token: str) -> None:
    """Gives up a claim whose import saved nothing (errors to fix, choices to make), to allow a retry."""
    cache.delete(_claim_key(token))


def iter_for_export(queryset) -> Iterator[Group]:
    return queryset.prefetch_related("themes", "areas").iterator(chunk_size=500)
