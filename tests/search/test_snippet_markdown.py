"""Search snippets are text, without the Markdown of the pages of real mkdocs-material sites:
link syntax and attribute lists, admonition and details markers (!!!, ???, ???+), content
tabs, table rules, footnote marks, icon shortcodes, snippet includes.

The page below is made of lines as the sites have them: the call-to-action links of
paperless-ngx's docs/index.md (commit 1188a89), the command table of pi-hole's
docs/main/pihole-command.md, and the admonitions, details and tabs those sites use."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from kb.search.documents import plain_text, split_sections
from kb.search.engine import SearchEngine
from kb.search.index import open_published, publish, update_index

from tests.search.test_engine import doc

PAGE = """
---
title: Paperless-ngx
---
**Paperless-ngx** is a _community-supported_ open-source document management system.

[Get started](setup.md){ .md-button .md-button--primary .index-callout }
[Demo](https://demo.paperless-ngx.com){ .md-button .md-button--secondary target=\\_blank }

## Features

-   Office documents (Word, Excel, PowerPoint, and LibreOffice equivalents)[^1] and more.
-   **Email processing**[^1]: import documents from your email accounts :material-email:

!!! note "Consumption of scanned documents"

    Paperless consumes documents from the consumption directory.

??? tip "Secure password input"

    Leave the password out of the command line.

???+ warning

    The archive is rewritten.

=== "Docker"

    Run the consumer in its container.

| Feature | Invocation |
| -------------- | :------------: |
| [Core Script](#pi-hole-core) | `pihole` |

--8<-- "includes/abbreviations.md"

[^1]: Office documents are converted by Gotenberg.
"""

RESIDUE = re.compile(
    r"\]\(|\]\[|\{\s*[.#:]|!!!|\?\?\?|^===|-{2,}\s*\||:-{2,}|\[\^|--8<--|:material-|\|", re.M
)


def test_every_section_of_the_page_is_plain_text():
    article = doc("index.md", PAGE)
    texts = [s.text for s in article.sections] + [s.heading for s in article.sections]
    for text in texts:
        assert not RESIDUE.search(text), text
    body = article.body_text
    # what the markup carried stays: link texts, the admonitions' titles, the table's cells
    for words in (
        "Get started",
        "Demo",
        "Consumption of scanned documents",
        "Secure password input",
        "Docker",
        "Core Script pihole",
        "and more.",
        "Office documents are converted by Gotenberg.",
    ):
        assert words in body, (words, body)


@pytest.mark.parametrize(
    ("markdown", "expected"),
    [
        ('!!! note "Title"\n    Text.', "Title\nText."),
        ("!!! Warning\n    Text.", "Text."),
        ('??? tip inline end "Side"\n    Text.', "Side\nText."),
        ('=== "macOS"\n    Text.', "macOS\nText."),
        ("| a | b |\n|---|---|\n| 1 | 2 |", "a b\n1 2"),
        ("Word[^note] here.", "Word here."),
        ("Mixer --- desk", "Mixer --- desk"),  # text, not a table rule
    ],
)
def test_markers_leave_their_text(markdown, expected):
    assert plain_text(markdown) == expected


def test_the_snippet_of_a_real_page_has_no_markdown(tmp_path):
    update_index(tmp_path / "w", [doc("index.md", PAGE)])
    publish(tmp_path / "w", tmp_path / "s")
    engine = SearchEngine(open_published(tmp_path / "s"))
    for query in ("get started demo", "secure password input", "core script pihole"):
        [hit] = engine.search(query, "en")["results"]
        text = re.sub(r"</?mark>", "", hit["snippet"])
        assert text and not RESIDUE.search(text), (query, hit["snippet"])


def test_sections_keep_their_headings():
    assert [s.heading for s in split_sections(PAGE.split("---\n", 2)[2])] == ["", "Features"]


SITES = Path(__file__).resolve().parents[1] / "fixtures" / "sites"
REAL_PAGES = sorted(p for p in SITES.glob("*/**/*.md") if p.name != "SOURCE.md")


def test_the_five_real_sites_pages_index_as_plain_text():
    """Every page of the five real sites kept in tests/fixtures/sites (their SOURCE.md names
    each one's repository and commit): no Markdown left in what search indexes and shows."""
    assert len({p.relative_to(SITES).parts[0] for p in REAL_PAGES}) >= 5
    found = []
    for path in REAL_PAGES:
        article = doc(path.relative_to(SITES).as_posix(), path.read_text(encoding="utf-8"))
        for section in article.sections:
            for line in (section.heading, *section.text.split("\n")):
                if RESIDUE.search(line):
                    found.append(f"{path.relative_to(SITES)}: {line[:120]}")
    assert not found, "\n".join(found)
