"""For other apps' templates: a link to a group's consultation history, shown only to those allowed.

{% load consultations %}
{% consultation_history_link group %}
"""

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext

from consultations.rules import user_can_access

register = template.Library()


@register.simple_tag(takes_context=True)
def consultation_history_link(context, group) -> str:
    """The link to /consultations/group/<id>/ for staff holding the consultation permission; else nothing."""
    request = context.get("request")
    if request is None or group is None or not user_can_access(request.user):
        return ""
    return format_html(
        '<a href="{}">{}</a>',
        reverse("consultations:group_history", args=[group.pk]),
        gettext("この団体の相談履歴（職員のみ）"),
    )
