"""Every problem in a help center, as ``path:line: message`` findings: one assembly of checks
for ``kb check`` and the build alike.

Whether a finding stops ``kb build`` is the finding's own ``blocking`` field, set here by the
check that makes it: a broken link or image is an error of ``kb check`` but never stops a
build (MkDocs warns about it too); a problem of the article itself does.
"""

from __future__ import annotations

import datetime as dt
import posixpath
from collections import defaultdict
from collections.abc import Collection, Iterable
from pathlib import Path
from urllib.parse import unquote, urlsplit

from kb.core import containment, placement
from kb.core import links as linkmod
from kb.core.errors import Finding
from kb.core.helpcenter import Article, HelpCenter
from kb.core.scaffold import PLACEHOLDER_SITE_URL
from kb.core.translations import check_claims

ERROR, WARNING = "error", "warning"
MATERIAL_LIST_KEYS = ("hide", "tags")


def check_ids(hc: HelpCenter) -> list[Finding]:
    out = []
    by_id = defaultdict(list)
    for a in hc.articles:
        by_id[a.id].append(a)
        if a.id_from_path:
            out.append(
                Finding(
                    a.path,
                    1,
                    WARNING,
                    f"no 'id' in front matter: using '{a.id}' from the path; add "
                    f"'id: {a.id}' so that moving the file keeps its feedback",
                )
            )
    if hc.languages:  # translations share an id: one file per language (check_claims)
        return out + check_claims(hc.articles)
    for art_id, arts in by_id.items():
        if len(arts) > 1:
            for a in arts:
                paths = [o.path for o in arts if o is not a]
                others = ", ".join(paths[:3])
                if len(paths) > 3:
                    others += f" and {len(paths) - 3} more"
                out.append(
                    Finding(
                        a.path,
                        a.line_of("id"),
                        ERROR,
                        f"duplicate id '{art_id}' (also used by {others})",
                    )
                )
    return out


def check_review_dates(hc: HelpCenter, today: dt.date) -> list[Finding]:
    return [
        Finding(
            a.path,
            a.line_of("review_by"),
            WARNING,
            f"review_by {a.review_by.isoformat()} has passed: review the article and move the date",
        )
        for a in hc.articles
        if a.review_by and a.review_by < today
    ]


def check_guides(hc: HelpCenter) -> list[Finding]:
    out = []
    for cat in hc.categories.values():
        by_step: defaultdict[int, list[Article]] = defaultdict(list)
        for a in cat.guide:
            if a.step is not None:
                by_step[a.step].append(a)
        for step, arts in by_step.items():
            if len(arts) > 1:
                for a in arts:
                    out.append(
                        Finding(
                            a.path,
                            a.line_of("step"),
                            ERROR,
                            f"step {step} is used by {len(arts)} articles of this guide",
                        )
                    )
        expected = 1
        for step in sorted(by_step):
            if step != expected:
                a = by_step[step][0]
                gap = f"step {expected}" if step == expected + 1 else f"steps {expected}-{step - 1}"
                out.append(
                    Finding(
                        a.path,
                        a.line_of("step"),
                        ERROR,
                        f"onboarding guide '{cat.title}' has a gap: {gap} missing "
                        f"before step {step}",
                    )
                )
            expected = step + 1
    return out


def check_site_url(site_url: str | None, config_path: str, config_text: str) -> list[Finding]:
    """A warning when ``site_url`` (as MkDocs loaded it from ``config_path``, whose text is
    ``config_text``) is unset or still the placeholder ``kb init`` writes: sitemap.xml and each
    page's canonical link are built from it. Pointed at the ``site_url:`` line, or line 1."""
    lines = config_text.splitlines()
    line = next((n for n, text in enumerate(lines, 1) if text.startswith("site_url:")), 1)
    if not site_url:
        message = (
            "no site_url: set the help center's public address (without it sitemap.xml is "
            "empty and pages have no canonical link)"
        )
    elif site_url.rstrip("/") == PLACEHOLDER_SITE_URL.rstrip("/"):
        message = (
            f"site_url is {PLACEHOLDER_SITE_URL}, the example address kb init writes: set the "
            "help center's public address (sitemap.xml and canonical links are built from it)"
        )
    else:
        return []
    return [Finding(config_path, line, WARNING, message)]


def check_material_keys(hc: HelpCenter) -> list[Finding]:
    out = []
    for a in hc.articles:
        for key in MATERIAL_LIST_KEYS:
            value = a.meta.get(key)
            if value is not None and not isinstance(value, (list, str)):
                out.append(
                    Finding(
                        a.path,
                        a.line_of(key),
                        WARNING,
                        f"'{key}: {a.meta[key]}' is not a list; kb ignores it "
                        f"(write e.g. '{key}: [toc]')",
                    )
                )
        problem = placement.front_matter_problem(a.meta)
        if problem:
            out.append(Finding(a.path, a.line_of("feedback"), WARNING, problem))
    return out


def _resolve(
    target_path: str, source: str, docs_dir_files: set[str], docs_name: str = ""
) -> str | None:
    """The docs-relative path a link points at, or None when nothing is there.

    A link from the site root (``/billing/x.md``) starts at the articles folder; one from the
    repository root names that folder first (``/help/billing/x.md`` when it is ``help/``).
    """
    if target_path.startswith("/"):
        candidates = [posixpath.normpath(target_path.lstrip("/"))]
        if docs_name and candidates[0].startswith(docs_name + "/"):
            candidates.append(candidates[0][len(docs_name) + 1 :])
    else:
        candidates = [posixpath.normpath(posixpath.join(posixpath.dirname(source), target_path))]
    options = []
    for candidate in candidates:
        candidate = "" if candidate == "." else candidate
        options.append(candidate)
        if "." not in posixpath.basename(candidate):
            stem = candidate.rstrip("/")
            options += [f"{stem}/index.md", f"{stem}/README.md", f"{stem}.md"]
        if candidate.endswith(".html"):
            options.append(candidate[:-5] + ".md")
    for opt in options:
        if opt.lstrip("/") in docs_dir_files:
            return opt.lstrip("/")
    return None


def check_links(hc: HelpCenter, docs_dir: Path, files: set[str]) -> list[Finding]:
    """Broken internal links, anchors and images. ``files`` are every docs-relative file."""
    out = []
    folders = {c.key for c in hc.categories.values()} | {""}
    by_path = hc.by_path()
    anchor_cache: dict[str, set[str]] = {}

    def anchors_of(path: str) -> set[str] | None:
        art = by_path.get(path)
        if art is None:
            return None
        if path not in anchor_cache:
            anchor_cache[path] = linkmod.anchors(art.body)
        return anchor_cache[path]

    for a in hc.articles:
        for link in linkmod.links(a.body, a.body_line):
            if not linkmod.is_internal(link.target) or containment.escapes(link.target, a.path):
                continue  # external, or reported by containment.escaping_links
            parts = urlsplit(link.target)
            path, fragment = unquote(parts.path), unquote(parts.fragment)
            target: str | None
            if not path:
                target = a.path
            else:
                target = _resolve(path, a.path, files, docs_dir.resolve().name)
                if target is None:
                    stem = posixpath.normpath(
                        path.lstrip("/")
                        if path.startswith("/")
                        else posixpath.join(posixpath.dirname(a.path), path)
                    ).rstrip("/")
                    if stem in folders:
                        continue  # a generated category page
                    what = "image" if link.image else "link"
                    out.append(
                        Finding(
                            a.path,
                            link.line,
                            ERROR,
                            f"broken {what}: '{link.target}' does not exist",
                            blocking=False,
                        )
                    )
                    continue
            if fragment and not link.image:
                ids = anchors_of(target)
                if ids is not None and fragment not in ids:
                    out.append(
                        Finding(
                            a.path,
                            link.line,
                            ERROR,
                            f"broken anchor: '#{fragment}' is not a heading of {target}",
                            blocking=False,
                        )
                    )
    return out


# The checks the build can skip: broken links are MkDocs's own warnings in a build, and a
# passed review date or a Material key kb ignores must not stop ``kb build --strict``.
LINKS, REVIEW_DATES, MATERIAL_KEYS = "links", "review_dates", "material_keys"
BUILD_SKIPS = frozenset({LINKS, REVIEW_DATES, MATERIAL_KEYS})


def check_help_center(
    hc: HelpCenter,
    docs_dir: Path,
    files: Iterable[str],
    *,
    today: dt.date | None = None,
    skip: Collection[str] = (),
) -> list[Finding]:
    """Every finding for a loaded help center, sorted by path and line.

    ``files`` are every docs-relative file (Markdown or not); ``skip`` names checks not to run
    (``BUILD_SKIPS`` for a build). Nothing from outside the articles folder may reach the
    site: symlinks out of it and ``..`` links are always checked."""
    files = set(files)
    findings = list(hc.findings)
    findings += check_ids(hc)
    if REVIEW_DATES not in skip:
        findings += check_review_dates(hc, today or dt.date.today())
    findings += check_guides(hc)
    if MATERIAL_KEYS not in skip:
        findings += check_material_keys(hc)
    if LINKS not in skip:
        findings += check_links(hc, docs_dir, files)
    findings += containment.outside_files(docs_dir, files)
    findings += containment.escaping_links(hc.articles)
    return sorted(set(findings))


def blocking(findings: Iterable[Finding], *, strict: bool = False) -> list[Finding]:
    """The findings that stop a build: the blocking ones, or every one when ``strict``."""
    return [f for f in findings if strict or f.blocking]
