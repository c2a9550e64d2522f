"""{% data_table %}: every table scrolls in a keyboard-reachable region named by its caption
(core.templatetags.kyodo), with the page navigation after it when it shows one page of many."""

import pytest
from django.core.paginator import Paginator
from django.template import Context, Template, TemplateSyntaxError


def render(source: str, **context) -> str:
    return Template(source).render(Context(context))


def test_the_region_is_named_by_the_caption_as_rendered():
    source = (
        "{% data_table %}{% caption %}送信メール（{{ count }}件）{% endcaption %}<tbody></tbody>"
        "{% enddata_table %}"
    )
    html = render(source, count=3)
    assert html == (
        '<div class="table-wrap" role="region" tabindex="0" aria-label="送信メール（3件）"><table>'
        "<caption>送信メール（3件）</caption><tbody></tbody></table></div>"
    )


def test_a_name_with_markup_or_quotes_is_escaped_once():
    source = "{% data_table %}{% caption %}{{ name }} の記録{% endcaption %}{% enddata_table %}"
    html = render(source, name='A&B "C"')
    assert 'aria-label="A&amp;B &quot;C&quot; の記録"' in html
    assert "<caption>A&amp;B &quot;C&quot; の記録</caption>" in html


def test_label_class_and_caption_class():
    html = render(
        '{% data_table label="審査済みの提案" class="access-log-table" caption_class="visually-hidden" %}'
        "{% caption %}審査済みの提案（2件）: 審査票で確認できます{% endcaption %}{% enddata_table %}"
    )
    assert 'aria-label="審査済みの提案"><table class="access-log-table">' in html
    assert '<caption class="visually-hidden">審査済みの提案（2件）: 審査票で確認できます</caption>' in html


def test_the_page_navigation_follows_a_page_of_many(rf):
    page = Paginator(range(45), 20).page(2)
    template = Template("{% data_table page=page %}{% caption %}一覧{% endcaption %}{% enddata_table %}")
    context = Context({"page": page})
    context.request = rf.get("/list/?q=x&page=2")
    html = template.render(context)
    assert html.index("</table></div>") < html.index('<nav aria-label="ページ送り">')
    assert 'href="?q=x&amp;page=1" rel="prev"' in html
    assert "全45件中 21〜40件目" in html
    single = Paginator(range(5), 20).page(1)
    assert "ページ送り" not in render(
        "{% data_table page=page %}{% caption %}一覧{% endcaption %}{% enddata_table %}", page=single
    )


def test_without_rows_the_empty_sentence_stands_instead_of_the_table():
    caption = "{% caption %}一覧{% endcaption %}{% enddata_table %}"
    source = '{% data_table rows=rows empty="まだありません。" %}' + caption
    assert render(source, rows=[]) == "<p>まだありません。</p>"
    assert "<caption>一覧</caption>" in render(source, rows=[1])
    paged = '{% data_table page=page empty="まだありません。" %}' + caption
    assert render(paged, page=Paginator([], 20).page(1)) == "<p>まだありません。</p>"


@pytest.mark.parametrize(
    "source",
    [
        "{% data_table %}<tbody></tbody>{% enddata_table %}",
        "{% data_table %}{% caption %}a{% endcaption %}{% caption %}b{% endcaption %}{% enddata_table %}",
        "{% data_table cols=x %}{% caption %}a{% endcaption %}{% enddata_table %}",
        "{% data_table x %}{% caption %}a{% endcaption %}{% enddata_table %}",
        '{% data_table empty="なし" %}{% caption %}a{% endcaption %}{% enddata_table %}',
    ],
)
def test_a_table_without_one_caption_or_with_an_unknown_option_does_not_compile(source):
    with pytest.raises(TemplateSyntaxError):
        Template(source)
