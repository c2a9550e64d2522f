"""Template tags and filters every page may use (loaded as a builtin): dates and fiscal years,
permissions, {% data_table %}, and {% url %} and |date with what they found kept."""

import datetime as dt
import functools
import html

from django import template
from django.conf import settings
from django.template import defaultfilters
from django.template.base import token_kwargs
from django.template.defaulttags import URLNode, querystring
from django.template.defaulttags import url as django_url
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape, format_html, strip_tags
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from core import fiscal

register = template.Library()


# --- |date, with the text of a plain date kept ---------------------------------------------------
# Django's |date reads the format and walks it character by character on every call: 17 µs, about
# a third of a table row's rendering (a follow-up row shows two dates). The text of a date (not a
# date and time, which depends on the time zone) depends only on the date, the format and the
# language, so it is kept for the process (bounded). This filter replaces the builtin one: the
# project's builtins are loaded after Django's.
DATE_TEXT_KEEP_MAX = 4096


@functools.lru_cache(maxsize=DATE_TEXT_KEEP_MAX)
def _date_text(value: dt.date, arg: str | None, language: str | None) -> str:
    return defaultfilters.date(value, arg)


@register.filter(expects_localtime=True, is_safe=False)
def date(value, arg=None):
    """{{ some_date|date:"Y年n月j日" }}: Django's |date."""
    if type(value) is dt.date:
        return _date_text(value, arg, get_language())
    return defaultfilters.date(value, arg)


@register.filter
def fiscal_year(value: dt.date | dt.datetime | None) -> int | str:
    """{{ some_date|fiscal_year }} → 2025"""
    if not value:
        return ""
    return fiscal.fiscal_year_of(value)


@register.filter
def fiscal_label(value: int | dt.date | dt.datetime | None) -> str:
    """{{ 2025|fiscal_label }} or {{ some_date|fiscal_label }} → 令和7年度"""
    if value in (None, ""):
        return ""
    if isinstance(value, dt.date):
        value = fiscal.fiscal_year_of(value)
    return fiscal.fiscal_year_label(int(value))


@register.filter
def wareki(value: dt.date | dt.datetime | None) -> str:
    """{{ some_date|wareki }} → 令和8年4月1日"""
    if not value:
        return ""
    if isinstance(value, dt.datetime):
        from django.utils import timezone

        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return fiscal.wareki_date(value)


@register.simple_tag
def elided_pages(page_obj):
    """Page numbers around the current page, with … where pages are left out."""
    return page_obj.paginator.get_elided_page_range(page_obj.number, on_each_side=2, on_ends=1)


@register.simple_tag(takes_context=True)
def page_query(context, param: str, number: int) -> str:
    """{% querystring %} with the page number under the name `param` (a page with two lists
    paged apart names each list's own)."""
    return querystring(context, **{param: number})


@register.simple_tag
def rule_perm(perm: str, user, obj=None) -> bool:
    """{% rule_perm "reports.access_reports" user as can_read_reports %}: asks the rules.

    Like rules' {% has_perm %}, but only the rules (every permission a template asks about is
    declared in an app's rules.py): it never falls through to Django's model permissions, which
    would cost two queries per page for every signed-in visitor who lacks the permission."""
    from core.permissions import may

    return may(user, perm, obj)


@register.filter
def requirement(bound_field):
    """{% with mark=field|requirement %}: 必須, 任意 or a conditional rule (法人の場合は必須), from
    the rule the form validates with; None on search and filter forms (see core/forms.py)."""
    from core.forms import requirement_mark

    return requirement_mark(bound_field)


@register.simple_tag(takes_context=True)
def search_summary(context, filterset, keep: str = "", outside: str = ""):
    """{% search_summary filter keep="view month" outside="row" as search %}: the search-and-filter
    component's parts (templates/includes/search_form.html and search_result.html)."""
    from core.filters import search_summary as summarise

    return summarise(filterset, context["request"].GET, keep=keep.split(), outside=outside.split())


SEARCH_LAYOUT_OPTIONS = ("url_name", "label", "count", "noun")


class OptionsBlockNode(template.Node):
    """A block tag's body and its name=value options ({% search_layout %}, {% data_table %})."""

    def __init__(self, nodelist, options):
        self.nodelist = nodelist
        self.options = options

    def resolved_options(self, context) -> dict:
        return {name: value.resolve(context) for name, value in self.options.items()}


def _options_block(parser, token, allowed: tuple[str, ...], *, all_required: bool = False):
    """Parses {% name key=value … %}…{% endname %}: the tag's name, its options (only those
    allowed, and every one of them when all_required) and its body."""
    name, *bits = token.split_contents()
    options = token_kwargs(bits, parser)
    given, known = set(options), set(allowed)
    if bits or (given != known if all_required else not given <= known):
        takes = "takes" if all_required else "takes only"
        raise template.TemplateSyntaxError(f"{name} {takes} {'=, '.join(allowed)}=")
    nodelist = parser.parse((f"end{name}",))
    parser.delete_first_token()
    return name, options, nodelist


class SearchLayoutNode(OptionsBlockNode):
    def render(self, context):
        from core.filters import search_summary as summarise

        options = self.resolved_options(context)
        layout = context.template.engine.get_template("includes/search_layout.html")
        with context.push(search=summarise(context["filter"], context["request"].GET)):
            results = self.nodelist.render(context)
            with context.push(results=results, **options):
                return layout.render(context)


@register.tag
def search_layout(parser, token):
    """{% search_layout url_name="events:staff_index" label="催しの検索" count=n noun="催し" %}
    … the list …
    {% endsearch_layout %}

    A list beside its filter panel (includes/search_layout.html): the panel searches the page's
    `filter` at url_name, the result line counts `count` of `noun`, then the list itself. The
    list may read `search` ({% search_summary %} of the filter)."""
    _name, options, nodelist = _options_block(parser, token, SEARCH_LAYOUT_OPTIONS, all_required=True)
    return SearchLayoutNode(nodelist, options)


@register.filter
def device_label(user_agent: str | None) -> str:
    """{{ session.user_agent|device_label }} → Chrome（Windows のパソコン）"""
    from core.useragent import describe_user_agent

    return describe_user_agent(user_agent)


@register.filter
def tel_link(phone: str | None):
    """{{ group.phone|tel_link }} → <a href="tel:0001234567">000-123-4567</a> ("" when empty)."""
    import re

    from django.utils.html import format_html

    if not phone:
        return ""
    digits = re.sub(r"[^0-9+]", "", str(phone))
    return format_html('<a href="tel:{}">{}</a>', digits, phone) if digits else phone


@register.simple_tag(takes_context=True)
def role_workspace(context, user) -> dict:
    """{% role_workspace user as workspace %}: the role's label and main links for the header
    (core.workspace), each link with `current` when it is the page shown."""
    from django.urls import reverse

    from core.workspace import workspace_for

    workspace = workspace_for(user)
    request = context.get("request")
    path = request.path if request is not None else ""
    links = []
    for title, name in workspace.links:
        url = reverse(name)
        links.append({"title": title, "url": url, "current": path == url})
    return {"label": workspace.label, "links": links}


# --- {% data_table %}: a table in its own scrolling region, named by its caption ---------------
# A wide table scrolls sideways inside a region that the keyboard can reach (tabindex) and that
# a screen reader announces by the table's caption; the page navigation follows the table.


class CaptionNode(template.Node):
    def __init__(self, nodelist):
        self.nodelist = nodelist

    def render(self, context):
        return self.nodelist.render(context)


@register.tag
def caption(parser, token):
    """{% caption %}送信メール（{{ count }}件）{% endcaption %}, inside a {% data_table %}."""
    nodelist = parser.parse(("endcaption",))
    parser.delete_first_token()
    return CaptionNode(nodelist)


DATA_TABLE_OPTIONS = ("page", "rows", "empty", "label", "class", "caption_class")


def _class_attribute(css: str | None):
    return format_html(' class="{}"', css) if css else ""


class DataTableNode(OptionsBlockNode):
    def render(self, context):
        options = self.resolved_options(context)
        page = options.get("page")
        if "empty" in options:
            rows = options["rows"] if "rows" in options else page and page.object_list
            if not rows:
                return format_html("<p>{}</p>", options["empty"])
        caption = ""
        parts = []
        for node in self.nodelist:
            if isinstance(node, CaptionNode):
                caption = node.render(context)
                css = _class_attribute(options.get("caption_class"))
                parts.append(format_html("<caption{}>{}</caption>", css, caption))
            else:
                parts.append(node.render_annotated(context))
        table = format_html(
            '<div class="table-wrap" role="region" tabindex="0" aria-label="{}"><table{}>{}</table></div>',
            options.get("label") or html.unescape(strip_tags(caption)).strip(),
            _class_attribute(options.get("class")),
            SafeString("".join(parts)),
        )
        if page is None:
            return table
        pagination = context.template.engine.get_template("includes/pagination.html")
        with context.push(page_obj=page):
            return format_html("{}\n{}", table, pagination.render(context))


@register.tag
def data_table(parser, token):
    """{% data_table page=page_obj %}{% caption %}…{% endcaption %}<thead>…<tbody>…{% enddata_table %}

    The table in its scrolling region, named by the caption (label="…" when the name should be
    shorter), then the page navigation when page= is given. empty="…" is the sentence shown
    instead of the table when it has no rows (rows=, or the page's). class= is the table's class,
    caption_class= the caption's (visually-hidden where the heading above already says it)."""
    name, options, nodelist = _options_block(parser, token, DATA_TABLE_OPTIONS)
    if "empty" in options and not {"rows", "page"} & set(options):
        raise template.TemplateSyntaxError(f"{name} with empty= needs rows= or page=")
    if sum(isinstance(node, CaptionNode) for node in nodelist) != 1:
        raise template.TemplateSyntaxError(f"{name} needs one {{% caption %}}")
    return DataTableNode(nodelist, options)


# --- {% url %}, with the addresses it found kept for the process -------------------------------
# A page asks for the same addresses on every request (the header, the menus, the footer: some
# twenty on every page), and Django's {% url %} looks each up again: about as long as the rest of
# the header took to render. An address depends only on these inputs, so each is kept (bounded).
URL_KEEP_MAX = 4096
_KEPT_ARG_TYPES = (str, int)


@functools.lru_cache(maxsize=URL_KEEP_MAX)
def _kept_reverse(view_name, args, kwargs, current_app, urlconf, root_urlconf, prefix) -> str:
    return reverse(str(view_name), args=args, kwargs=dict(kwargs), current_app=current_app, urlconf=urlconf)


_URL_STATE = "kyodo.url_state"


def _url_state(context) -> tuple:
    """The request's current app, URLconf and script prefix, read once per template rendered (a
    table's rows ask for two addresses each)."""
    state = context.render_context.get(_URL_STATE)
    if state is None:
        request = getattr(context, "request", None)
        current_app = getattr(request, "current_app", None)
        if current_app is None:
            current_app = getattr(getattr(request, "resolver_match", None), "namespace", None)
        state = context.render_context[_URL_STATE] = (current_app, get_urlconf(), get_script_prefix())
    return state


class KeptURLNode(URLNode):
    def render(self, context):
        args = tuple(arg.resolve(context) for arg in self.args)
        kwargs = {k: v.resolve(context) for k, v in self.kwargs.items()} if self.kwargs else {}
        view_name = self.view_name.resolve(context)
        current_app, urlconf, prefix = _url_state(context)
        url = ""
        try:
            plain = all(isinstance(v, _KEPT_ARG_TYPES) for v in (*args, *kwargs.values()))
            if isinstance(view_name, str) and plain:
                url = _kept_reverse(
                    view_name,
                    args,
                    tuple(sorted(kwargs.items())),
                    current_app,
                    urlconf,
                    settings.ROOT_URLCONF,
                    prefix,
                )
            else:
                url = reverse(view_name, args=args, kwargs=kwargs, current_app=current_app)
        except NoReverseMatch:
            if self.asvar is None:
                raise
        if self.asvar:
            context[self.asvar] = url
            return ""
        return conditional_escape(url) if context.autoescape else url


@register.tag
def url(parser, token):
    """Django's {% url %} (same arguments, same errors), answered from the kept addresses."""
    node = django_url(parser, token)
    return KeptURLNode(node.view_name, node.args, node.kwargs, node.asvar)
