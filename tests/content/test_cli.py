"""``kb init``, ``kb new`` and ``kb build`` run in-process with CliRunner."""

import re

import pytest
import yaml

from kb.cli import main
from kb.core.frontmatter import parse
from tests.helpers import ROOT


def front(path):
    return parse(path.read_text(encoding="utf-8")).data


# -- kb init ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "site_name", "guide_title", "first_step"),
    [
        ("en", "Help Center", "Getting started", "getting-started/create-your-account.md"),
        ("it", "Centro assistenza", "Per iniziare", "getting-started/crea-il-tuo-account.md"),
    ],
)
def test_init_writes_a_sample_help_center(
    tmp_path, runner, lang, site_name, guide_title, first_step
):
    result = runner.invoke(main, ["init", str(tmp_path / "hc"), "--lang", lang])
    assert result.exit_code == 0, result.output
    config = yaml.safe_load((tmp_path / "hc" / "mkdocs.yml").read_text())
    assert config["site_name"] == site_name and config["theme"]["language"] == lang
    kb = next(p["kb"] for p in config["plugins"] if isinstance(p, dict) and "kb" in p)
    assert kb["categories"]["getting-started"]["title"] == guide_title
    articles = sorted(
        p.relative_to(tmp_path / "hc" / "articles").as_posix()
        for p in (tmp_path / "hc" / "articles").rglob("*.md")
    )
    assert len(articles) == 11 and first_step in articles
    metas = [front(tmp_path / "hc" / "articles" / a) for a in articles]
    assert {m["lang"] for m in metas} == {lang}
    assert sorted(m["type"] for m in metas).count("faq") == 6
    assert sorted(m["step"] for m in metas if m["type"] == "onboarding") == [1, 2, 3]


def test_init_samples_start_with_future_review_dates(tmp_path):
    import datetime as dt

    from kb.core.scaffold import init_project

    init_project(tmp_path, "en", today=dt.date(2031, 5, 1))
    meta = front(tmp_path / "articles" / "billing" / "request-a-refund.md")
    assert meta["review_by"] == dt.date(2032, 5, 1)


def test_init_never_overwrites_without_force(project, runner):
    (project / "articles" / "billing" / "request-a-refund.md").write_text("# Mine\n")
    result = runner.invoke(main, ["init", str(project)])
    assert result.exit_code == 1 and "already exist" in result.output and "--force" in result.output
    assert (project / "articles" / "billing" / "request-a-refund.md").read_text() == "# Mine\n"
    forced = runner.invoke(main, ["init", str(project), "--force"])
    assert forced.exit_code == 0
    refund = project / "articles" / "billing" / "request-a-refund.md"
    assert "Can I get a refund?" in refund.read_text()


def test_init_sets_site_url_so_the_build_has_a_sitemap_and_canonical_links(tmp_path, runner):
    from kb.plugin.builder import build_site

    placeholder = runner.invoke(main, ["init", str(tmp_path / "a")])
    assert placeholder.exit_code == 0 and "site_url in mkdocs.yml is https://help.example.com/" in (
        placeholder.output
    )
    assert yaml.safe_load((tmp_path / "a" / "mkdocs.yml").read_text())["site_url"] == (
        "https://help.example.com/"
    )
    own = runner.invoke(main, ["init", str(tmp_path / "b"), "--site-url", "https://docs.acme.test"])
    assert own.exit_code == 0 and "site_url in mkdocs.yml" not in own.output
    build_site(tmp_path / "b" / "mkdocs.yml")
    site = tmp_path / "b" / "site"
    sitemap = (site / "sitemap.xml").read_text()
    assert "<loc>https://docs.acme.test/billing/request-a-refund/</loc>" in sitemap
    page = (site / "billing" / "request-a-refund" / "index.html").read_text()
    assert '<link rel="canonical" href="https://docs.acme.test/billing/request-a-refund/">' in page
    bad = runner.invoke(main, ["init", str(tmp_path / "c"), "--site-url", "docs.acme.test"])
    assert bad.exit_code == 1 and "is not a public address" in bad.output
    assert not (tmp_path / "c" / "mkdocs.yml").exists()


def test_init_rejects_an_unknown_language(tmp_path, runner):
    result = runner.invoke(main, ["init", str(tmp_path), "--lang", "fr"])
    assert result.exit_code == 2 and "'fr' is not one of 'en', 'it'" in result.output


# -- kb new -----------------------------------------------------------------------------


def test_new_writes_complete_front_matter(project, runner):
    result = runner.invoke(
        main,
        ["new", "Can I pay by bank transfer?", "--category", "billing", "--owner", "billing-team"],
    )
    assert result.exit_code == 0, result.output
    path = project / "articles" / "billing" / "can-i-pay-by-bank-transfer.md"
    assert result.stdout.strip() == "articles/billing/can-i-pay-by-bank-transfer.md"
    meta = front(path)
    assert re.fullmatch(r"can-i-pay-by-bank-transfer-[0-9a-f]{6}", meta["id"])
    assert meta["title"] == "Can I pay by bank transfer?"
    assert (meta["type"], meta["lang"], meta["owner"]) == ("faq", "en", "billing-team")
    assert meta["tags"] == []
    assert "summary" in meta and meta["review_by"].year >= 2026
    assert "step" not in meta and "Answer the question" in path.read_text()


def test_new_article_passes_kb_check(project, runner):
    for args in (
        ["Export your data", "--type", "howto", "--category", "account"],
        ["Sync stops", "--type", "troubleshooting", "--category", "troubleshooting"],
        ["Connect your bank", "--type", "onboarding", "--category", "getting-started"],
        ["Loose article"],
    ):
        assert runner.invoke(main, ["new", *args]).exit_code == 0
    result = runner.invoke(main, ["check", "--strict"])
    assert result.exit_code == 0, result.output
    assert "15 articles checked: 0 errors, 0 warnings" in result.stderr


def test_new_ids_are_unique_and_stable(project, runner):
    runner.invoke(main, ["new", "Same title", "--category", "billing"])
    runner.invoke(main, ["new", "Same title", "--category", "account"])
    first = front(project / "articles" / "billing" / "same-title.md")["id"]
    second = front(project / "articles" / "account" / "same-title.md")["id"]
    assert first != second
    runner.invoke(main, ["build"])  # building never rewrites an id
    assert front(project / "articles" / "billing" / "same-title.md")["id"] == first


def test_new_never_overwrites(project, runner):
    path = project / "articles" / "billing" / "request-a-refund.md"
    before = path.read_text()
    result = runner.invoke(main, ["new", "Request a refund", "--category", "billing"])
    assert result.exit_code == 1 and "already exists" in result.output
    assert path.read_text() == before


def test_new_onboarding_takes_the_next_free_step(project, runner):
    runner.invoke(
        main, ["new", "Connect your bank", "--type", "onboarding", "--category", "getting-started"]
    )
    assert front(project / "articles" / "getting-started" / "connect-your-bank.md")["step"] == 4
    runner.invoke(main, ["new", "Welcome", "--type", "onboarding", "--category", "tour"])
    assert front(project / "articles" / "tour" / "welcome.md")["step"] == 1
    runner.invoke(
        main, ["new", "Say hi", "--type", "onboarding", "--category", "tour", "--step", "7"]
    )
    assert front(project / "articles" / "tour" / "say-hi.md")["step"] == 7


def test_new_step_is_only_for_onboarding(project, runner):
    result = runner.invoke(main, ["new", "Refunds", "--step", "2"])
    assert result.exit_code == 1 and "--step is only for onboarding" in result.output


def test_new_quotes_titles_that_are_not_plain_yaml(project, runner):
    title = 'Error "E42": what: now? # really'
    runner.invoke(
        main, ["new", title, "--category", "troubleshooting", "--type", "troubleshooting"]
    )
    (path,) = (project / "articles" / "troubleshooting").glob("error-e42*.md")
    assert front(path)["title"] == title


def test_new_uses_the_site_language_and_can_override_it(tmp_path, runner, monkeypatch):
    runner.invoke(main, ["init", str(tmp_path), "--lang", "it"])
    monkeypatch.chdir(tmp_path)
    runner.invoke(main, ["new", "Come annullo un abbonamento?", "--category", "billing"])
    path = tmp_path / "articles" / "billing" / "come-annullo-un-abbonamento.md"
    assert front(path)["lang"] == "it" and "Rispondi alla domanda" in path.read_text()
    runner.invoke(main, ["new", "Cancel a plan", "--category", "billing", "--lang", "en"])
    assert front(tmp_path / "articles" / "billing" / "cancel-a-plan.md")["lang"] == "en"


def test_new_tells_when_a_category_has_no_title(project, runner):
    result = runner.invoke(main, ["new", "Webhooks", "--category", "Integrations"])
    assert result.stdout.strip() == "articles/integrations/webhooks.md"
    assert "category 'integrations' has no title in mkdocs.yml" in result.stderr


def test_new_outside_a_help_center(tmp_path, runner, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(main, ["new", "Anything"])
    assert result.exit_code == 1 and "mkdocs.yml: no such file" in result.output


# -- kb build ---------------------------------------------------------------------------


def test_build_reports_pages_and_site(project, runner):
    result = runner.invoke(main, ["build"])
    assert result.exit_code == 0, result.output
    assert re.search(r"Built \d+ pages into site in [\d.]+ s\.", result.stdout)
    assert (project / "site" / "index.html").exists()


def test_build_stops_on_article_errors_without_traceback(project, runner):
    (project / "articles" / "billing" / "bad.md").write_text("---\ntitle: [x\n---\n")
    result = runner.invoke(main, ["build"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "articles/billing/bad.md:2: error: malformed YAML front matter" in result.output


def test_build_into_another_folder(project, runner):
    result = runner.invoke(main, ["build", "--site-dir", "public"])
    assert result.exit_code == 0 and (project / "public" / "_kb" / "manifest.json").exists()


# -- the demo help center at the root of the repository -----------------------------------


def test_demo_help_center_is_clean_and_rich(monkeypatch):
    import datetime as dt

    from kb.cli.site import run_checks

    monkeypatch.chdir(ROOT)
    findings, hc = run_checks("mkdocs.yml", today=dt.date(2026, 11, 1))
    # the demo has no public address: served by make serve, it is never published
    assert [f.message.split(":")[0] for f in findings] == ["no site_url"]
    assert len(hc.articles) >= 20
    assert {a.type for a in hc.articles} == {"faq", "howto", "troubleshooting", "onboarding"}
    assert all(a.summary and a.owner and a.review_by and not a.id_from_path for a in hc.articles)
