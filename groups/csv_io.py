"""CSV import and export of the registry, and the public open data (CSV and JSON).

Export: UTF-8 with a BOM, so Excel in Japan opens it without garbling. Import: UTF-8 (with or
without BOM) or Shift_JIS (cp932, what Excel saves as "CSV"); every row is checked first and
the preview lists each bad row with its reasons in Japanese; a file with any bad row saves nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import jaconv
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import transaction
from django.utils.translation import gettext as _

from core.csv import BOM, CsvWriter
from core.fiscal import fiscal_year_of
from core.models import Area, Theme, User, absolute_url
from core.text import normalize_for_search
from groups.models import CORPORATE_LEGAL_FORMS, Group, GroupStatus, LegalForm
from groups.validators import (
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
REQUIRED_HEADERS = ("団体名", "ふりがな", "法人格")
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


@dataclass
class ImportRow:
    line: int
    values: dict = field(default_factory=dict)  # model field → cleaned value
    themes: list[Theme] = field(default_factory=list)
    areas: list[Area] = field(default_factory=list)
    group: Group | None = None  # the group updated (ID given), else a new one
    errors: list[str] = field(default_factory=list)

    @property
    def action(self) -> str:
        return _("更新") if self.group else _("新規")

    @property
    def legal_form_label(self) -> str:
        value = self.values.get("legal_form")
        return str(LegalForm(value).label) if value in LegalForm.values else ""

    @property
    def status_label(self) -> str:
        value = self.values.get("status")
        return str(GroupStatus(value).label) if value in GroupStatus.values else ""


@dataclass
class ImportPreview:
    encoding: str = ""
    rows: list[ImportRow] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)

    @property
    def bad_rows(self) -> list[ImportRow]:
        return [row for row in self.rows if row.errors]

    @property
    def is_valid(self) -> bool:
        return not self.file_errors and not self.bad_rows and bool(self.rows)


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding name): UTF-8 with or without BOM, else Shift_JIS (cp932)."""
    try:
        return data.decode("utf-8-sig"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp932"), "Shift_JIS"
    except UnicodeDecodeError as exc:
        raise ValueError(
            _(
                "ファイルの文字コードを読み取れません。ExcelでUTF-8またはShift_JISのCSVとして保存し直してください。"
            )
        ) from exc


def parse(data: bytes) -> ImportPreview:
    """Reads and checks every row; saves nothing."""
    preview = ImportPreview()
    try:
        text, preview.encoding = decode(data)
    except ValueError as exc:
        preview.file_errors.append(str(exc))
        return preview
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        headers = [unicodedata.normalize("NFKC", h).strip().lstrip(BOM) for h in next(reader)]
    except StopIteration:
        preview.file_errors.append(_("ファイルが空です。"))
        return preview
    except csv.Error as exc:
        preview.file_errors.append(_("CSVとして読み取れません（%(error)s）。") % {"error": exc})
        return preview
    known = {header for header, _key in COLUMNS}
    unknown = [h for h in headers if h and h not in known]
    if unknown:
        preview.file_errors.append(
            _("知らない見出しがあります: %(names)s。見出し行はエクスポートしたCSVと同じにしてください。")
            % {"names": "、".join(unknown)}
        )
    missing = [h for h in REQUIRED_HEADERS if h not in headers]
    if missing:
        preview.file_errors.append(_("必要な見出しがありません: %(names)s。") % {"names": "、".join(missing)})
    if preview.file_errors:
        return preview

    context = _ImportContext.load()
    key_of = dict(COLUMNS)
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
    _check_duplicates(preview.rows)
    return preview


@dataclass
class _ImportContext:
    themes: dict[str, Theme]
    areas: dict[str, Area]
    groups: dict[int, Group]
    numbers: dict[str, int]  # registration number → group id

    @classmethod
    def load(cls) -> _ImportContext:
        themes: dict[str, Theme] = {}
        for theme in Theme.objects.all():
            for label in (theme.name, theme.short_name):
                if label:
                    themes[normalize_for_search(label)] = theme
        areas = {normalize_for_search(a.name): a for a in Area.objects.all()}
        return cls(
            themes=themes,
            areas=areas,
            groups={},
            numbers=dict(
                Group.objects.exclude(registration_number="").values_list("registration_number", "id")
            ),
        )


def _text(raw: dict, key: str) -> str:
    return (
        unicodedata.normalize("NFKC", raw.get(key, "") or "").strip()
        if key in ("registration_number", "phone", "email", "website")
        else (raw.get(key, "") or "").strip()
    )


def _clean_row(line: int, raw: dict, context: _ImportContext) -> ImportRow:
    row = ImportRow(line=line)
    errors = row.errors
    values = row.values

    group_id = _text(raw, "id")
    if group_id:
        if not group_id.isdigit():
            errors.append(_("IDは数字です（新しい団体は空欄にしてください）。"))
        else:
            row.group = Group.objects.filter(pk=int(group_id)).first()
            if row.group is None:
                errors.append(
                    _("ID %(id)s の団体は見つかりません（新しい団体は空欄にしてください）。")
                    % {"id": group_id}
                )

    values["name"] = _text(raw, "name")
    if not values["name"]:
        errors.append(_("団体名が空です。"))
    elif len(values["name"]) > 200:
        errors.append(_("団体名が長すぎます（200文字まで）。"))
    kana = unicodedata.normalize("NFKC", raw.get("name_kana", "") or "").strip()
    values["name_kana"] = jaconv.kata2hira(kana)
    if not values["name_kana"]:
        errors.append(_("ふりがなが空です。"))

    legal_label = _text(raw, "legal_form")
    legal_by_label = {str(label): value for value, label in LegalForm.choices}
    legal_by_label.update({value: value for value, _label in LegalForm.choices})
    legal_by_label["NPO法人"] = LegalForm.NPO
    values["legal_form"] = legal_by_label.get(
        unicodedata.normalize("NFKC", legal_label).replace("ＮＰＯ", "NPO"), ""
    )
    if not legal_label:
        errors.append(_("法人格が空です。"))
    elif not values["legal_form"]:
        errors.append(
            _("法人格「%(value)s」は選べません（%(choices)s のどれか）。")
            % {"value": legal_label, "choices": "、".join(str(label) for _v, label in LegalForm.choices)}
        )

    number = normalize_digits(raw.get("corporate_number", "") or "")
    values["corporate_number"] = number
    if number and not is_valid_corporate_number(number):
        errors.append(
            _("法人番号「%(value)s」が正しくありません（13桁で、確認用の数字が一致すること）。")
            % {"value": number}
        )
    if values["legal_form"] in CORPORATE_LEGAL_FORMS and not number:
        errors.append(_("法人の場合は法人番号が必要です。"))

    for key, lookup, label in (
        ("themes", context.themes, _("活動分野")),
        ("areas", context.areas, _("活動地域")),
    ):
        names = [
            n.strip() for n in unicodedata.normalize("NFKC", raw.get(key, "") or "").split(LIST_SEPARATOR)
        ]
        found = []
        for name in filter(None, names):
            item = lookup.get(normalize_for_search(name))
            if item is None:
                errors.append(_("%(label)s「%(name)s」が見つかりません。") % {"label": label, "name": name})
            else:
                found.append(item)
        setattr(row, key, found)

    for key in ("purpose", "activities", "representative_name", "contact_name", "address", "sns"):
        values[key] = (raw.get(key, "") or "").strip()
    try:
        values["sns"] = clean_sns_lines(values["sns"])
    except ValidationError as error:
        errors.extend(error.messages)

    for key, label, low, high in (
        ("founded_year", _("設立年"), 1868, dt.date.today().year),
        ("member_count", _("会員数"), 0, 10_000_000),
        ("last_renewed_fiscal_year", _("最終更新年度"), 2000, 2100),
    ):
        text = normalize_digits(raw.get(key, "") or "")
        values[key] = None
        if text:
            if not text.isdigit() or not low <= int(text) <= high:
                errors.append(
                    _("%(label)s「%(value)s」は%(low)s〜%(high)sの数字で入力してください。")
                    % {"label": label, "value": text, "low": low, "high": high}
                )
            else:
                values[key] = int(text)

    for key in FLAG_FIELDS:
        word = unicodedata.normalize("NFKC", raw.get(key, "") or "").strip().lower()
        if word in TRUE_WORDS:
            values[key] = True
        elif word in FALSE_WORDS:
            values[key] = False
        else:
            errors.append(_("「%(value)s」は公開・非公開のどちらかで入力してください。") % {"value": word})

    values["email"] = _text(raw, "email")
    if values["email"]:
        try:
            EmailValidator()(values["email"])
        except ValidationError:
            errors.append(
                _("メールアドレス「%(value)s」の形式が正しくありません。") % {"value": values["email"]}
            )
    values["phone"] = re.sub(r"[ー−‐]", "-", _text(raw, "phone"))
    if values["phone"] and not re.fullmatch(r"0\d{1,4}-?\d{1,4}-?\d{3,4}", values["phone"]):
        errors.append(
            _("電話番号「%(value)s」の形式が正しくありません（例: 000-123-4567）。")
            % {"value": values["phone"]}
        )
    values["postal_code"] = normalize_postal_code(raw.get("postal_code", "") or "")
    if values["postal_code"] and not re.fullmatch(r"\d{3}-\d{4}", values["postal_code"]):
        errors.append(
            _("郵便番号「%(value)s」は7桁の数字で入力してください。") % {"value": values["postal_code"]}
        )
    values["website"] = _text(raw, "website")
    if values["website"]:
        try:
            URLValidator(schemes=["http", "https"])(values["website"])
        except ValidationError:
            errors.append(
                _("ウェブサイト「%(value)s」はURLとして正しくありません。") % {"value": values["website"]}
            )

    status_label = _text(raw, "status")
    status_by_label = {str(label): value for value, label in GroupStatus.choices}
    values["registration_number"] = _text(raw, "registration_number").upper()
    if status_label:
        values["status"] = status_by_label.get(status_label, "")
        if not values["status"]:
            errors.append(
                _("登録状況「%(value)s」は選べません（%(choices)s のどれか）。")
                % {
                    "value": status_label,
                    "choices": "、".join(str(label) for _v, label in GroupStatus.choices),
                }
            )
    else:
        values["status"] = GroupStatus.APPROVED if values["registration_number"] else GroupStatus.PENDING
    values["registered_on"] = None
    date_text = unicodedata.normalize("NFKC", raw.get("registered_on", "") or "").strip()
    if date_text:
        parsed = _parse_date(date_text)
        if parsed is None:
            errors.append(
                _("登録日「%(value)s」は日付として読めません（例: 2025-04-01 または 2025/4/1）。")
                % {"value": date_text}
            )
        values["registered_on"] = parsed
    if values["registration_number"]:
        if not re.fullmatch(r"[A-Z]\d{1,2}-\d{1,6}", values["registration_number"]):
            errors.append(
                _("登録番号「%(value)s」の形式が正しくありません（例: R7-0001）。")
                % {"value": values["registration_number"]}
            )
        owner_id = context.numbers.get(values["registration_number"])
        if owner_id and (row.group is None or row.group.pk != owner_id):
            errors.append(
                _("登録番号「%(value)s」はほかの団体（ID %(id)s）が使っています。")
                % {"value": values["registration_number"], "id": owner_id}
            )
    return row


def _parse_date(text: str) -> dt.date | None:
    match = re.fullmatch(r"(\d{4})[-/年.](\d{1,2})[-/月.](\d{1,2})日?", text)
    if not match:
        return None
    try:
        return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def _check_duplicates(rows: list[ImportRow]) -> None:
    seen_numbers: dict[str, int] = {}
    seen_ids: dict[int, int] = {}
    for row in rows:
        number = row.values.get("registration_number")
        if number:
            if number in seen_numbers:
                row.errors.append(
                    _("登録番号「%(value)s」が%(line)s行目と重複しています。")
                    % {"value": number, "line": seen_numbers[number]}
                )
            else:
                seen_numbers[number] = row.line
        if row.group is not None:
            if row.group.pk in seen_ids:
                row.errors.append(
                    _("ID %(id)s が%(line)s行目と重複しています。")
                    % {"id": row.group.pk, "line": seen_ids[row.group.pk]}
                )
            else:
                seen_ids[row.group.pk] = row.line


@transaction.atomic
def import_rows(*, preview: ImportPreview, staff: User) -> list[Group]:
    """Saves every row of a preview that has no error, or nothing at all."""
    from groups.services import _by, _set_m2m, registration_counters_sync, registration_number_allocate

    if not preview.is_valid:
        raise ValidationError(_("エラーのある行があるため、取り込みませんでした。"))
    saved = []
    for row in preview.rows:
        group = row.group or Group()
        for key, value in row.values.items():
            setattr(group, key, value)
        if group.status == GroupStatus.APPROVED and not group.registration_number:
            day = group.registered_on or dt.date.today()
            group.registered_on = day
            group.registration_number = registration_number_allocate(fiscal_year=fiscal_year_of(day))
        try:
            group.full_clean()
        except ValidationError as exc:
            raise ValidationError(
                _("%(line)s行目: %(errors)s")
                % {"line": row.line, "errors": " ".join(m for ms in exc.message_dict.values() for m in ms)}
            ) from exc
        _by(group, staff, _("CSVインポート"))
        group.save()
        _set_m2m(group, themes=row.themes, areas=row.areas)
        _by(group, staff, _("CSVインポート（活動分野・地域）"))
        group.save(update_fields=["updated_at"])
        saved.append(group)
    registration_counters_sync()
    return saved


def iter_for_export(queryset) -> Iterator[Group]:
    return queryset.prefetch_related("themes", "areas").iterator(chunk_size=500)
