"""What the public and other people see: no private detail on any public page, no redirect off the site.

Every page the matrix opens to everyone is read as a visitor and as a member; none may contain a
private contact detail of a group, a business member's or participant's personal data, or any
part of a consultation. Pages that take a `next` address never send the browser to another site.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from tests.trust.access_matrix import EVERYONE, MATRIX

pytestmark = pytest.mark.django_db


def private_strings(world) -> dict[str, str]:
    """Values that are nobody's business but their owner's (and staff's)."""
    group = world.group_a
    group.refresh_from_db()
    values = {
        "group A's address": group.address if not group.address_public else "",
        "group A's phone": group.phone if not group.phone_public else "",
        "group A's representative": group.representative_name if not group.representative_name_public else "",
        "group A's e-mail": group.email if not group.email_public else "",
        "the participant's e-mail": world.registration.person.email,
        "the consultation's question": world.consultation.question,
        "the consultation's answer": world.consultation.answer,
        "the consulting person's name": world.consultation.person.name if world.consultation.person else "",
        "the consulting person's phone": world.consultation.person.phone if world.consultation.person else "",
        "the follow-up": world.follow_up.description,
        "a proposal in draft": world.draft_proposal.title,
        "a proposal under review": world.review_proposal.title,
        "the business member's e-mail": world.business_person.email,
        "the staff note of a project": "",
        "the invitation's e-mail": world.invitation.email,
    }
    return {label: value for label, value in values.items() if value and len(value) >= 4}


PUBLIC_CASES = [
    (name, index)
    for name, cases in MATRIX.items()
    for index, case in enumerate(cases)
    if case.allowed == EVERYONE and not case.post
]


@pytest.mark.parametrize("role", ["anonymous", "member"])
@pytest.mark.parametrize(("name", "index"), PUBLIC_CASES, ids=[f"{n}-{i}" for n, i in PUBLIC_CASES])
def test_public_pages_show_nothing_private(world, name, index, role):
    case = MATRIX[name][index]
    response = world.client(role).get(reverse(name, args=case.args(world)) + case.query)
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    text = body.decode("utf-8", errors="replace")
    leaked = [label for label, value in private_strings(world).items() if value in text]
    assert not leaked, f"{name} shows {leaked} to {role}"


OFFSITE = [
    "//evil.example/",
    "/\\evil.example/",
    "https://evil.example/",
    "/\t/evil.example/",
    "\\\\evil.example",
]


def offsite(location: str) -> bool:
    return not url_has_allowed_host_and_scheme(location, allowed_hosts={"testserver"}, require_https=False)


OFFSITE_CANCEL = OFFSITE


@pytest.mark.parametrize("target", OFFSITE_CANCEL)
def test_the_cancel_page_never_links_off_the_site(world, target):
    """申し込みの取り消し: the 戻る link and the hidden `next` never carry another site's address."""
    page = world.client("owner").get(reverse("events:cancel", args=[world.registration.pk]), {"next": target})
    assert page.status_code == 200
    assert target not in page.content.decode()


# The owner's POSTs that follow a `next` address: (url name, the world's object in the URL).
OWNER_POSTS_WITH_NEXT = {
    "cancelling a registration": ("events:cancel", "registration"),
    "closing a need": ("matching:need_close", "need"),
}


@pytest.mark.parametrize("target", OFFSITE)
@pytest.mark.parametrize("action", OWNER_POSTS_WITH_NEXT)
def test_the_owners_posts_never_redirect_off_the_site(world, action, target):
    """After the POST, `next` is followed only when it stays on this site."""
    url_name, obj = OWNER_POSTS_WITH_NEXT[action]
    response = world.client("owner").post(reverse(url_name, args=[getattr(world, obj).pk]), {"next": target})
    assert response.status_code == 302
    assert not offsite(response["Location"]), response["Location"]


@pytest.mark.parametrize("target", OFFSITE)
def test_signing_in_never_redirects_off_the_site(world, target):
    from tests.trust.world import PASSWORD

    client = Client()
    response = client.post(
        reverse("account_login") + "?next=" + target,
        {"login": world.user("member").email, "password": PASSWORD, "next": target},
    )
    assert response.status_code == 302
    assert not offsite(response["Location"]), response["Location"]


SCRIPT = '<script>alert("x")</script>'


def test_a_csv_import_cannot_put_a_script_link_on_a_group_page(world):
    """The CSV import checks SNS addresses as the form does: no javascript: link reaches the group page."""
    from groups import csv_io
    from groups.models import Group

    csv_text = (
        "団体名,ふりがな,法人格,登録状況,SNS\r\n"
        '取込の会,とりこみのかい,任意団体,登録,"javascript:alert(document.cookie)\nhttps://example.jp/ok"\r\n'
    )
    preview = csv_io.parse(csv_text.encode("utf-8"))
    if preview.is_valid:
        csv_io.import_rows(preview=preview, staff=world.user("staff"))
    group = Group.objects.filter(name="取込の会").first()
    if group is None:
        return  # refused at import: fine
    page = Client().get(reverse("groups:detail", args=[group.pk]))
    assert 'href="javascript:' not in page.content.decode().replace("&#x27;", "'")


def test_text_typed_by_members_is_escaped_on_public_pages(world):
    """A script typed into a group's description or a need's title is shown as text, never run."""
    from groups.models import Group
    from matching.models import Need

    Group.objects.filter(pk=world.group_a.pk).update(purpose=SCRIPT, activities=SCRIPT)
    Need.objects.filter(pk=world.need.pk).update(title=SCRIPT, description=SCRIPT)
    for url in (
        reverse("groups:detail", args=[world.group_a.pk]),
        reverse("groups:index"),
        reverse("matching:need_detail", args=[world.need.pk]),
        reverse("matching:index"),
        reverse("core:home"),
    ):
        body = Client().get(url).content.decode()
        assert SCRIPT not in body, url
