"""Where the no-JavaScript form goes after a vote: back to its article, never elsewhere.

The article's URL comes from the manifest (the build's output, not the request). Only its
base is looked up: ``KB_SITE_URL`` when set; otherwise the origin of the page that posted
(Referer or Origin) when that origin is the API's own or one of ``KB_ALLOWED_ORIGINS``;
otherwise the API host's root. So the form cannot be used as an open redirect.
"""

from __future__ import annotations

from collections.abc import Collection
from urllib.parse import urlsplit

THANKS_QUERY = "kb_feedback=thanks"
THANKS_FRAGMENT = "kb-feedback-thanks"


def _origin(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}".lower()


def thanks_url(
    article_url: str,
    *,
    site_url: str | None,
    referrer: str | None,
    origin: str | None,
    host_url: str,
    allowed_origins: Collection[str],
) -> str:
    """The article's address with ``?kb_feedback=thanks#kb-feedback-thanks``."""
    rel = article_url.lstrip("/")
    suffix = f"{rel}?{THANKS_QUERY}#{THANKS_FRAGMENT}"
    if site_url:
        return site_url + suffix
    trusted = {o.lower() for o in allowed_origins} | {_origin(host_url)}
    for candidate in (referrer, origin):
        page_origin = _origin(candidate or "")
        if page_origin is None or page_origin not in trusted:
            continue
        # The site may live under a folder: the posting page is the article itself, so
        # what comes before the article's own URL is the site's base path.
        path = urlsplit(candidate).path or "/"
        base = path[: len(path) - len(rel)] if rel and path.endswith("/" + rel) else "/"
        return f"{page_origin}/{base.lstrip('/')}{suffix}"
    return "/" + suffix
