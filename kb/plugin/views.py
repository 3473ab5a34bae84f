"""What the templates see of the help center's navigation: category views, pagers of long
categories, per-category sidebars and onboarding steps. Pure logic over ``build_nav``'s
output; one :class:`PageViews` per build, each view computed once and shared by its pages."""

from __future__ import annotations

from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

from kb.core.helpcenter import Category, HelpCenter
from kb.plugin.site_nav import CategoryPages, sidebar_window


def category_pagination(
    hc: HelpCenter, nav_info: dict[str, CategoryPages], files: Files
) -> tuple[dict[str, tuple[Category, int]], dict[str, list[str]]]:
    """Long categories have numbered pages: ``{src: (category, n)}`` for pages 2..m and
    ``{category key: [URL of page 1, page 2, ...]}``."""
    page_of: dict[str, tuple[Category, int]] = {}
    urls_of: dict[str, list[str]] = {}
    for cat in hc.categories.values():
        if not cat.pages or cat.key not in nav_info:
            continue
        first = nav_info[cat.key].page
        urls = [first.url if first else ""]
        for n, src in enumerate(cat.pages, start=2):
            page_of[src] = (cat, n)
            f = files.get_file_from_path(src)
            urls.append(f.page.url if f is not None and f.page is not None else "")
        urls_of[cat.key] = urls
    return page_of, urls_of


class PageViews:
    def __init__(
        self,
        nav_info: dict[str, CategoryPages],
        page_urls: dict[str, list[str]],
        *,
        page_size: int,
        sidebar_limit: int,
    ) -> None:
        self.nav_info = nav_info
        self.page_urls = page_urls
        self.page_size = page_size
        self.sidebar_limit = sidebar_limit
        self._views: dict = {}  # (category, page) -> view
        self._home: list[dict] | None = None
        self._positions: dict[str, dict[int, int]] = {}  # category -> {id(page): index}

    def category(self, key: str, page_no: int | None = None) -> dict:
        """A category for the templates; with ``page_no``, only that page's articles when
        the category has numbered pages."""
        cached = self._views.get((key, page_no))
        if cached is not None:
            return cached
        info = self.nav_info[key]
        cat = info.category
        faqs = [i for i in info.items if i.article.type == "faq"]
        others = [i for i in info.items if i.article.type not in ("faq", "onboarding")]
        guide = info.guide
        size = self.page_size
        if page_no is not None and key in self.page_urls and size > 0:
            shown = (faqs + others)[(page_no - 1) * size : page_no * size]
            faqs = [i for i in shown if i.article.type == "faq"]
            others = [i for i in shown if i.article.type != "faq"]
            guide = guide if page_no == 1 else []
        view = self._views[(key, page_no)] = {
            "key": cat.key,
            "lang": cat.articles[0].lang if cat.articles else None,
            "title": cat.title,
            "description": cat.description,
            "icon": cat.icon,
            "url": info.page.url if info.page else "",
            "count": len(info.items),
            "guide": guide,
            "faqs": faqs,
            "others": others,
            "items": info.items,
        }
        return view

    def pager(self, key: str, page_no: int) -> dict | None:
        urls = self.page_urls.get(key)
        if not urls:
            return None
        return {
            "n": page_no,
            "m": len(urls),
            "prev": urls[page_no - 2] if page_no > 1 else None,
            "next": urls[page_no] if page_no < len(urls) else None,
            "urls": urls,
        }

    def home_categories(self, lang: str | None = None) -> list[dict]:
        """Every category, or ``lang``'s only (a help center in several languages)."""
        if self._home is None:
            self._home = [self.category(k) for k in self.nav_info]
        return [c for c in self._home if lang is None or c["lang"] == lang]

    def topics(self, lang: str | None = None) -> list[dict]:
        """The categories that have a page of their own (sidebar of category pages, 404)."""
        return [c for c in self.home_categories(lang) if c["url"]]

    def sidebar(self, key: str, page: Page) -> dict | None:
        info = self.nav_info.get(key)
        if info is None:
            return None
        positions = self._positions.get(key)
        if positions is None:  # page -> its index, once per category and build
            positions = self._positions[key] = {
                id(it.page): i for i, it in reversed(list(enumerate(info.items)))
            }
        items, cut = sidebar_window(
            info.items, page, self.sidebar_limit, positions.get(id(page), 0)
        )
        return {
            "title": info.category.title,
            "url": info.page.url if info.page else "",
            "items": items,
            "cut": cut,
            "count": len(info.items),
        }

    def guide(self, article, page: Page) -> dict | None:
        if not article.is_onboarding:
            return None
        steps = self.nav_info[article.category].guide
        idx = next((i for i, s in enumerate(steps) if s.page is page), None)
        if idx is None:
            return None
        return {
            "n": idx + 1,
            "m": len(steps),
            "steps": steps,
            "prev": steps[idx - 1] if idx > 0 else None,
            "next": steps[idx + 1] if idx + 1 < len(steps) else None,
        }
