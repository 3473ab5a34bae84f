"""The feedback widget as the build writes it: hooks, the no-JS form, opt-outs, strings, size."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest

from kb.core.i18n import STRINGS
from kb.plugin.assets import WIDGET_BUDGET, widget_sizes
from kb.plugin.builder import build_site
from tests.helpers import write_article

REFUND = "billing/request-a-refund/index.html"
REASONS = ["outdated", "missing_steps", "not_answered", "hard_to_follow"]


class Form(HTMLParser):
    """Collects the widget's form element and every element inside it."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.root: dict | None = None
        self.inside: list[tuple[str, dict]] = []
        self.depth = 0
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = {k: (v if v is not None else "") for k, v in attrs}
        if self.root is None and "data-kb-feedback" in attrs:
            self.root, self.depth = attrs, 1
            return
        if self.depth:
            self.inside.append((tag, attrs))
            if tag == "form":
                self.depth += 1

    def handle_endtag(self, tag):
        if self.depth and tag == "form":
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.text.append(data)

    def find(self, tag: str | None = None, **attrs) -> list[dict]:
        return [
            a
            for t, a in self.inside
            if (tag is None or t == tag)
            and all(a.get(k.replace("_", "-")) == v for k, v in attrs.items())
        ]

    @property
    def words(self) -> str:
        return " ".join(" ".join(self.text).split())


def page(site, rel: str = REFUND) -> str:
    return (site / rel).read_text(encoding="utf-8")


def set_kb_option(project, text: str) -> None:
    yml = project / "mkdocs.yml"
    yml.write_text(yml.read_text().replace("  - kb:\n", f"  - kb:\n{text}", 1))


def test_article_page_has_every_hook(built_site):
    form = Form(page(built_site))
    root = form.root
    manifest = json.loads((built_site / "_kb" / "manifest.json").read_text())
    refund = next(a for a in manifest["articles"] if a["id"] == "request-a-refund-4c8e01")
    assert root["data-article"] == refund["id"] and root["data-revision"] == refund["revision"]
    assert root["data-api"] == "" and root["data-lang"] == "en"
    assert [a["data-csat"] for a in form.find("input", name="csat", type="radio")] == list("12345")
    assert [a["data-ces"] for a in form.find("input", name="ces", type="radio")] == list("1234567")
    assert len(form.find("textarea", name="comment")) == 1
    assert len(form.find("button", type="submit")) == 1
    assert [a["value"] for a in form.find("input", name="reason")] == REASONS
    assert len(form.find(role="status")) == 1 and form.find(aria_live="polite")


def test_without_javascript_it_is_a_plain_form(built_site):
    form = Form(page(built_site))
    assert form.root["method"] == "post" and form.root["action"] == "/api/v1/feedback"
    hidden = {a["name"]: a["value"] for a in form.find("input", type="hidden")}
    # the submission is left to the API: a value baked into a static page would be every reader's
    assert hidden == {
        "article": "request-a-refund-4c8e01",
        "revision": form.root["data-revision"],
        "lang": "en",
        "submission": "",
    }
    # every answer has a label a screen reader can say
    assert "Very dissatisfied" in form.words and "Very satisfied" in form.words
    assert "1 (Very difficult)" in form.words and "7 (Very easy)" in form.words
    assert form.find("label", **{"for": "kb-fb-comment"})
    # the API's redirect lands on this id; CSS shows it with :target
    assert form.find("p", id="kb-feedback-thanks")


def test_only_article_pages_carry_the_widget(built_site):
    for rel in ("index.html", "billing/index.html", "404.html"):
        assert "data-kb-feedback" not in page(built_site, rel), rel
    # script and style are everywhere: a vote waiting offline goes out on whatever page comes
    # next, and with Material's instant navigation an article may open without a reload
    home = page(built_site, "index.html")
    # by their fingerprinted names (kb/plugin/assets.py), which may be cached for a year
    assert re.search(r'src="assets/kb/feedback\.[0-9a-f]{8}\.js"', home)
    assert re.search(r'href="assets/kb/feedback\.[0-9a-f]{8}\.css"', home)


@pytest.mark.parametrize("front_matter", ["feedback: false", "hide: [feedback]", "hide: feedback"])
def test_an_article_can_opt_out(project, front_matter):
    write_article(project, "billing/quiet.md", f"---\ntitle: Quiet\n{front_matter}\n---\nText\n")
    build_site(project / "mkdocs.yml")
    assert "data-kb-feedback" not in page(project / "site", "billing/quiet/index.html")
    assert "data-kb-feedback" in page(project / "site")


def test_the_plugin_can_turn_the_widget_off(project):
    set_kb_option(project, "      feedback: false\n")
    build_site(project / "mkdocs.yml")
    assert "data-kb-feedback" not in page(project / "site")


def test_separate_api_host(project):
    set_kb_option(project, "      api_url: https://api.example.com/help/\n")
    build_site(project / "mkdocs.yml")
    root = Form(page(project / "site")).root
    assert root["data-api"] == "https://api.example.com/help"
    assert root["action"] == "https://api.example.com/help/api/v1/feedback"


def test_support_link_carries_article_id_and_title(project):
    set_kb_option(project, "      support_url: https://support.example.com/new?source=kb\n")
    build_site(project / "mkdocs.yml")
    form = Form(page(project / "site"))
    [link] = [a for a in form.find("a") if a.get("href", "").startswith("https://support.")]
    query = parse_qs(urlsplit(link["href"]).query)
    assert query == {
        "source": ["kb"],
        "article": ["request-a-refund-4c8e01"],
        "title": ["Can I get a refund?"],
    }
    assert "Contact support" in form.words


def test_every_article_reports_its_view_and_offers_support_widget_or_not(project):
    set_kb_option(project, "      support_url: https://support.example.com/new\n")
    write_article(
        project, "billing/quiet.md", "---\ntitle: Quiet & calm\nfeedback: false\n---\nText\n"
    )
    build_site(project / "mkdocs.yml")
    site = project / "site"
    manifest = json.loads((site / "_kb" / "manifest.json").read_text())["articles"]
    quiet = next(a for a in manifest if a["title"] == "Quiet & calm")
    html = page(site, "billing/quiet/index.html")
    [hook] = re.findall(r"<div class=\"kb-contact\"[^>]*>", html)
    assert (
        f'data-kb-view="{quiet["id"]}"' in hook and f'data-revision="{quiet["revision"]}"' in hook
    )
    assert 'data-lang="en"' in hook and 'data-api=""' in hook
    # no widget here: contact support sits alone at the article's foot
    [href] = re.findall(r'<a data-kb-contact href="([^"]+)"', html)
    assert parse_qs(urlsplit(href.replace("&amp;", "&")).query) == {
        "article": [quiet["id"]],
        "title": ["Quiet & calm"],
    }
    # with the widget, the one link is the widget's (no second one below it)
    refund = page(site)
    assert refund.count("data-kb-contact") == 1 and refund.count("data-kb-view=") == 1
    for rel in ("index.html", "billing/index.html"):
        assert "data-kb-view" not in page(site, rel)  # only articles count views


def test_no_support_link_without_support_url(built_site):
    assert "data-kb-support" not in page(built_site)


def test_italian_article_gets_italian_widget(project):
    write_article(
        project,
        "billing/rimborso.md",
        """
        ---
        title: Come chiedere un rimborso
        lang: it
        ---
        Testo.
        """,
    )
    build_site(project / "mkdocs.yml")
    form = Form(page(project / "site", "billing/rimborso/index.html"))
    assert form.root["data-lang"] == "it"
    assert "Quanto sei soddisfatto di questo articolo?" in form.words
    assert "Quanto è stato facile risolvere il tuo problema?" in form.words
    assert "Mancano dei passaggi" in form.words and "Invia" in form.words
    assert form.root["data-t-thanks"].startswith("Grazie")


def test_hostile_title_and_id_are_escaped(project):
    write_article(
        project,
        "billing/evil.md",
        """
        ---
        id: evil-1
        title: 'Refunds "now" <script>alert(1)</script>'
        ---
        Text.
        """,
    )
    build_site(project / "mkdocs.yml")
    html = page(project / "site", "billing/evil/index.html")
    form = Form(html)
    assert form.root["data-article"] == "evil-1"
    assert "<script>alert(1)</script>" not in html.split("data-kb-feedback", 1)[1]


def test_every_widget_string_exists_in_every_language():
    keys = {k for k in STRINGS["en"] if k.startswith("feedback.")}
    assert len(keys) > 20
    for lang, table in STRINGS.items():
        assert keys <= set(table), f"{lang} misses {sorted(keys - set(table))}"


def test_script_and_style_fit_in_3_5_kb_gzipped(built_site):
    sizes = widget_sizes(built_site / "assets" / "kb")
    total = sum(s["gzip"] for s in sizes.values())
    print(f"widget: {sizes} -> {total} B gzipped of {WIDGET_BUDGET}")
    assert total <= WIDGET_BUDGET
    # the build ships the minified files; the sources keep their comments
    from kb import theme_dir

    for name, size in sizes.items():
        assert size["raw"] < (theme_dir() / "assets" / "kb" / name).stat().st_size


def test_widget_assets_never_call_a_third_party(built_site):
    for name in ("feedback.js", "feedback.css"):
        text = page(built_site, f"assets/kb/{name}")
        assert not re.search(r"https?://|//[a-z0-9.-]+\.[a-z]{2,}/|@import|url\(", text), name
    js = page(built_site, "assets/kb/feedback.js")
    assert "document.cookie" not in js and 'credentials:"omit"' in js
