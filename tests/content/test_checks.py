"""``kb check``: every problem as ``path:line: level: message``, a count, and the exit code."""

import pytest

from kb.cli import main
from tests.helpers import write_article

CHECK_TABLE = [
    # (file under articles/, its text, the line kb check prints)
    (
        "billing/a.md",
        "---\nid: a\ntitle: [oops\n---\n",
        "articles/billing/a.md:3: error: malformed YAML front matter",
    ),
    (
        "billing/a.md",
        "---\nid: a\ntitle: T\n",
        "articles/billing/a.md:1: error: front matter starts with '---' but is never closed",
    ),
    (
        "billing/a.md",
        "---\n- a list\n---\n",
        "articles/billing/a.md:2: error: front matter must be a mapping",
    ),
    (
        "billing/a.md",
        "---\nid: a\ntitle: T\ntype: faqs\n---\n",
        "articles/billing/a.md:4: error: unknown type 'faqs': use one of faq, onboarding,",
    ),
    (
        "billing/a.md",
        "---\nid: a\ntype: faq\n---\nNo heading here.\n",
        "articles/billing/a.md:1: error: missing title",
    ),
    (
        "billing/a.md",
        "---\nid: request-a-refund-4c8e01\ntitle: T\n---\n",
        "articles/billing/a.md:2: error: duplicate id 'request-a-refund-4c8e01' "
        "(also used by billing/request-a-refund.md)",
    ),
    (
        "billing/a.md",
        "---\nid: a\ntitle: T\n---\n\nSee [this](nowhere.md).\n",
        "articles/billing/a.md:6: error: broken link: 'nowhere.md' does not exist",
    ),
    (
        "billing/a.md",
        "---\nid: a\ntitle: T\n---\n[x](request-a-refund.md#nope)\n",
        "articles/billing/a.md:5: error: broken anchor: '#nope' is not a heading of "
        "billing/request-a-refund.md",
    ),
    (
        "billing/a.md",
        "---\nid: a\ntitle: T\n---\n# T\n\n![Screen](img/missing.png)\n",
        "articles/billing/a.md:7: error: broken image: 'img/missing.png' does not exist",
    ),
    (
        "billing/a.md",
        '---\nid: a\ntitle: T\n---\n<a href="gone.md#x">HTML link</a>\n',
        "articles/billing/a.md:5: error: broken link: 'gone.md#x' does not exist",
    ),
    (
        "billing/a.md",
        '---\nid: a\ntitle: T\n---\n<img src="img/gone.png" alt="">\n',
        "articles/billing/a.md:5: error: broken image: 'img/gone.png' does not exist",
    ),
    (
        "billing/a.md",
        "---\nid: a\ntitle: T\nreview_by: 2020-01-31\n---\n",
        "articles/billing/a.md:4: warning: review_by 2020-01-31 has passed",
    ),
    (
        "billing/a.md",
        "---\nid: a\ntitle: T\nreview_by: soon\n---\n",
        "articles/billing/a.md:4: error: review_by 'soon' is not a date (YYYY-MM-DD)",
    ),
    (
        "getting-started/a.md",
        "---\nid: a\ntitle: T\ntype: onboarding\nstep: 5\n---\n",
        "articles/getting-started/a.md:5: error: onboarding guide 'Getting started' has a gap: "
        "step 4 missing before step 5",
    ),
    (
        "getting-started/a.md",
        "---\nid: a\ntitle: T\ntype: onboarding\nstep: 2\n---\n",
        "articles/getting-started/a.md:5: error: step 2 is used by 2 articles of this guide",
    ),
    (
        "getting-started/a.md",
        "---\nid: a\ntitle: T\ntype: onboarding\n---\n",
        "articles/getting-started/a.md:1: error: onboarding article without 'step:'",
    ),
    (
        "getting-started/a.md",
        "---\nid: a\ntitle: T\ntype: onboarding\nstep: first\n---\n",
        "articles/getting-started/a.md:5: error: step 'first' must be a whole number from 1",
    ),
    (
        "billing/a.md",
        "---\ntitle: T\n---\n",
        "articles/billing/a.md:1: warning: no 'id' in front matter: using 'billing/a' from the path",  # noqa: E501
    ),
    (
        "billing/a.md",
        "---\nid: a b\ntitle: T\n---\n",
        "articles/billing/a.md:2: error: id 'a b' may only use letters, digits",
    ),
    (
        "billing/a.md",
        "---\nid: a\ntitle: T\nlang: fr\n---\n",
        "articles/billing/a.md:4: warning: language 'fr' has no kb translation",
    ),
    (
        "billing/a.md",
        "---\nid: a\ntitle: T\nhide: true\n---\n",
        "articles/billing/a.md:4: warning: 'hide: True' is not a list",
    ),
    (
        "billing/a.md",
        "---\nid: a\ntitle: T\ntags: 5\n---\n",
        "articles/billing/a.md:4: error: tags must be a list",
    ),
]


@pytest.mark.parametrize(
    ("rel", "text", "expected"),
    CHECK_TABLE,
    ids=[row[2].split(": ", 2)[-1][:40] for row in CHECK_TABLE],
)
def test_check_reports_path_line_and_message(project, runner, rel, text, expected):
    write_article(project, rel, text)
    result = runner.invoke(main, ["check"])
    assert expected in result.output, result.output
    assert result.exit_code == (1 if ": error: " in expected else 0)


def test_clean_help_center_passes_even_strict(project, runner):
    result = runner.invoke(main, ["check", "--strict"])
    assert result.exit_code == 0, result.output
    assert result.stderr.strip() == "11 articles checked: 0 errors, 0 warnings"


def test_strict_turns_warnings_into_errors(project, runner):
    write_article(
        project, "billing/old.md", "---\nid: old\ntitle: Old\nreview_by: 2020-01-01\n---\n"
    )
    relaxed = runner.invoke(main, ["check"])
    assert relaxed.exit_code == 0 and "0 errors, 1 warning" in relaxed.stderr
    strict = runner.invoke(main, ["check", "--strict"])
    assert strict.exit_code == 1
    assert "articles/billing/old.md:4: error: review_by 2020-01-01 has passed" in strict.output
    assert "1 error, 0 warnings" in strict.stderr


def test_links_that_resolve_are_not_reported(project, runner):
    (project / "articles" / "billing" / "img").mkdir()
    (project / "articles" / "billing" / "img" / "card.svg").write_text("<svg/>")
    write_article(
        project,
        "billing/ok.md",
        """
        ---
        id: ok
        title: Links
        ---
        [refund](request-a-refund.md),
        [anchor](../account/reset-your-password.md#the-email-doesnt-arrive),
        [category](../account/), [from the root](/billing/download-an-invoice.md),
        [repository root](/articles/billing/download-an-invoice.md),
        [here](#links), [web](https://example.com/x.md), ![card](img/card.svg)

        ## Links

        `[in code](nowhere.md)`
        """,
    )
    result = runner.invoke(main, ["check", "--strict"])
    assert result.exit_code == 0, result.output


def test_every_finding_is_counted(project, runner):
    write_article(project, "billing/a.md", "---\nid: a\ntitle: T\ntype: nope\n---\n[x](gone.md)\n")
    write_article(project, "billing/b.md", "---\ntitle: B\n---\n")
    result = runner.invoke(main, ["check"])
    assert result.exit_code == 1
    assert "13 articles checked: 2 errors, 1 warning" in result.stderr
    lines = [ln for ln in result.stdout.splitlines() if ln.startswith("articles/")]
    assert lines == sorted(lines) and len(lines) == 3


# -- nothing a writer can put in the project makes kb check crash -----------------------


def assert_clean_failure(result, *expected):
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    for text in expected:
        assert text in result.output


def test_file_that_is_not_utf8(project, runner):
    (project / "articles" / "billing" / "latin1.md").write_bytes(b"---\ntitle: caff\xe8\n---\n")
    assert_clean_failure(
        runner.invoke(main, ["check"]),
        "articles/billing/latin1.md:2: error: file is not valid UTF-8 text",
    )


def test_huge_file(project, runner):
    (project / "articles" / "billing" / "huge.md").write_bytes(b"# Huge\n" + b"x" * 50_000_000)
    assert_clean_failure(
        runner.invoke(main, ["check"]),
        "articles/billing/huge.md:1: error: file is 48828 KiB; the limit is",
    )


def test_symlink_out_of_the_project(project, runner, tmp_path_factory):
    secret = tmp_path_factory.mktemp("outside") / "secret.md"
    secret.write_text("# Secret\n")
    (project / "articles" / "billing" / "link.md").symlink_to(secret)
    assert_clean_failure(
        runner.invoke(main, ["check"]),
        "articles/billing/link.md:1: error: symlink points outside the articles folder",
    )


def test_unreadable_file(project, runner, monkeypatch):
    from pathlib import Path

    read_bytes = Path.read_bytes

    def deny(self):
        if self.name == "request-a-refund.md":
            raise PermissionError(13, "Permission denied", str(self))
        return read_bytes(self)

    monkeypatch.setattr(Path, "read_bytes", deny)
    assert_clean_failure(
        runner.invoke(main, ["check"]),
        "articles/billing/request-a-refund.md:1: error: cannot read file: Permission denied",
    )


def test_missing_mkdocs_yml(tmp_path, monkeypatch, runner):
    monkeypatch.chdir(tmp_path)
    assert_clean_failure(
        runner.invoke(main, ["check"]), "Error: mkdocs.yml: no such file; run 'kb init DIR'"
    )


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ("site_name: [oops\n", "broken.yml: MkDocs encountered an error parsing the configuration"),
        ("docs_dir: articles\n", "broken.yml: Config value 'site_name': Required configuration"),
        (
            "site_name: x\ndocs_dir: nowhere\n",
            "broken.yml: Config value 'docs_dir': The path 'nowhere' isn't an existing directory.",
        ),
        (
            "site_name: x\ndocs_dir: articles\nplugins:\n  - kb:\n      sidebar_limit: many\n",
            "broken.yml: Config value 'plugins': Plugin 'kb' option 'sidebar_limit': Expected type",
        ),
        (
            "site_name: x\ndocs_dir: articles\nplugins:\n  - nosuchplugin\n",
            "broken.yml: Config value 'plugins': The \"nosuchplugin\" plugin is not installed",
        ),
    ],
)
def test_bad_mkdocs_yml(project, runner, config, expected):
    (project / "broken.yml").write_text(config)
    assert_clean_failure(runner.invoke(main, ["check", "-f", "broken.yml"]), expected)


def test_misspelt_kb_setting_is_a_warning(project, runner):
    text = (project / "mkdocs.yml").read_text()
    text = text.replace("  - kb:\n", "  - kb:\n      sidebar_limt: 5\n")
    (project / "mkdocs.yml").write_text(text)
    result = runner.invoke(main, ["check"])
    assert result.exit_code == 0
    assert (
        "mkdocs.yml:1: warning: Config value 'plugins': Plugin 'kb' option 'sidebar_limt': "
        "Unrecognised configuration name: sidebar_limt"
    ) in result.output


def test_site_url_unset_or_the_placeholder_is_a_warning_at_its_line(project, runner):
    config = project / "mkdocs.yml"
    published = config.read_text()
    assert "site_url: https://help.acme.test/\n" in published
    assert runner.invoke(main, ["check", "--strict"]).exit_code == 0

    config.write_text(published.replace("help.acme.test", "help.example.com"))
    placeholder = runner.invoke(main, ["check"])
    line = next(
        n for n, text in enumerate(config.read_text().splitlines(), 1) if "site_url:" in text
    )
    assert placeholder.exit_code == 0 and "0 errors, 1 warning" in placeholder.stderr
    assert (
        f"mkdocs.yml:{line}: warning: site_url is https://help.example.com/, the example "
        "address kb init writes: set the help center's public address"
    ) in placeholder.output
    assert runner.invoke(main, ["check", "--strict"]).exit_code == 1

    config.write_text("".join(ln for ln in published.splitlines(True) if "site_url:" not in ln))
    unset = runner.invoke(main, ["check"])
    assert unset.exit_code == 0 and "0 errors, 1 warning" in unset.stderr
    assert (
        "mkdocs.yml:1: warning: no site_url: set the help center's public address (without it "
        "sitemap.xml is empty and pages have no canonical link)"
    ) in unset.output
