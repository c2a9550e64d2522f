"""Reads the POST forms of a rendered page the way a browser would submit them."""

from __future__ import annotations

from html.parser import HTMLParser


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: dict | None = None
        self._option: dict | None = None
        self._textarea: dict | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = {
                "method": (a.get("method") or "get").lower(),
                "action": a.get("action") or "",
                "fields": [],
                "names": set(),
            }
            self.forms.append(self._form)
            return
        if self._form is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            self._form["names"].add(name)
            kind = (a.get("type") or "text").lower()
            if kind in {"submit", "button", "image", "reset", "file"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in a:
                return
            self._form["fields"].append((name, a.get("value", "on" if kind in {"checkbox", "radio"} else "")))
        elif tag == "select" and name:
            self._form["names"].add(name)
            self._select = {"name": name, "multiple": "multiple" in a, "options": [], "selected": []}
        elif tag == "option" and self._select is not None:
            self._option = {"value": a.get("value"), "text": "", "selected": "selected" in a}
        elif tag == "textarea" and name:
            self._form["names"].add(name)
            self._textarea = {"name": name, "text": ""}

    def handle_data(self, data):
        if self._option is not None:
            self._option["text"] += data
        if self._textarea is not None:
            self._textarea["text"] += data

    def handle_endtag(self, tag):
        if tag == "option" and self._option is not None and self._select is not None:
            option = self._option
            value = option["value"] if option["value"] is not None else option["text"].strip()
            self._select["options"].append(value)
            if option["selected"]:
                self._select["selected"].append(value)
            self._option = None
        elif tag == "select" and self._select is not None and self._form is not None:
            select = self._select
            values = select["selected"] or (
                [] if select["multiple"] or not select["options"] else [select["options"][0]]
            )
            self._form["fields"].extend((select["name"], v) for v in values)
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            text = self._textarea["text"]
            self._form["fields"].append((self._textarea["name"], text[1:] if text.startswith("\n") else text))
            self._textarea = None
        elif tag == "form":
            self._form = None


def post_forms(html: str) -> list[dict]:
    parser = _FormParser()
    parser.feed(html)
    return [form for form in parser.forms if form["method"] == "post"]


def form_data(html: str, *, containing: str) -> dict[str, list[str]]:
    """The data the POST form holding a field named `containing` would send, as {name: [values]}."""
    for form in post_forms(html):
        if containing in form["names"]:
            data: dict[str, list[str]] = {}
            for name, value in form["fields"]:
                data.setdefault(name, []).append(value)
            return data
    raise AssertionError(f"no POST form with a field named {containing!r} on the page")
