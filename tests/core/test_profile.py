"""A person has a profile: 氏名 and ふりがな asked at sign-up, edited on マイページ, required before
registering for an event, applying for a group or proposing; rosters, certificates and e-mails use
the name, and e-mails greet by it and are signed by the center, never by a host name."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import zoneinfo

import pytest
import time_machine
from django.urls import reverse

from core.models import OutboxMessage, Person, User
from events import services as event_services
from tests.core.accounts import sign_up
from tests.events.factories import EventFactory, RegistrationFactory, attend

pytestmark = pytest.mark.django_db

JST = zoneinfo.ZoneInfo("Asia/Tokyo")


# --- Sign-up --------------------------------------------------------------------------------------


def test_sign_up_asks_the_name_first_and_stores_the_reading_in_hiragana(client, settings):
    page = client.get("/accounts/signup/").content.decode()
    assert page.index('name="full_name"') < page.index('name="full_name_kana"') < page.index('name="email"')
    response = sign_up(client, full_name="山田　花子", full_name_kana="ヤマダ　ﾊﾅｺ")
    assert response.status_code == 302
    user = User.objects.get(email="hanako@example.jp")
    assert (user.full_name, user.full_name_kana) == ("山田 花子", "やまだ はなこ")


def test_the_verification_mail_greets_by_name_signs_with_the_center_and_names_no_host(client, settings):
    settings.ALLOWED_HOSTS = ["*"]
    settings.SITE_URL = "https://kyodo.example.jp"
    sign_up(client, full_name="山田 花子", full_name_kana="やまだ はなこ", host="127.0.0.1:8811")
    message = OutboxMessage.objects.get(kind__startswith="account.email_confirmation")
    assert message.body.startswith("山田 花子 様\n")
    assert settings.CENTER_NAME in message.body.split("――", 1)[1]
    assert "https://kyodo.example.jp/accounts/confirm-email/" in message.body
    assert "127.0.0.1" not in message.body and "こんにちは" not in message.body
    assert "kyodo.example.jp です" not in message.body


def test_sign_up_without_a_name_or_with_a_reading_in_kanji_is_refused_in_japanese(client):
    response = sign_up(client, full_name="", full_name_kana="")
    body = response.content.decode()
    assert response.status_code == 200
    assert "氏名を入力してください。" in body and "ふりがなを入力してください。" in body
    assert 'value="hanako@example.jp"' in body

    response = sign_up(client, full_name="山田 花子", full_name_kana="山田 花子")
    body = response.content.decode()
    assert "ふりがなは、ひらがなかカタカナだけで入力してください" in body
    assert 'value="山田 花子"' in body
    assert not User.objects.filter(email="hanako@example.jp").exists()


def test_the_password_reset_mail_greets_by_name(client, member):
    client.post("/accounts/password/reset/", {"email": member.email})
    message = OutboxMessage.objects.get(kind="account.password_reset_key")
    assert message.body.startswith(f"{member.full_name} 様\n")
    assert member.email not in message.body.splitlines()[0]


# --- The profile page -----------------------------------------------------------------------------


def test_profile_edit_with_a_wrong_reading_keeps_the_input_and_explains_in_japanese(client, member):
    client.force_login(member)
    response = client.post(
        reverse("core:profile"),
        {"full_name": "新しい 名前", "full_name_kana": "Shinji", "phone": "090-1234-5678"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "入力内容を確認してください" in body
    assert "ふりがなは、ひらがなかカタカナだけで入力してください（例: やまだ はなこ）。" in body
    assert 'value="新しい 名前"' in body and 'value="Shinji"' in body and 'value="090-1234-5678"' in body
    member.refresh_from_db()
    assert member.full_name == "試験 利用者"


def test_profile_edit_with_a_wrong_phone_number_is_refused(client, member):
    client.force_login(member)
    data = {"full_name": "山田 花子", "full_name_kana": "やまだ はなこ", "phone": "12345"}
    response = client.post(reverse("core:profile"), data)
    assert "電話番号は、数字とハイフンで入力してください" in response.content.decode()


def test_a_phone_saved_before_the_rule_does_not_stop_the_profile_being_saved(client, member):
    """A number stored before today's rule (03-123-456) is kept when sent back unchanged, and the
    page asks to put it right; changed into another refused number, it is an error."""
    member.phone = "03-123-456"
    member.save(update_fields=["phone"])
    client.force_login(member)
    page = client.get(reverse("core:profile")).content.decode()
    assert "このままでも保存できますが、正しい番号に直してください" in page

    data = {"full_name": "山田 花子", "full_name_kana": "やまだ はなこ", "phone": "03-123-456"}
    assert client.post(reverse("core:profile"), data).status_code == 302
    member.refresh_from_db()
    assert (member.full_name, member.phone) == ("山田 花子", "03-123-456")

    response = client.post(reverse("core:profile"), {**data, "phone": "03-12-34"})
    assert response.status_code == 200
    assert "電話番号は、数字とハイフンで入力してください" in response.content.decode()
    member.refresh_from_db()
    assert member.phone == "03-123-456"


def test_profile_takes_a_tokyo_number_written_with_brackets(client, member):
    """「03（1234）5678」, a common way to write a Tokyo number, is stored as 03-1234-5678."""
    client.force_login(member)
    data = {"full_name": "山田 花子", "full_name_kana": "やまだ はなこ", "phone": "03（1234）5678"}
    assert client.post(reverse("core:profile"), data).status_code == 302
    member.refresh_from_db()
    assert member.phone == "03-1234-5678"


def test_profile_edit_updates_the_participant_record_and_the_notices(client, member):
    person = event_services.person_for_user(user=member)
    client.force_login(member)
    response = client.post(
        reverse("core:profile"),
        {
            "full_name": "山田 花子",
            "full_name_kana": "ヤマダ ハナコ",
            "phone": "０９０ー１２３４ー５６７８",
            "notify_event_surveys": "on",
        },
    )
    assert response.status_code == 302
    member.refresh_from_db()
    person.refresh_from_db()
    assert (member.full_name_kana, member.phone) == ("やまだ はなこ", "090-1234-5678")
    assert (member.notify_event_reminders, member.notify_event_surveys) == (False, True)
    assert (person.name, person.name_kana, person.phone) == ("山田 花子", "やまだ はなこ", "090-1234-5678")


def test_profile_returns_to_next_only_on_this_site(client, member):
    client.force_login(member)
    data = {"full_name": "山田 花子", "full_name_kana": "やまだ はなこ"}
    response = client.post(reverse("core:profile") + "?next=/events/1/register/", data)
    assert response["Location"] == "/events/1/register/"
    response = client.post(reverse("core:profile") + "?next=https://evil.example/", data)
    assert response["Location"] == reverse("core:profile")


# --- Names are required before putting one's name to something --------------------------------------


@pytest.fixture
def nameless(make_user):
    return make_user(email="nameless@example.jp", full_name="", full_name_kana="")


def _assert_sent_to_profile(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('core:profile')}?next={url.replace('/', '%2F')}"
    page = client.get(response["Location"])
    assert "氏名とふりがなの登録が必要です" in page.content.decode()
    data = {"full_name": "名無 権兵衛", "full_name_kana": "ななし ごんべえ"}
    saved = client.post(response["Location"], data)
    assert saved["Location"] == url


def test_registering_for_an_event_needs_a_name_first(client, nameless):
    event = EventFactory()
    client.force_login(nameless)
    _assert_sent_to_profile(client, reverse("events:register", args=[event.pk]))
    assert client.get(reverse("events:register", args=[event.pk])).status_code == 200


def test_applying_for_a_group_needs_a_name_first(client, nameless):
    client.force_login(nameless)
    _assert_sent_to_profile(client, reverse("groups:apply"))
    assert client.get(reverse("groups:apply")).status_code == 200


def test_proposing_needs_a_name_first(client, nameless):
    from tests.projects.factories import CallFactory

    call = CallFactory()
    client.force_login(nameless)
    _assert_sent_to_profile(client, reverse("projects:proposal_create", args=[call.pk]))
    nameless.refresh_from_db()
    assert nameless.has_complete_profile


def test_a_name_without_a_reading_is_not_enough(client, make_user):
    user = make_user(email="kana-missing@example.jp", full_name="山田 花子", full_name_kana="")
    client.force_login(user)
    assert client.get(reverse("groups:apply"))["Location"].startswith(reverse("core:profile"))


# --- Names everywhere: never the e-mail address ---------------------------------------------------------


def test_an_account_without_a_name_is_never_shown_by_its_email(make_user):
    user = make_user(email="taro.citizen@example.com", full_name="", full_name_kana="")
    assert "taro" not in str(user) and "taro" not in user.get_full_name()
    assert "taro" not in user.get_short_name()


def test_an_event_mail_greets_the_participant_by_the_name_of_the_profile(client, make_user, settings):
    user = make_user(email="taro.citizen@example.com", full_name="市民 太郎", full_name_kana="しみん たろう")
    event = EventFactory()
    client.force_login(user)
    client.post(reverse("events:register", args=[event.pk]), {"needs": ""})
    message = OutboxMessage.objects.get(kind="events.confirmed")
    assert message.body.startswith("市民 太郎 様\n")
    assert "taro.citizen" not in message.body
    assert settings.CENTER_NAME in message.body
    assert Person.objects.get(user=user).name == "市民 太郎"


def test_reminders_and_surveys_respect_the_profile(make_user):
    quiet = make_user(email="quiet@example.jp")
    quiet.notify_event_reminders = False
    quiet.save()
    event = EventFactory()
    RegistrationFactory(event=event, person=event_services.person_for_user(user=quiet))
    guest = RegistrationFactory(event=event)
    start = event.sessions.first().starts_at
    queued = event_services.reminders_send_due(now=start - dt.timedelta(hours=24))
    assert queued == 1
    assert list(OutboxMessage.objects.filter(kind="events.reminder").values_list("to", flat=True)) == [
        [guest.person.email]
    ]


def test_the_certificate_carries_the_name_of_the_profile(tmp_path, make_user):
    user = make_user(email="taro.citizen@example.com", full_name="市民 太郎", full_name_kana="しみん たろう")
    course = EventFactory(course=True, starts_at=dt.datetime(2025, 5, 10, 10, tzinfo=JST))
    registration = RegistrationFactory(event=course, person=event_services.person_for_user(user=user))
    for session in course.sessions.all():
        attend(registration=registration, session=session)
    registration.refresh_from_db()
    with time_machine.travel(dt.datetime(2025, 7, 1, 10, tzinfo=JST), tick=False):
        pdf = event_services.certificate_pdf(registration=registration)
    path = tmp_path / "certificate.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert re.search(r"市民\s*太郎", text), text
    assert "taro" not in text
