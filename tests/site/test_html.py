"""The built help center, read as HTML: the structure a reader (and a screen reader) gets."""

import re

import pytest
from bs4 import BeautifulSoup
from playwright.sync_api import expect

from kb.core.scaffold import init_project
from kb.plugin.builder import build_site
from tests.helpers import ROOT


def page(site, path="index.html"):
    return BeautifulSoup((site / path).read_text(encoding="utf-8"), "html.parser")


def texts(elements):
    return [" ".join(e.get_text(" ", strip=True).split()) for e in elements]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The English sample help center, built once for this module."""
    root = tmp_path_factory.mktemp("hc")
    init_project(root, "en")
    build_site(root / "mkdocs.yml")
    return root / "site"


def test_home_lists_categories_in_order_with_their_articles(site):
    home = page(site)
    cards = home.select("[data-kb-categories] [data-kb-category]")
    assert [c["data-kb-category"] for c in cards] == [
        "getting-started",
        "account",
        "billing",
        "troubleshooting",
    ]
    billing = home.select_one('[data-kb-category="billing"]')
    assert texts(billing.select("h3")) == ["Billing"]
    assert "Can I get a refund?" in texts(billing.select("li a"))
    assert billing.select_one(".kb-card__more")["href"] == "billing/"


def test_home_starts_with_the_onboarding_guide(site):
    card = page(site).select_one("[data-kb-guide-card]")
    assert texts(card.select("ol li")) == [
        "1 Create your account",
        "2 Set up your workspace",
        "3 Invite your team",
    ]
    assert (
        card.select_one(".kb-guide-card__start")["href"] == "getting-started/create-your-account/"
    )


def test_category_page_lists_faqs_as_questions(site):
    billing = page(site, "billing/index.html")
    assert texts(billing.select("h1")) == ["Billing"]
    questions = texts(billing.select("[data-kb-faq] li .kb-questions__q"))
    assert questions == sorted(questions) and all(q.endswith("?") for q in questions)
    assert len(questions) == 3


def test_category_page_lists_the_guide_as_ordered_steps(site):
    guide = page(site, "getting-started/index.html").select_one("ol[data-kb-guide]")
    assert texts(guide.select("li .kb-steps__title")) == [
        "Create your account",
        "Set up your workspace",
        "Invite your team",
    ]
    assert [a["href"] for a in guide.select("a")][0] == "create-your-account/"


def test_category_page_lists_other_articles_with_their_type(site):
    trouble = page(site, "troubleshooting/index.html")
    items = trouble.select("[data-kb-articles] li")
    assert len(items) == 2
    assert texts(items[0].select(".kb-badge")) == ["Troubleshooting"]


def test_onboarding_step_shows_step_n_of_m_and_prev_next(site):
    step = page(site, "getting-started/set-up-your-workspace/index.html")
    assert texts(step.select(".kb-article-meta__step")) == ["Step 2 of 3"]
    assert step.select_one('a[rel="prev"]')["href"] == "../create-your-account/"
    assert step.select_one('a[rel="next"]')["href"] == "../invite-your-team/"
    progress = step.select_one('[role="progressbar"]')
    assert (progress["aria-valuenow"], progress["aria-valuemax"]) == ("2", "3")


def test_last_step_says_the_guide_is_done(site):
    last = page(site, "getting-started/invite-your-team/index.html")
    assert last.select_one('a[rel="next"]') is None
    assert texts(last.select(".kb-guide-nav__done")) == ["You have finished this guide."]


def test_article_breadcrumbs_lead_home_and_to_the_category(site):
    crumbs = page(site, "billing/request-a-refund/index.html").select(".kb-breadcrumbs a")
    assert [(a.get_text(strip=True), a["href"]) for a in crumbs] == [
        ("Help center", "../.."),
        ("Billing", "../"),
    ]


def test_article_sidebar_lists_only_its_own_category(site):
    refund = page(site, "billing/request-a-refund/index.html")
    sidebar = refund.select_one(".kb-sidebar")
    assert texts(sidebar.select(".kb-sidebar__title")) == ["Billing"]
    links = texts(sidebar.select(".md-nav__link .md-ellipsis"))
    assert "Can I get a refund?" in links and "Invite your team" not in links
    active = sidebar.select('[aria-current="page"]')
    assert texts(active) == ["Can I get a refund?"]
    assert "Invite your team" not in refund.get_text()  # not anywhere else on the page


def test_article_shows_its_type(site):
    assert texts(
        page(site, "troubleshooting/cant-sign-in/index.html").select(".kb-article-meta .kb-badge")
    ) == ["Troubleshooting"]


def test_category_sidebar_lists_the_topics(site):
    sidebar = page(site, "billing/index.html").select_one(".kb-sidebar")
    assert texts(sidebar.select('[aria-current="page"]')) == ["Billing 3"]
    assert len(sidebar.select(".md-nav__link")) == 5  # home + four topics


def test_pages_are_in_english(site):
    for path in ("index.html", "billing/index.html", "billing/request-a-refund/index.html"):
        assert page(site, path).html["lang"] == "en"


def test_italian_site_has_lang_it_and_italian_kb_strings(tmp_path):
    init_project(tmp_path, "it")
    build_site(tmp_path / "mkdocs.yml")
    home = page(tmp_path / "site")
    assert home.html["lang"] == "it"
    assert texts(home.select(".kb-hero__title")) == ["Come possiamo aiutarti?"]
    step = page(tmp_path / "site", "getting-started/configura-lo-spazio-di-lavoro/index.html")
    assert texts(step.select(".kb-article-meta__step")) == ["Passo 2 di 3"]
    assert step.html["lang"] == "it"


def test_article_lang_overrides_the_site_language(tmp_path):
    init_project(tmp_path, "en")
    (tmp_path / "articles" / "billing" / "rimborso.md").write_text(
        "---\nid: rimborso\ntitle: Posso avere un rimborso?\ntype: faq\nlang: it\n---\nSì.\n"
    )
    build_site(tmp_path / "mkdocs.yml")
    html = page(tmp_path / "site", "billing/rimborso/index.html")
    assert texts(html.select(".kb-breadcrumbs a"))[0] == "Centro assistenza"
    assert html.select_one(".kb-article")["lang"] == "it"  # screen readers switch language


def test_support_link_on_home_when_configured(tmp_path):
    init_project(tmp_path, "en")
    config = (tmp_path / "mkdocs.yml").read_text()
    config = config.replace("  - kb:\n", "  - kb:\n      support_url: mailto:help@example.com\n")
    (tmp_path / "mkdocs.yml").write_text(config)
    build_site(tmp_path / "mkdocs.yml")
    contact = page(tmp_path / "site").select_one(".kb-contact a")
    assert contact["href"] == "mailto:help@example.com"
    assert contact.get_text(strip=True) == "Contact support"


def test_a_categorys_own_index_md_adds_text_above_its_list(tmp_path):
    init_project(tmp_path, "en")
    (tmp_path / "articles" / "billing" / "index.md").write_text("Everything about **money**.\n")
    build_site(tmp_path / "mkdocs.yml")
    billing = page(tmp_path / "site", "billing/index.html")
    assert texts(billing.select(".kb-category-intro")) == ["Everything about money ."]
    assert texts(billing.select("h1")) == ["Billing"]
    assert len(billing.select("[data-kb-faq] li")) == 3


def test_demo_site_shows_its_image_and_links_to_anchors(tmp_path):

    root = ROOT
    build_site(root / "mkdocs.yml", site_dir=tmp_path / "demo")
    step = page(tmp_path / "demo", "getting-started/send-your-first-invoice/index.html")
    img = step.select_one("article img")
    assert img["alt"].startswith("The invoice editor")
    here = tmp_path / "demo" / "getting-started" / "send-your-first-invoice"
    assert (here / img["src"]).resolve().is_file()
    assert texts(step.select(".kb-article-meta__step")) == ["Step 4 of 4"]
    sign_in = page(tmp_path / "demo", "troubleshooting/cant-sign-in/index.html")
    anchors = [a["href"] for a in sign_in.select("article a") if "#" in a.get("href", "")]
    assert "../../account/reset-your-password/#the-email-doesnt-arrive" in anchors


def test_links_from_the_site_or_repository_root_point_at_the_article(tmp_path):
    init_project(tmp_path, "en")
    (tmp_path / "articles" / "billing" / "roots.md").write_text(
        "---\nid: roots\ntitle: Roots\n---\n[site](/billing/download-an-invoice.md) "
        "[repository](/articles/billing/request-a-refund.md#top)\n"
    )
    build_site(tmp_path / "mkdocs.yml")
    links = page(tmp_path / "site", "billing/roots/index.html").select("article p a")
    assert [a["href"] for a in links] == ["../download-an-invoice/", "../request-a-refund/#top"]


def test_page_not_found_offers_search_and_topics(site):
    missing = page(site, "404.html")
    assert texts(missing.select("h1")) == ["We can't find that page"]
    assert missing.select_one('label[for="__search"]') is not None
    topics = [a["href"] for a in missing.select("[data-kb-topics] a")]
    assert topics == ["/getting-started/", "/account/", "/billing/", "/troubleshooting/"]


# -- in a real browser ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def served(site):
    """The built sample site on a loopback port (a plain static server, like any host)."""
    import functools
    import http.server
    import threading

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.browser
def test_home_search_prompt_works_from_the_keyboard(served, page):
    page.goto(served + "/")
    # Material 9.8's worker can highlight a result twice (a literal "<mark>" shows) when
    # queries reach it while its index is still loading; start once the index is fetched.
    page.wait_for_load_state("networkidle")
    page.focus(".kb-hero__search")
    page.keyboard.press("Enter")
    page.keyboard.type("refund", delay=60)  # a person's pace
    # Material re-renders the list while the query is typed: wait for the settled result.
    # The link, not the title: Material's highlighting of a title can lag (see above).
    first = page.locator(".md-search-result__item a.md-search-result__link").first
    expect(first).to_have_attribute(
        "href", re.compile(r"/billing/request-a-refund/"), timeout=10_000
    )


@pytest.mark.browser
def test_mobile_drawer_shows_the_articles_category(served, browser):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    mobile = context.new_page()
    mobile.goto(served + "/billing/request-a-refund/")
    mobile.click("label.md-header__button[for=__drawer]")
    mobile.wait_for_selector(".kb-sidebar .md-nav__link--active", state="visible")
    links = mobile.locator(".kb-sidebar .md-nav__link .md-ellipsis").all_inner_texts()
    assert "Where can I download my invoices?" in links and "Invite your team" not in links
    context.close()


@pytest.mark.browser
def test_dark_mode_toggle_switches_kbs_colours_too(served, page):
    page.goto(served + "/billing/request-a-refund/")
    badge = ".kb-article-meta .kb-badge"
    light = page.eval_on_selector(badge, "e => getComputedStyle(e).color")
    page.click("form[data-md-component=palette] label:visible")
    page.wait_for_function("document.body.dataset.mdColorScheme === 'slate'")
    dark = page.eval_on_selector(badge, "e => getComputedStyle(e).color")
    assert light != dark
