"""The content model: front matter, titles, ids, revisions."""

import pytest

from kb.core.content import load_article, revision_of
from kb.core.errors import ContentError


def test_front_matter_fields_are_read():
    a = load_article(
        "billing/refund.md",
        "---\nid: refund-1\ntitle: Can I get a refund?\n"
        "type: faq\ntags: [refund]\nreview_by: 2030-01-01\n---\nYes.\n",
    )
    assert (a.id, a.title, a.type, a.category, a.tags) == (
        "refund-1",
        "Can I get a refund?",
        "faq",
        "billing",
        ["refund"],
    )
    assert not a.findings


def test_title_from_h1_when_front_matter_has_none():
    a = load_article("x.md", '# <a name="a"></a>Problemi con Office {#office}\n\nTesto.\n')
    assert a.title == "Problemi con Office"
    assert a.id == "x" and a.id_from_path


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("---\ntitle: [unclosed\n---\n", 2, "malformed YAML front matter"),
        ("---\ntitle: ok\n", 1, "never closed"),
        ("---\n- a\n- b\n---\n", 2, "must be a mapping"),
    ],
)
def test_malformed_front_matter_names_the_line(text, line, message):
    with pytest.raises(ContentError) as exc:
        load_article("bad.md", text)
    (finding,) = exc.value.findings
    assert finding.line == line and message in finding.message


@pytest.mark.parametrize(
    ("front", "message"),
    [
        ("title: T\ntype: faqs", "unknown type 'faqs'"),
        ("type: faq", "missing title"),
        ("title: T\nreview_by: soon", "is not a date"),
        ("title: T\ntype: onboarding", "without 'step:'"),
    ],
)
def test_field_problems_become_findings(front, message):
    a = load_article("a.md", f"---\n{front}\n---\nBody\n")
    assert any(message in f.message for f in a.findings), a.findings


def test_revision_ignores_whitespace_but_not_words():
    base = revision_of("T", "Line one.\n\nLine two.\n")
    assert revision_of("T", "Line one.   \r\n\r\n\r\n\nLine two.") == base
    assert revision_of("T", "Line one.\n\nLine 2.\n") != base
    assert revision_of("Other", "Line one.\n\nLine two.\n") != base
