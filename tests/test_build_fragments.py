"""Template fragments rendered once per build (kb/plugin/fragments.py): every page gets exactly
what an ordinary render would give it, or the fragment is not cached."""

from __future__ import annotations

import jinja2

from kb.plugin.fragments import Fragments

VALUES = [
    {"id": "billing/refunds", "rev": "abc123", "title": "Refunds"},
    {"id": "a&b/<c>", "rev": "\"q\"", "title": "Perché l'IVA? 50% & più / #1"},
    {"id": "x", "rev": "", "title": None},
]


def render(source: str, values: dict, fragments: Fragments | None) -> str:
    env = jinja2.Environment()
    env.globals["kb_fragment"] = fragments if fragments is not None else (
        lambda name, key, v, caller: caller(v))
    return env.from_string(source).render(values=values, lang="en")


ESCAPED = """{% call(v) kb_fragment("w", [lang], values) -%}
<form data-article="{{ v.id | e }}" data-rev="{{ v.rev | e }}">
<a href="/support?article={{ v.id | urlencode }}&amp;title={{ v.title | urlencode }}">{{ lang }}</a>
</form>
{%- endcall %}"""


def test_cached_fragment_equals_an_ordinary_render_for_every_page():
    fragments = Fragments()
    for values in VALUES:
        assert render(ESCAPED, values, fragments) == render(ESCAPED, values, None)
    assert fragments.hits == len(VALUES) - 1  # rendered once, then filled in


def test_a_value_used_raw_is_not_cached_so_the_output_stays_exact():
    raw = ESCAPED.replace("{{ v.rev | e }}", "{{ v.rev }}")
    fragments = Fragments()
    for values in VALUES:  # the first page's values need no escaping: the probe catches it
        assert render(raw, values, fragments) == render(raw, values, None)
    assert fragments.hits == 0


def test_values_that_look_like_placeholders_are_rendered_directly():
    fragments = Fragments()
    render(ESCAPED, VALUES[0], fragments)
    odd = {"id": "\x02kb:id\x03", "rev": "r", "title": "t"}
    assert render(ESCAPED, odd, fragments) == render(ESCAPED, odd, None)
