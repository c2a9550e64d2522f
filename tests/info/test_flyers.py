"""The flyer rack: a group editor uploads, staff approve, the flyer shows for its period and leaves."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from info.models import Flyer, FlyerStatus
from tests.groups.factories import GroupFactory
from tests.info.conftest import JST

pytestmark = pytest.mark.django_db


def pdf_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (420, 594), "orange").save(out, format="PDF")
    return out.getvalue()


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (800, 1131), "skyblue").save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def owner(make_user):
    return make_user(email="owner@example.jp", full_name="代表 花子")


@pytest.fixture
def group(owner):
    return GroupFactory(name="ひだまり子ども食堂", owner=owner)


def upload(client, group, *, name="natsu.pdf", data=None, **fields):
    form = {
        "title": "夏休み子ども食堂",
        "alt_text": "8月1日（土）12時から、本町地区センターで子ども食堂を開きます。子どもは無料です。",
        "display_from": "2026-06-01",
        "display_until": "2026-06-30",
        "file": SimpleUploadedFile(name, pdf_bytes() if data is None else data),
    } | fields
    return client.post(reverse("info:flyer_create", args=[group.pk]), form)


def test_an_approved_flyer_shows_with_its_thumbnail_until_its_period_ends(
    client, client_for, owner, group, staff_user, frozen
):
    assert upload(client_for(owner), group).status_code == 302
    flyer = Flyer.objects.get()
    assert flyer.status == FlyerStatus.PENDING
    thumbnail = flyer.thumbnail.read()
    assert thumbnail.startswith(b"\x89PNG")
    assert Image.open(io.BytesIO(thumbnail)).width == 360
    client.logout()
    assert "夏休み子ども食堂" not in client.get(reverse("info:flyer_rack")).content.decode()
    assert client.get(reverse("info:flyer_file", args=[flyer.pk])).status_code == 404

    staff = client_for(staff_user)
    queue = staff.get(reverse("info:flyer_queue")).content.decode()
    assert "夏休み子ども食堂" in queue and f"／{owner.full_name}／" in queue
    owner.full_name = ""
    owner.save()
    assert "／（氏名未登録）／" in staff.get(reverse("info:flyer_queue")).content.decode()
    staff.post(reverse("info:flyer_review", args=[flyer.pk]), {"decision": "approve"})
    staff.logout()

    alt = "8月1日（土）12時から、本町地区センターで子ども食堂を開きます。"
    for page in (reverse("info:flyer_rack"), reverse("core:home"), group.get_absolute_url()):
        html = client.get(page).content.decode()
        assert "夏休み子ども食堂" in html, page
        assert f'alt="{alt}' in html, page
    thumb = client.get(reverse("info:flyer_thumbnail", args=[flyer.pk]))
    assert thumb["Content-Type"] == "image/png"
    file = client.get(reverse("info:flyer_file", args=[flyer.pk]))
    assert file["Content-Type"] == "application/pdf"

    frozen.move_to(dt.datetime(2026, 7, 1, 0, 0, tzinfo=JST))
    # Anonymous pages stay in the page cache for PUBLIC_PAGE_CACHE_SECONDS of the cache's own
    # clock (Redis does not travel with the test); a month later they have long expired.
    cache.clear()
    assert "夏休み子ども食堂" not in client.get(reverse("info:flyer_rack")).content.decode()
    assert "夏休み子ども食堂" not in client.get(reverse("core:home")).content.decode()
    assert client.get(reverse("info:flyer_file", args=[flyer.pk])).status_code == 404


def test_an_image_flyer_gets_a_thumbnail_too(client_for, owner, group, frozen):
    assert upload(client_for(owner), group, name="natsu.png", data=png_bytes()).status_code == 302
    thumbnail = Image.open(io.BytesIO(Flyer.objects.get().thumbnail.read()))
    assert (thumbnail.format, thumbnail.width) == ("PNG", 360)


def test_a_file_whose_content_is_not_its_name_is_refused_and_the_input_kept(client_for, owner, group, frozen):
    response = upload(client_for(owner), group, name="natsu.pdf", data=png_bytes())
    assert response.status_code == 200
    html = response.content.decode()
    assert "の中身がファイル名（.pdf）と一致しません" in html
    assert 'value="夏休み子ども食堂"' in html
    assert not Flyer.objects.exists()


def test_alt_text_is_required(client_for, owner, group, frozen):
    response = upload(client_for(owner), group, alt_text="")
    assert response.status_code == 200
    assert "「チラシの内容（画像の代わりの文章）」を入力してください。" in response.content.decode()
    assert not Flyer.objects.exists()


def test_only_the_groups_editors_upload(client_for, make_user, group, frozen):
    stranger = client_for(make_user(email="stranger@example.jp"))
    assert upload(stranger, group).status_code == 403
    assert not Flyer.objects.exists()


def test_refusing_a_flyer_needs_a_reason(client_for, owner, group, staff_user, frozen):
    upload(client_for(owner), group)
    flyer = Flyer.objects.get()
    staff = client_for(staff_user)
    staff.post(reverse("info:flyer_review", args=[flyer.pk]), {"decision": "reject", "review_note": ""})
    flyer.refresh_from_db()
    assert flyer.status == FlyerStatus.PENDING
    staff.post(
        reverse("info:flyer_review", args=[flyer.pk]),
        {"decision": "reject", "review_note": "連絡先を入れてください"},
    )
    flyer.refresh_from_db()
    assert (flyer.status, flyer.review_note) == (FlyerStatus.REJECTED, "連絡先を入れてください")


@pytest.mark.parametrize(
    ("display_from", "display_until", "field", "error"),
    [
        (
            "2026-05-31",
            "2026-06-30",
            "display_from",
            "掲示の開始日は今日（2026年6月1日）以降にしてください。",
        ),
        (
            "2026-06-01",
            "2027-06-02",
            "display_until",
            "掲示の期間は365日までです（終了日は2027年6月1日まで）。",
        ),
        ("2026-06-01", "9999-12-31", "display_until", "2000年から2100年までの日付を入力してください。"),
        (
            "2027-06-02",
            "2027-06-30",
            "display_from",
            "掲示の開始日は1年以内（2027年6月1日まで）にしてください。",
        ),
    ],
)
def test_the_display_period_starts_today_or_later_and_is_at_most_a_year(
    client_for, owner, group, display_from, display_until, field, error
):
    """A flyer that would hang for ever, or whose period is already over, is refused next to the
    field with what was typed kept; "today" is the Japan date (07:30 JST is still the day before
    in UTC)."""
    with time_machine.travel(dt.datetime(2026, 6, 1, 7, 30, tzinfo=JST), tick=False):
        response = upload(client_for(owner), group, display_from=display_from, display_until=display_until)
        assert response.status_code == 200
        assert error in response.content.decode(), response.context["form"].errors
        assert response.context["form"].errors[field]
        assert 'value="夏休み子ども食堂"' in response.content.decode()
        assert not Flyer.objects.exists()
        # Today to a year later is fine.
        assert (
            upload(
                client_for(owner), group, display_from="2026-06-01", display_until="2027-06-01"
            ).status_code
            == 302
        )


def held_files() -> list[str]:
    from django.core.files.storage import storages

    try:
        return storages["private"].listdir("held-uploads")[1]
    except FileNotFoundError:
        return []


@pytest.mark.parametrize(
    "mistake",
    [{"alt_text": ""}, {"display_from": "2026-05-01"}],  # the form's check, the service's check
)
def test_after_an_error_the_chosen_file_is_kept_and_sent_with_the_corrected_form(
    client_for, owner, group, frozen, mistake
):
    """A browser never fills a file input again: the page says which file is chosen, keeps it
    server-side with a signed token in the form, and the corrected form is saved without
    choosing the file again. The kept copy goes once the flyer is saved."""
    client = client_for(owner)
    response = upload(client, group, name="natsu.pdf", **mistake)
    assert response.status_code == 200 and not Flyer.objects.exists()
    html = response.content.decode()
    assert "選択済み: natsu.pdf（このまま送れます。別のファイルにするときだけ選び直してください）" in html
    token = response.context["form"].file_token
    assert token and f'name="file_token" value="{token}"' in html
    assert len(held_files()) == 1

    fixed = {
        "title": "夏休み子ども食堂",
        "alt_text": "8月1日（土）12時から子ども食堂を開きます。",
        "display_from": "2026-06-01",
        "display_until": "2026-06-30",
        "file_token": token,
    }
    assert client.post(reverse("info:flyer_create", args=[group.pk]), fixed).status_code == 302
    flyer = Flyer.objects.get()
    assert flyer.file.read() == pdf_bytes() and flyer.content_type == "application/pdf"
    assert flyer.thumbnail.read().startswith(b"\x89PNG")
    assert held_files() == []


def test_a_new_file_replaces_the_kept_one(client_for, owner, group, frozen):
    client = client_for(owner)
    token = upload(client, group, alt_text="").context["form"].file_token
    response = upload(client, group, name="natsu.png", data=png_bytes(), file_token=token)
    assert response.status_code == 302
    assert Flyer.objects.get().content_type == "image/png"


def test_a_file_that_cannot_be_a_flyer_is_not_kept(client_for, owner, group, frozen):
    response = upload(client_for(owner), group, name="natsu.pdf", data=png_bytes(), alt_text="")
    form = response.context["form"]
    assert form.file_token == "" and "選択済み" not in response.content.decode()
    assert held_files() == []


def test_a_kept_file_is_only_for_its_owner_and_for_a_day(client_for, owner, group, make_user, frozen):
    """Another editor of the group cannot send someone else's kept file by its token, an altered
    token finds nothing, and after a day the page asks for the file again in Japanese."""
    token = upload(client_for(owner), group, alt_text="").context["form"].file_token
    fields = {
        "title": "夏休み子ども食堂",
        "alt_text": "子ども食堂を開きます。",
        "display_from": "2026-06-01",
        "display_until": "2026-06-30",
    }
    co_editor = make_user(email="co@example.jp")
    group.memberships.create(user=co_editor, role="editor")
    url = reverse("info:flyer_create", args=[group.pk])
    for person, sent in ((co_editor, token), (owner, "x" + token[1:])):
        response = client_for(person).post(url, {**fields, "file_token": sent})
        assert response.status_code == 200 and response.context["form"].errors["file"]
    assert not Flyer.objects.exists()

    frozen.shift(dt.timedelta(hours=25))
    response = client_for(owner).post(url, {**fields, "file_token": token, "display_from": "2026-06-02"})
    assert response.context["form"].errors["file"] == [
        "選んでいたファイルの保存期間が過ぎました。お手数ですが、もう一度選んでください。"
    ]
    assert not Flyer.objects.exists()
