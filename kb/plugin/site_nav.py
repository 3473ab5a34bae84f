"""Help-center navigation: generated home and category pages, per-category sidebars.

Material's default navigation renders every page into every page (quadratic in the number
of articles); here each page gets only its own category, windowed when it is long.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Navigation, Section
from mkdocs.structure.pages import Page

from kb.core.helpcenter import Category, HelpCenter
from kb.core.i18n import translate

HOME_TEMPLATE = "kb/home.html"
CATEGORY_TEMPLATE = "kb/category.html"


def generated_pages(hc: HelpCenter, config, files: Files, lang: str) -> list[File]:
    """Virtual ``index.md`` files for the home page and each category without one."""
    new = []
    has_home = any(files.get_file_from_path(n) is not None for n in ("index.md", "README.md"))
    if not has_home:
        title = translate(lang, "breadcrumb.home")
        content = f'---\ntemplate: {HOME_TEMPLATE}\ntitle: "{title}"\nhide: [toc]\n---\n'
        new.append(File.generated(config, "index.md", content=content))
    for cat in hc.categories.values():
        if not cat.key or cat.index_path:
            continue
        src = f"{cat.slug}/index.md"
        if files.get_file_from_path(src) is not None:
            cat.index_path = src
            continue
        title = cat.title.replace('"', '\\"')
        content = f'---\ntemplate: {CATEGORY_TEMPLATE}\ntitle: "{title}"\nhide: [toc]\n---\n'
        new.append(File.generated(config, src, content=content))
        cat.index_path = src
    return new


def listed(cat: Category) -> list:
    """The articles a category page lists (its onboarding guide is shown apart, on page 1)."""
    return [a for a in cat.articles if not a.is_onboarding]


def category_pages(hc: HelpCenter, config, files: Files, page_size: int) -> list[File]:
    """Pages 2, 3, ... of categories that list more than ``page_size`` articles."""
    new = []
    for cat in hc.categories.values():
        cat.pages = []
        count = len(listed(cat))
        if not cat.key or not cat.index_path or page_size <= 0 or count <= page_size:
            continue
        base = cat.index_path.rsplit("/", 1)[0] if "/" in cat.index_path else ""
        title = cat.title.replace('"', '\\"')
        for n in range(2, (count + page_size - 1) // page_size + 1):
            src = f"{base}/page/{n}/index.md".lstrip("/")
            if files.get_file_from_path(src) is not None:
                break  # a real folder called "page": no numbered pages for this category
            content = (
                f'---\ntemplate: {CATEGORY_TEMPLATE}\ntitle: "{title}"\n'
                "hide: [toc]\nsearch:\n  exclude: true\n---\n"
            )
            new.append(File.generated(config, src, content=content))
            cat.pages.append(src)
    return new


@dataclass
class SidebarItem:
    title: str
    url: str
    page: Page
    article: object  # kb.content.Article
    step: int | None = None


@dataclass
class CategoryPages:
    category: Category
    page: Page | None  # the category's own page
    items: list[SidebarItem] = field(default_factory=list)
    guide: list[SidebarItem] = field(default_factory=list)


def build_nav(
    hc: HelpCenter, files: Files
) -> tuple[Navigation, dict[str, CategoryPages], Page | None]:
    """A navigation of home + one section per category, with previous/next inside a category."""
    for f in files.documentation_pages():
        if f.page is not None:  # MkDocs linked every page in folder order; start clean
            f.page.previous_page = f.page.next_page = None
    home_file = files.get_file_from_path("index.md") or files.get_file_from_path("README.md")
    home = home_file.page if home_file else None
    items: list = [home] if home else []
    pages: list[Page] = [home] if home else []
    by_category: dict[str, CategoryPages] = {}
    for cat in hc.ordered_categories():
        cat_file = files.get_file_from_path(cat.index_path) if cat.index_path else None
        cat_page = cat_file.page if cat_file else None
        entry = CategoryPages(category=cat, page=cat_page)
        children: list[Page] = [cat_page] if cat_page else []
        for a in cat.articles:
            f = files.get_file_from_path(a.path)
            if f is None or f.page is None:
                continue
            item = SidebarItem(a.title, f.page.url, f.page, a, a.step if a.is_onboarding else None)
            entry.items.append(item)
            if a.is_onboarding:
                entry.guide.append(item)
            children.append(f.page)
        by_category[cat.key] = entry
        section = Section(cat.title, children)
        for child in children:
            child.parent = section
        items.append(section)
        # previous/next stay inside the category; an onboarding guide links step to step
        article_pages = [i.page for i in entry.items]
        for prev, nxt in zip(article_pages, article_pages[1:], strict=False):
            prev.next_page, nxt.previous_page = nxt, prev
        if article_pages:
            article_pages[0].previous_page = None
            article_pages[-1].next_page = None
        if entry.guide:
            entry.guide[-1].page.next_page = None
        pages.extend(children)
    return Navigation(items, pages), by_category, home


def sidebar_window(
    items: list[SidebarItem], current: Page | None, limit: int, position: int | None = None
) -> tuple[list[SidebarItem], bool]:
    """At most ``limit`` items around ``current``; True when some were left out.
    ``position``: current's index in ``items`` when the caller knows it (a long category
    would otherwise be scanned once per page: quadratic)."""
    if len(items) <= limit:
        return items, False
    idx = (
        position
        if position is not None
        else next((i for i, it in enumerate(items) if it.page is current), 0)
    )
    start = max(0, min(idx - limit // 2, len(items) - limit))
    return items[start : start + limit], True
