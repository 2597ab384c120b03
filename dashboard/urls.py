"""The URL is the state: links and selectors read and write query strings through these helpers.

A selector's callback does not redraw the page itself; it writes the new value into the query
string, and the page's `layout(**query)` draws what the URL says. So every view can be bookmarked,
shared and reloaded, and the back button works.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import parse_qsl, urlencode

from dashboard.i18n import DEFAULT_LANG, Lang

ENCODE_JS = """
function demQueryOf(search) {
    const params = {};
    new URLSearchParams(search || "").forEach(function(v, k) { if (v !== "") { params[k] = v; } });
    return params;
}
function demEncode(params) {
    const kept = Object.keys(params).filter(function(k) {
        const v = params[k];
        return v !== null && v !== undefined && v !== "" && !(k === "lang" && v === "DEFAULT_LANG");
    }).sort();
    const out = new URLSearchParams();
    kept.forEach(function(k) { out.append(k, String(params[k])); });
    return kept.length ? "?" + out.toString() : "";
}
""".replace("DEFAULT_LANG", DEFAULT_LANG)
"""`query_of` and `encode` in JavaScript, for the callbacks that run in the browser (prepended to them)."""


def browser_function(body: str) -> str:
    """A clientside callback: `body` is a JavaScript function expression that may use demQueryOf/demEncode."""
    return f"(function() {{{ENCODE_JS}\nreturn {body.strip()};\n}})()"


def query_of(search: str | None) -> dict[str, str]:
    """`?a=1&b=2` → {"a": "1", "b": "2"} (the last value wins)."""
    return dict(parse_qsl((search or "").lstrip("?"), keep_blank_values=False))


def encode(params: Mapping[str, object | None]) -> str:
    """{"a": 1, "b": None} → `?a=1`; empty → ``. Parameters in a stable order."""
    kept = {k: str(v) for k, v in params.items() if v not in (None, "")}
    if kept.get("lang") == DEFAULT_LANG:
        del kept["lang"]
    return "?" + urlencode(sorted(kept.items())) if kept else ""


def with_query(search: str | None, **changes: object | None) -> str:
    """The search string with some parameters changed (None removes one)."""
    params: dict[str, object | None] = dict(query_of(search))
    params.update(changes)
    return encode(params)


def href(path: str, lang: Lang, **params: object | None) -> str:
    """A link within the dashboard that keeps the language."""
    return path + encode({**params, "lang": lang})
