"""Find every form the app shows, by crawling every URL pattern as each kind of user and
reading the HTML, so a form added tomorrow is swept without anyone listing it."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

from django.contrib import admin
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from tests.isolation import KWARG_FACTORIES

TEXT_INPUTS = {"", "text", "url", "email", "search", "tel"}
SKIP_ACTIONS = ("/accounts/logout/",)


@dataclass
class Form:
    action: str
    htmx: bool
    fields: dict[str, str] = field(default_factory=dict)
    text_fields: list[str] = field(default_factory=list)
    found_on: str = ""

    @property
    def key(self) -> tuple:
        return (self.action, tuple(sorted(self.fields)))


class _FormParser(HTMLParser):
    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page, self.forms, self._form, self._select, self._textarea = page, [], None, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            method = (a.get("method") or "get").lower()
            action = a.get("hx-post") or a.get("action") or self.page
            self._form = (
                Form(action=action, htmx="hx-post" in a, found_on=self.page)
                if method == "post" or "hx-post" in a
                else None
            )
            return
        form = self._form
        # Admin inlines carry an empty template form ("__prefix__") for "add another".
        if form is None or not a.get("name") or "disabled" in a or "__prefix__" in a["name"]:
            return
        name = a["name"]
        if tag == "input":
            kind = (a.get("type") or "").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    form.fields[name] = a.get("value", "on")
            elif kind not in ("submit", "button", "file", "image", "reset"):
                form.fields[name] = a.get("value", "")
                if kind in TEXT_INPUTS:
                    form.text_fields.append(name)
        elif tag == "textarea":
            self._textarea = name
            form.fields[name] = ""
            form.text_fields.append(name)
        elif tag == "select":
            self._select = name
            form.fields.setdefault(name, "")
        elif tag == "option" and self._select:
            if "selected" in a or not form.fields.get(self._select):
                form.fields[self._select] = a.get("value", "")

    def handle_data(self, data):
        if self._form is not None and self._textarea:
            self._form.fields[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "form" and self._form is not None:
            if self._form.text_fields and not self._form.action.startswith(SKIP_ACTIONS):
                self.forms.append(self._form)
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def forms_on(page: str, html: str) -> list[Form]:
    parser = _FormParser(page)
    parser.feed(html)
    return parser.forms


def _patterns(patterns, namespace=""):
    """(name with its namespace, pattern) for every named pattern outside the admin."""
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if entry.app_name == "admin":
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _patterns(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield namespace + entry.name, entry


def app_pages(client, sprint, consultant) -> list[str]:
    """A URL for every named pattern, objects taken from ``client``'s data."""
    urls = []
    for name, pattern in _patterns(get_resolver().url_patterns):
        kwargs = getattr(pattern.pattern, "converters", {}) or pattern.pattern.regex.groupindex
        if set(kwargs) & {"uidb64", "token"}:
            continue
        try:
            urls.append(
                reverse(
                    name,
                    kwargs={k: KWARG_FACTORIES[k](client, sprint, consultant) for k in kwargs},
                )
            )
        except (NoReverseMatch, KeyError):
            continue
    return sorted(set(urls))


def admin_pages() -> list[str]:
    """The add page of every model registered in the admin."""
    urls = []
    for model, model_admin in admin.site._registry.items():
        info = (model._meta.app_label, model._meta.model_name)
        if model_admin.has_add_permission is not None:
            try:
                urls.append(reverse(f"admin:{info[0]}_{info[1]}_add"))
            except NoReverseMatch:
                continue
    return sorted(urls)


def collect(http, pages: list[str]) -> dict[tuple, Form]:
    found: dict[tuple, Form] = {}
    for page in pages:
        response = http.get(page)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        for form in forms_on(page, response.content.decode()):
            found.setdefault(form.key, form)
    return found
