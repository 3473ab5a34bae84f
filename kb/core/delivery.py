"""How the static help center is delivered: cache lifetimes and text compression.

One policy for ``kb serve`` (the preview) and for the static hosts of docs/deployment.md
(nginx, Caddy), so a page measured in the preview is delivered as in production:

- a fingerprinted file (``name.<hash>.css``: Material's assets and kb's own, whose name
  changes with their content) may be kept for a year without asking again;
- every other file, HTML pages first, is revalidated on each use, so a new build shows at once;
- text (HTML, CSS, JavaScript, JSON, SVG, XML) goes gzipped to a browser that accepts it.
"""

from __future__ import annotations

import gzip
import re

# name.<8 or more hex digits>.ext, optionally .min before the extension (Material's and kb's).
FINGERPRINTED = re.compile(r"\.[0-9a-f]{8,}(\.min)?\.[a-z0-9]+$")
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
COMPRESSED_TYPES = (
    "text/html",
    "text/css",
    "text/plain",
    "text/xml",
    "application/javascript",
    "text/javascript",
    "application/json",
    "application/xml",
    "image/svg+xml",
)
COMPRESS_MIN = 256  # bytes: below this gzip's header costs more than it saves
GZIP_LEVEL = 6  # what nginx and Caddy use by default


def cache_control(path: str) -> str:
    """The Cache-Control of the site file at URL path ``path``."""
    return IMMUTABLE if FINGERPRINTED.search(path.rsplit("/", 1)[-1]) else REVALIDATE


def compressible(content_type: str) -> bool:
    return content_type.split(";")[0].strip().lower() in COMPRESSED_TYPES


def accepts_gzip(accept_encoding: str) -> bool:
    """Whether an Accept-Encoding header allows gzip (and does not refuse it with q=0)."""
    for part in accept_encoding.lower().split(","):
        name, _, params = part.strip().partition(";")
        if name.strip() in ("gzip", "*"):
            _, _, q = params.partition("q=")
            try:
                return float(q) > 0 if q.strip() else True
            except ValueError:
                return True
    return False


def gzip_body(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=GZIP_LEVEL, mtime=0)
