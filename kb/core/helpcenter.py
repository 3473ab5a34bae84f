"""A whole help center: articles grouped into categories and onboarding guides."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
import stat
import subprocess
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kb.core.content import Article, load_article, slugify
from kb.core.errors import ContentError, Finding
from kb.core.markdown_compat import plain_inline
from kb.core.translations import assign_languages, link

INDEX_NAMES = ("index.md", "README.md")
# Folders of Markdown partials, included by other pages and never pages themselves
# (Jekyll's _includes, DocFX's includes).
PARTIAL_DIRS = ("_includes", "includes")
# Front-matter keys of redirect stubs (Jekyll's layout: redirect, jekyll-redirect-from).
REDIRECT_KEYS = ("redirect", "redirect_to", "redirect_url")
MAX_FILE_BYTES = 5 * 1024 * 1024  # a help article larger than this is a mistake, not content


@dataclass
class Category:
    key: str  # folder path or the front-matter 'category'
    title: str
    description: str = ""
    icon: str = ""
    order: int = 1000
    articles: list[Article] = field(default_factory=list)
    index_path: str | None = None  # the folder's own index.md, when it has one
    pages: list[str] = field(default_factory=list)  # pages 2, 3, ... of a long category

    @property
    def slug(self) -> str:
        """The category page's folder: the key itself when it is a clean path."""
        if re.fullmatch(r"[a-z0-9][a-z0-9/_-]*", self.key):
            return self.key
        return slugify(self.key)

    @property
    def url(self) -> str:
        return f"{self.slug}/" if self.key else ""

    @property
    def guide(self) -> list[Article]:
        """The category's onboarding steps, in order."""
        return sorted((a for a in self.articles if a.is_onboarding), key=lambda a: a.step or 0)


def humanize(key: str) -> str:
    last = key.rstrip("/").rsplit("/", 1)[-1]
    return last.replace("-", " ").replace("_", " ").strip().capitalize() or key


def is_index(path: str) -> bool:
    return path.rsplit("/", 1)[-1] in INDEX_NAMES


def is_partial(path: str) -> bool:
    """A file in an includes folder: text for other pages, not an article."""
    return any(part in PARTIAL_DIRS for part in path.split("/")[:-1])


def redirect_target(meta: Mapping[str, Any], body: str) -> str | None:
    """Where a redirect stub points (``layout: redirect`` + ``redirect: /x``), else None."""
    target = next((meta[k] for k in REDIRECT_KEYS if meta.get(k)), None)
    if isinstance(target, list):
        target = target[0] if target else None
    if not isinstance(target, str) or not target.strip():
        return None
    if meta.get("layout") == "redirect" or not body.strip():
        return target.strip()
    return None


def _article_sort_key(a: Article) -> tuple:
    order = a.meta.get("order")
    order = order if isinstance(order, (int, float)) else 1000
    return (0 if a.is_onboarding else 1, a.step or 0, order, a.title.lower())


_GIT_CACHE: dict[tuple[str, ...], dict[str, dt.datetime]] = {}


def git_dates(root: Path) -> dict[str, dt.datetime]:
    """Last commit date of every file under ``root`` (absolute paths), in one git call.

    The date is the last commit that changed the file's text: moving it (a rename git
    detects, the text unchanged) keeps its date, and its earlier commits under the old name
    count. Paths come NUL-separated, so names with accents (``perché.md``) are not quoted.
    Remembered per commit: ``kb serve`` rebuilds on every save, and the history only
    changes with a new commit."""
    try:
        top = subprocess.run(
            ["git", "rev-parse", "--show-toplevel", "HEAD"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=30,
        )
        if top.returncode != 0:
            return {}
        key = (str(Path(root).resolve()), *top.stdout.split("\n")[:2])
        if key in _GIT_CACHE:
            return _GIT_CACHE[key]
        out = subprocess.run(
            ["git", "log", "-z", "--format=%x01%cI", "--name-status", "-M", "--", "."],
            cwd=root,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="surrogateescape",
            timeout=120,
        )
    except (OSError, subprocess.SubprocessError):
        return {}
    base = Path(top.stdout.split("\n", 1)[0].strip())
    dates = {str(base / path): when for path, when in parse_name_status(out.stdout).items()}
    if len(_GIT_CACHE) > 16:
        _GIT_CACHE.clear()
    _GIT_CACHE[key] = dates
    return dates


def parse_name_status(log: str) -> dict[str, dt.datetime]:
    """``{path: date}`` from ``git log -z --format=%x01%cI --name-status -M``, newest first.

    Each file as it is named now gets the date of the last commit that changed its text,
    following it back through renames; a file deleted and added again starts afresh."""
    dates: dict[str, dt.datetime] = {}
    moved: dict[str, dt.datetime] = {}  # the date of a pure move, if nothing older is found
    current: dict[str, str | None] = {}  # a name in an older commit -> the name now (None: gone)
    when: dt.datetime | None = None
    tokens = iter(log.split("\0"))
    for token in tokens:
        token = token.lstrip("\n")
        if token.startswith("\x01"):
            try:
                when = dt.datetime.fromisoformat(token[1:].strip())
            except ValueError:
                when = None
            continue
        if not token or when is None:
            continue
        status = token[0]
        if status in "RC":
            old, new = next(tokens, ""), next(tokens, "")
            name = current.get(new, new)
            if name is None:
                continue
            if token[1:] != "100":
                dates.setdefault(name, when)  # moved and edited: an update
            else:
                moved.setdefault(name, when)
            if status == "R":
                current[old] = name
            current.setdefault(new, name)
            continue
        path = next(tokens, "")
        name = current.get(path, path)
        if name is None:
            continue
        if status == "D":
            current[path] = None  # older commits of this name are another file's
            continue
        dates.setdefault(name, when)
        if status == "A":
            current[path] = None
    for name, date in moved.items():
        dates.setdefault(name, date)
    return dates


@dataclass
class HelpCenter:
    """Every article of a help center, by path, id and category."""

    articles: list[Article]
    categories: dict[str, Category]
    index_pages: list[str]
    findings: list[Finding]
    partials: list[str] = field(default_factory=list)  # includes folders' files
    redirects: dict[str, str] = field(default_factory=dict)  # stub path -> target
    languages: tuple[str, ...] = ()  # the 'languages' setting; () for one language

    def by_path(self) -> dict[str, Article]:
        return {a.path: a for a in self.articles}

    def by_id(self) -> dict[str, Article]:
        return {a.id: a for a in self.articles}

    def ordered_categories(self) -> list[Category]:
        return sorted(self.categories.values(), key=lambda c: (c.order, c.title.lower()))


def read_text(docs_dir: Path, path: str) -> str:
    """Read one article as UTF-8; every failure becomes a ContentError naming the file."""
    full = docs_dir / path
    try:
        # The file or any folder above it may be a symlink (MkDocs follows folder symlinks).
        real, root = Path(os.path.realpath(full)), Path(os.path.realpath(docs_dir))
        if root not in real.parents:
            raise ContentError(
                [Finding(path, 1, "error", "symlink points outside the articles folder")]
            )
        info = full.stat()
        if not stat.S_ISREG(info.st_mode):  # a FIFO or device would block or never end
            raise ContentError([Finding(path, 1, "error", "not a regular file")])
        size = info.st_size
        if size > MAX_FILE_BYTES:
            limit = MAX_FILE_BYTES // 1024
            raise ContentError(
                [Finding(path, 1, "error", f"file is {size // 1024} KiB; the limit is {limit} KiB")]
            )
        data = full.read_bytes()
    except OSError as exc:
        message = f"cannot read file: {exc.strerror}"
        raise ContentError([Finding(path, 1, "error", message)]) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ContentError([Finding(path, line, "error", "file is not valid UTF-8 text")]) from None


ArticleCache = dict  # path -> ((mtime_ns, size, default_lang), Article)


def _load_cached(docs_dir: Path, path: str, default_lang: str, cache: ArticleCache) -> Article:
    """The article as parsed at an earlier build when its file has not changed since."""
    full = docs_dir / path
    try:
        st = os.lstat(full)
    except OSError:
        st = None
    if st is None or stat.S_ISLNK(st.st_mode):  # symlinks are checked every time
        cache.pop(path, None)
        return load_article(path, read_text(docs_dir, path), default_lang=default_lang)
    stamp = (st.st_mtime_ns, st.st_size, default_lang)
    hit = cache.get(path)
    if hit is not None and hit[0] == stamp:
        return hit[1]
    article = load_article(path, read_text(docs_dir, path), default_lang=default_lang)
    cache[path] = (stamp, article)
    return article


def walk_markdown(docs_dir: Path) -> list[str]:
    """Markdown files under ``docs_dir`` as MkDocs sees them (hidden files left out)."""
    found = []
    for root, dirs, files in os.walk(docs_dir):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.endswith(".md") and not name.startswith("."):
                found.append(Path(root, name).relative_to(docs_dir).as_posix())
    return found


def load_help_center(
    docs_dir: Path,
    paths: Iterable[str] | None = None,
    *,
    categories: Mapping[str, Mapping[str, Any]] | None = None,
    default_lang: str = "en",
    texts: Mapping[str, str] | None = None,
    with_git: bool = True,
    cache: ArticleCache | None = None,
    languages: Sequence[str] = (),
    index_articles: bool = False,
) -> HelpCenter:
    """Load every article; problems are collected as findings, never raised one by one.

    With ``cache`` (a dict kept between builds, as ``kb serve`` does), files that have not
    changed since the last build are not read and parsed again. With ``languages`` (the
    first is the default), articles are under ``<lang>/`` folders and translations of one
    article share its id (:mod:`kb.core.translations`). With ``index_articles`` (a site that
    keeps its own navigation) a folder's ``index.md`` is an article like any other page; only
    the root's, the home page, stays apart."""
    docs_dir = Path(docs_dir)
    paths = list(paths) if paths is not None else walk_markdown(docs_dir)
    articles: list[Article] = []
    index_pages: list[str] = []
    findings: list[Finding] = []
    partials: list[str] = []
    redirects: dict[str, str] = {}
    for path in paths:
        if is_partial(path):
            partials.append(path)
            continue
        if is_index(path) and not (index_articles and "/" in path):
            index_pages.append(path)
            continue
        try:
            if texts is not None and path in texts:
                article = load_article(path, texts[path], default_lang=default_lang)
            elif cache is not None:
                article = _load_cached(docs_dir, path, default_lang, cache)
            else:
                article = load_article(path, read_text(docs_dir, path), default_lang=default_lang)
        except ContentError as exc:
            findings.extend(exc.findings)
            continue
        target = redirect_target(article.meta, article.body)
        if target is not None:
            redirects[path] = target
            continue
        if languages:  # linking sets the id and language: not on the cached object
            article = dataclasses.replace(article)
        article.title = plain_inline(article.title)  # Adobe's "[!DNL Name]" in titles
        findings.extend(article.findings)
        articles.append(article)
    if languages:
        findings += assign_languages(articles, languages)
        findings += link(articles, languages)

    if with_git:
        dates = git_dates(docs_dir)
        if dates:
            root = docs_dir.resolve()  # once, not per article: a help center may hold thousands
            for a in articles:
                a.updated = (
                    dates.get(str(root / a.path))
                    or dates.get(str((docs_dir / a.path).resolve()))
                    or dates.get(str(docs_dir / a.path))
                )

    cats: dict[str, Category] = {}
    conf = categories or {}
    for a in articles:
        cat = cats.get(a.category)
        if cat is None:
            c = conf.get(a.category, {})
            cat = cats[a.category] = Category(
                key=a.category,
                title=str(c.get("title") or humanize(a.category) or ""),
                description=str(c.get("description") or ""),
                icon=str(c.get("icon") or ""),
                order=int(c.get("order", 1000)),
            )
        cat.articles.append(a)
    for p in index_pages:
        folder = p.rsplit("/", 1)[0] if "/" in p else ""
        if folder and folder in cats:  # the root's index.md is the home, not a category page
            cats[folder].index_path = p
    for cat in cats.values():
        cat.articles.sort(key=_article_sort_key)
    return HelpCenter(
        articles=articles,
        categories=cats,
        index_pages=index_pages,
        findings=findings,
        partials=partials,
        redirects=redirects,
        languages=tuple(languages),
    )
