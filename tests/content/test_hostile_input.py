"""Attacks on the content model: no text a writer (or an attacker) puts in a file crashes it.

Each property feeds hypothesis-made input to one piece of kb's pure logic. The only allowed
outcomes are a result or a ``ContentError`` / ``FrontMatterError`` whose findings name a
path and a line inside the file, with a message a writer can act on.
"""

from __future__ import annotations

import datetime as dt
import string

from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from kb.core import checks, links
from kb.core.content import load_article, revision_of, slugify
from kb.core.errors import ContentError, Finding
from kb.core.frontmatter import FrontMatterError, parse
from kb.core.helpcenter import load_help_center
from kb.core.markdown_compat import to_mkdocs

# A bounded, deterministic budget: these run in every `make test`.
FAST = settings(
    max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)

# Text that looks like Markdown with front matter: the characters that matter to the parsers.
MD_ALPHABET = st.sampled_from(
    list(string.ascii_letters + string.digits + " \t\n\r-:#[]()!{}%<>/'\"`*|&.,?=\\~")
    + ["é", "\ufeff", "\x00", "\u2028", "🙂"]
)
markdown_text = st.text(alphabet=MD_ALPHABET, max_size=400)
any_text = st.text(max_size=300)

YAML_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=30),
    st.dates(),
)
yaml_values = st.recursive(
    YAML_SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
FRONT_KEYS = st.sampled_from(
    [
        "title",
        "id",
        "type",
        "lang",
        "tags",
        "summary",
        "review_by",
        "step",
        "category",
        "owner",
        "hide",
        "order",
        "redirect",
        "layout",
        "description",
    ]
)


def _lines_in_file(findings: list[Finding], text: str) -> None:
    n_lines = text.count("\n") + 1
    for f in findings:
        assert f.path and 1 <= f.line <= max(n_lines, 1), f
        assert f.level in ("error", "warning")
        assert f.message.strip() and "Traceback" not in f.message


@FAST
@given(markdown_text)
@example("---\n")
@example("---\n---\n")
@example("---\n: :\n---\n")
@example("---\n&a [*a]\n---\n")
@example("---\n!!python/object:os.system ls\n---\n")
@example("\ufeff---\ntitle: x\n---\n")
@example("---\na: !!binary '%%%'\n---\n")
@example("---\n? [a]\n: b\n---\n")
def test_front_matter_parse_never_crashes(text):
    try:
        fm = parse(text)
    except FrontMatterError as exc:
        assert exc.message and 1 <= exc.line <= text.count("\n") + 2
        return
    assert isinstance(fm.data, dict) and all(isinstance(k, str) for k in fm.data)
    assert fm.body_line >= 1


def test_yaml_tags_never_run_code():
    """PyYAML's unsafe tags are refused: front matter is data, never Python objects."""
    text = "---\ntitle: !!python/object/apply:os.system ['echo pwned']\n---\nBody\n"
    try:
        a = load_article("evil.md", text)
    except ContentError as exc:
        (f,) = exc.findings
        assert f.path == "evil.md" and f.line == 2 and "malformed YAML" in f.message
    else:  # pragma: no cover - the safe loader must refuse the tag
        raise AssertionError(f"unsafe tag accepted: {a.meta!r}")


def test_billion_laughs_aliases_do_not_explode():
    """Nested aliases are expanded by reference, not copied: parsing stays instant."""
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        prev = chr(ord("a") + i - 1)
        cur = chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]")
    text = "---\ntitle: Laughs\n" + "\n".join(lines) + "\n---\nBody\n"
    a = load_article("lol.md", text)
    assert a.title == "Laughs"
    _lines_in_file(a.findings, text)


@FAST
@given(st.dictionaries(FRONT_KEYS, yaml_values, max_size=6), markdown_text)
def test_any_front_matter_values_become_findings_not_crashes(meta, body):
    import yaml

    front = yaml.safe_dump(meta, allow_unicode=True, default_flow_style=False, sort_keys=False)
    text = f"---\n{front}---\n{body}"
    try:
        a = load_article("cat/a.md", text)
    except ContentError as exc:
        _lines_in_file(exc.findings, text)
        return
    assert a.title and isinstance(a.title, str)
    assert a.type in ("faq", "onboarding", "troubleshooting", "howto", "article")
    assert a.lang in ("en", "it")
    assert all(isinstance(t, str) for t in a.tags)
    assert len(a.revision) == 12
    _lines_in_file(a.findings, text)


# Raw YAML values a writer may type: each parses into something the loader must handle.
RAW_YAML_VALUES = st.sampled_from(
    [
        ".inf",
        "-.inf",
        ".nan",
        "1e400",
        "99999999999999999999999",
        "-1",
        "0",
        "1.5",
        "true",
        "~",
        "null",
        "2030-02-30",
        "2030-13-01",
        "2030-01-01T25:00:00",
        "9999-12-31",
        "0x1F",
        "0o17",
        "+12",
        "1_000",
        "[1, [2, [3]]]",
        "{a: {b: c}}",
        "!!binary aGVsbG8=",
        "!!set {a, b}",
        "!!omap [a: 1]",
        "!!str 12",
        "&x 1",
        "*x",
        "'unterminated",
        "[" * 150,
        "{" * 150 + "}" * 150,
        "|\n  block\n  text",
        ">-\n  folded",
        '"\\x00 nul"',
        '"\\ud800"',
        "<script>alert(1)</script>",
        "../../../etc/passwd",
    ]
)


@FAST
@given(st.lists(st.tuples(FRONT_KEYS, RAW_YAML_VALUES), min_size=1, max_size=5))
@example([("step", ".inf")])
@example([("review_by", "2030-02-30")])
@example([("title", "[" * 50000)])
def test_raw_yaml_values_become_findings_not_crashes(pairs):
    front = "\n".join(f"{k}: {v}" for k, v in pairs)
    text = f"---\n{front}\n---\n# Heading\nBody\n"
    try:
        a = load_article("a.md", text)
    except ContentError as exc:
        _lines_in_file(exc.findings, text)
        return
    _lines_in_file(a.findings, text)
    assert a.step is None or (isinstance(a.step, int) and a.step >= 1)


def test_deep_nesting_is_refused_before_the_parser_crashes():
    """libyaml segfaults on ~30,000 nested brackets; kb refuses long before, naming the line."""
    text = "---\ntitle: T\ntags: " + "[" * 40000 + "]" * 40000 + "\n---\nBody\n"
    try:
        load_article("deep.md", text)
    except ContentError as exc:
        (f,) = exc.findings
        assert (f.path, f.line) == ("deep.md", 3) and "levels deep" in f.message
    else:  # pragma: no cover
        raise AssertionError("deep nesting accepted")


@FAST
@given(markdown_text)
def test_any_article_text_loads_or_is_refused_with_its_line(text):
    try:
        a = load_article("x/y.md", text)
    except ContentError as exc:
        _lines_in_file(exc.findings, text)
        assert all(f.path == "x/y.md" for f in exc.findings)
        return
    _lines_in_file(a.findings, text)


@FAST
@given(any_text, any_text)
def test_revision_and_slug_are_total(title, body):
    assert len(revision_of(title, body)) == 12
    slug = slugify(title)
    assert slug and set(slug) <= set(string.ascii_lowercase + string.digits + "-")
    assert len(slug) <= 60


@FAST
@given(markdown_text)
@example("[x](" + "(" * 5000)
@example("[" * 3000 + "](x)")
@example("<img src='" + "a" * 5000)
def test_links_and_anchors_never_crash(body):
    for link in links.links(body, 7):
        assert link.line >= 7 and isinstance(link.target, str)
    assert all(isinstance(i, str) for i in links.anchors(body))
    for level, text, anchor in links.headings(body):
        assert 1 <= level <= 6 and isinstance(text, str) and isinstance(anchor, str)


@FAST
@given(markdown_text, st.sampled_from(["en", "it", "xx"]))
@example("> [!NOTE]\n> " + "x" * 1000, "en")
@example("{% include " + "a/" * 200 + " %}", "en")
@example("{:" * 2000, "it")
def test_markdown_compat_never_crashes(markdown, lang):
    def include(name: str) -> str:
        return "{% include " + name + " %}"  # a partial that includes itself, forever

    out = to_mkdocs(markdown, lang, include)
    assert isinstance(out, str)


def test_self_including_partial_stops():
    """A partial that includes itself is inlined a bounded number of times."""
    out = to_mkdocs("{% include loop.md %}", "en", lambda _name: "again {% include loop.md %}")
    assert out.count("again") <= 4


# A link target from the writer: relative, absolute, or escaping the docs folder.
link_targets = st.one_of(
    st.text(alphabet=string.ascii_lowercase + "./#%-_?", max_size=40),
    st.sampled_from(
        [
            "../../../etc/passwd",
            "/../../secret.md",
            "..",
            "./../x.md#a",
            "%2e%2e/%2e%2e/etc/passwd",
            "//evil.example/x",
            "a/../../b.md",
            "C:\\windows\\system32",
            "file:///etc/passwd",
            "\x00.md",
        ]
    ),
)


@FAST
@given(st.lists(link_targets, min_size=1, max_size=5))
def test_check_links_with_escaping_paths_reports_not_crashes(tmp_path_factory, targets):
    docs = tmp_path_factory.mktemp("docs")
    (docs / "cat").mkdir()
    body = "\n".join(f"See [x]({t})." for t in targets)
    text = f"---\ntitle: T\nid: t-1\n---\n{body}\n"
    (docs / "cat" / "a.md").write_text(text, encoding="utf-8")
    hc = load_help_center(docs, ["cat/a.md"], with_git=False)
    findings = checks.check_help_center(hc, docs, {"cat/a.md"}, today=dt.date(2030, 1, 1))
    _lines_in_file([f for f in findings if f.path == "cat/a.md"], text)
    for f in findings:
        if "broken" in f.message:
            # a target outside the docs folder is reported, never resolved to a real file
            assert "does not exist" in f.message or "broken anchor" in f.message


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    st.lists(st.tuples(st.sampled_from(["a", "b", "c/d"]), markdown_text), min_size=1, max_size=4)
)
def test_whole_help_center_check_is_total(tmp_path_factory, files):
    docs = tmp_path_factory.mktemp("hc")
    paths = []
    for i, (folder, text) in enumerate(files):
        rel = f"{folder}/f{i}.md"
        (docs / folder).mkdir(parents=True, exist_ok=True)
        (docs / rel).write_text(text, encoding="utf-8", newline="")
        paths.append(rel)
    assume(paths)
    hc = load_help_center(docs, paths, with_git=False)
    findings = checks.check_help_center(hc, docs, set(paths), today=dt.date(2030, 1, 1))
    for f in findings:
        assert f.path in paths and f.line >= 1 and f.message
