"""Template fragments rendered once per build instead of once per page.

Some partials (the feedback widget) are the same on every article page but for a few values
(the article id, its revision). Templates wrap them in a ``call`` block::

    {% call(v) kb_fragment("feedback", [kb.lang, api], {"id": a.id, "rev": a.revision}) %}
      <form data-article="{{ v.id | e }}" ...>
    {% endcall %}

The block is rendered once per key with placeholders for the values; each page gets a copy
with its own values put in, escaped as the template escapes them (``| e`` or ``| urlencode``).
The first page of each key is also rendered the ordinary way (with its own values and with
values full of characters to escape) and compared: when the copy differs (a value used raw or
otherwise transformed), that key is rendered the ordinary way from then on. What the block
shows must depend only on the key and the values (the template's promise; not checkable).
"""

from __future__ import annotations

from jinja2.filters import do_urlencode
from markupsafe import Markup, escape

_OPEN, _CLOSE = "\x02kb:", "\x03"
_UNCACHED = object()


def _mark(name: str) -> str:
    return f"{_OPEN}{name}{_CLOSE}"


class Fragments:
    """``kb_fragment(name, key, values, caller)`` for the templates; one instance per build."""

    def __init__(self) -> None:
        self.cache: dict[tuple, object] = {}
        self.hits = 0

    def __call__(self, name: str, key, values: dict, caller) -> Markup:
        given, values = values, {k: str(v) for k, v in values.items()}  # as {{ v | e }} shows it
        if any(_OPEN in v or _CLOSE in v for v in values.values()):
            return Markup(caller(given))
        ck = (name, tuple(key) if isinstance(key, (list, tuple)) else key, tuple(sorted(values)))
        try:
            entry = self.cache.get(ck)
        except TypeError:  # an unhashable key: no cache
            return Markup(caller(given))
        if entry is _UNCACHED:
            return Markup(caller(given))
        if entry is None:
            template = str(caller({k: _mark(k) for k in values}))
            direct = str(caller(given))
            probe = {k: f"{v}<&\"' é/?#%" for k, v in values.items()}  # every escaping shows
            if _fill(template, values) != direct or _fill(template, probe) != str(caller(probe)):
                self.cache[ck] = _UNCACHED
                return Markup(direct)
            self.cache[ck] = template
            return Markup(direct)
        self.hits += 1
        return Markup(_fill(entry, values))


def _fill(template: str, values: dict[str, str]) -> str:
    out = template
    for k, v in values.items():
        mark = _mark(k)
        out = out.replace(mark, str(escape(v))).replace(do_urlencode(mark), do_urlencode(v))
    return out
