"""The API's settings: environment variables for production, a mapping for tests and ``kb serve``.

Every problem is collected and reported at once, naming the variable, instead of failing on
the first one or silently falling back to a default.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

from limits import parse_many
from limits.storage import SCHEMES as STORAGE_SCHEMES

from kb.core.errors import ConfigError
from kb.store.engine import default_database_url

__all__ = ["SETTINGS", "ConfigError", "load_settings"]

DEFAULT_RATE_LIMIT = "60/minute"
# Each search is logged (a database write): a client may not flood the log or the index.
DEFAULT_SEARCH_RATE_LIMIT = "300/minute"

# Flask config key -> (environment variable, description). The docs list every one of them
# (tests/api/test_docs.py fails when one is missing from docs/api.md).
SETTINGS: dict[str, tuple[str, str]] = {
    "PROJECT_DIR": ("KB_PROJECT_DIR", "the help center's folder (mkdocs.yml); default: the cwd"),
    "CONFIG_FILE": (
        "KB_CONFIG_FILE",
        "the help center's mkdocs.yml; default PROJECT_DIR/mkdocs.yml",
    ),
    "SITE_DIR": ("KB_SITE_DIR", "the built site (its _kb/manifest.json); default PROJECT_DIR/site"),
    "DATABASE_URL": ("KB_DATABASE_URL", "SQLAlchemy URL; default SQLite in PROJECT_DIR/.kb/"),
    "RATE_LIMIT": ("KB_RATE_LIMIT", "votes per client per article, e.g. 60/minute, or off"),
    "RATE_LIMIT_STORAGE": ("KB_RATE_LIMIT_STORAGE", "limits storage URI; default memory://"),
    "RATE_LIMIT_KEY_PREFIX": ("KB_RATE_LIMIT_KEY_PREFIX", "prefix of the counters' Redis keys"),
    "SEARCH_RATE_LIMIT": ("KB_SEARCH_RATE_LIMIT", "searches and clicks per client, or off"),
    "SECRET_KEY": ("KB_SECRET_KEY", "Flask's secret key (dashboard sessions)"),
    "ALLOWED_ORIGINS": ("KB_ALLOWED_ORIGINS", "comma-separated origins allowed by CORS"),
    "TRUSTED_PROXIES": ("KB_TRUSTED_PROXIES", "how many proxies' X-Forwarded-For to trust"),
    "SITE_URL": ("KB_SITE_URL", "the public help center URL, for the no-JavaScript redirect"),
    "AUTO_UPGRADE": ("KB_AUTO_UPGRADE", "1: upgrade the schema at start-up (kb serve)"),
    "MAX_CONTENT_LENGTH": ("KB_MAX_BODY_BYTES", "largest request body in bytes; default 65536"),
    "DB_TIMEOUT": ("KB_DB_TIMEOUT", "seconds to wait on a locked or slow database, then 503"),
    "ADMIN_PASSWORD": ("KB_ADMIN_PASSWORD", "the dashboard's password (see the dashboard docs)"),
}


def _truthy(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("1", "true", "yes", "on")


def load_settings(
    test_config: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """Settings from ``test_config`` first, then the environment, then defaults; validated."""
    env = os.environ if environ is None else environ
    given = dict(test_config or {})
    raw: dict[str, Any] = {}
    for key, (var, _) in SETTINGS.items():
        if key in given:
            raw[key] = given.pop(key)
        elif env.get(var) not in (None, ""):
            raw[key] = env[var]
    errors: list[str] = []
    out: dict[str, Any] = dict(given)  # anything else (TESTING, ...) passes through to Flask

    project = Path(raw.get("PROJECT_DIR") or os.getcwd()).resolve()
    out["PROJECT_DIR"] = project
    out["CONFIG_FILE"] = Path(raw.get("CONFIG_FILE") or project / "mkdocs.yml").resolve()
    out["SITE_DIR"] = Path(raw.get("SITE_DIR") or project / "site").resolve()
    out["DATABASE_URL"] = str(raw.get("DATABASE_URL") or default_database_url(project))

    for key, default in (
        ("RATE_LIMIT", DEFAULT_RATE_LIMIT),
        ("SEARCH_RATE_LIMIT", DEFAULT_SEARCH_RATE_LIMIT),
    ):
        rate = str(raw.get(key) or default).strip()
        if rate.lower() in ("off", "0", "none", "false"):
            out[key] = None
            continue
        try:
            parse_many(rate)
            out[key] = rate
        except ValueError:
            errors.append(f"KB_{key}: {rate!r} is not a rate such as '60/minute' or 'off'")
    out["RATE_LIMIT_STORAGE"] = storage = str(raw.get("RATE_LIMIT_STORAGE") or "memory://")
    problem = _storage_problem(storage)
    if problem:
        errors.append(f"KB_RATE_LIMIT_STORAGE: {problem}")
    out["RATE_LIMIT_KEY_PREFIX"] = str(raw.get("RATE_LIMIT_KEY_PREFIX") or "") or None

    out["SECRET_KEY"] = raw.get("SECRET_KEY") or None
    origins = raw.get("ALLOWED_ORIGINS") or ()
    if isinstance(origins, str):
        origins = [o.strip() for o in origins.split(",") if o.strip()]
    for origin in origins:
        if not re.fullmatch(r"https?://[^/\s]+", origin):
            errors.append(
                f"KB_ALLOWED_ORIGINS: {origin!r} is not an origin like "
                "https://help.example.com (scheme and host, no path)"
            )
    out["ALLOWED_ORIGINS"] = frozenset(o.rstrip("/") for o in origins)

    out["TRUSTED_PROXIES"] = _int(raw.get("TRUSTED_PROXIES", 0), "KB_TRUSTED_PROXIES", errors)
    site_url = raw.get("SITE_URL") or None
    if site_url and not re.fullmatch(r"https?://[^/\s]+(/\S*)?", str(site_url)):
        errors.append(f"KB_SITE_URL: {site_url!r} is not an http(s) URL")
    out["SITE_URL"] = str(site_url).rstrip("/") + "/" if site_url else None
    out["ADMIN_PASSWORD"] = raw.get("ADMIN_PASSWORD") or None
    out["AUTO_UPGRADE"] = _truthy(raw.get("AUTO_UPGRADE", False))
    out["MAX_CONTENT_LENGTH"] = _int(
        raw.get("MAX_CONTENT_LENGTH", 64 * 1024), "KB_MAX_BODY_BYTES", errors, minimum=1024
    )
    out["DB_TIMEOUT"] = _seconds(raw.get("DB_TIMEOUT", 5), "KB_DB_TIMEOUT", errors)
    if errors:
        raise ConfigError("invalid API settings:\n  " + "\n  ".join(errors))
    return out


def _storage_problem(uri: str) -> str | None:
    """Why the rate limits cannot count in ``uri`` (None: they can)."""
    scheme = uri.split("://", 1)[0].lower() if "://" in uri else ""
    if scheme not in STORAGE_SCHEMES or scheme.startswith("async+"):
        return f"{uri!r} is not a storage URI such as memory:// or redis://host:6379"
    if scheme.startswith("redis"):
        try:
            import redis  # noqa: F401 - optional: the redis extra, only for redis:// storage
        except ImportError:
            return (
                f"{scheme}:// needs the redis client, which is not installed (kb's redis "
                f"extra): pip install '{_extra_requirement('redis')}'"
            )
    return None


def _extra_requirement(extra: str) -> str:
    """What kb's ``extra`` adds, as pip takes it (``redis<8,>=5``), read from the installed
    distribution's metadata, the one place its bounds are written; ``extra`` itself when kb
    runs from a checkout that was never installed."""
    try:
        requires = metadata.requires("kb-helpcenter") or []
    except metadata.PackageNotFoundError:
        return extra
    for requirement in requires:
        wanted, _, marker = requirement.partition(";")
        if re.search(rf"""extra\s*==\s*["']{re.escape(extra)}["']""", marker):
            return wanted.strip()
    return extra


def _int(value: Any, name: str, errors: list[str], minimum: int = 0) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        errors.append(f"{name}: {value!r} is not a whole number")
        return minimum
    if number < minimum:
        errors.append(f"{name}: {number} is below {minimum}")
    return number


def _seconds(value: Any, name: str, errors: list[str]) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        errors.append(f"{name}: {value!r} is not a number of seconds")
        return 5.0
    if not 0.1 <= number <= 300:
        errors.append(f"{name}: {number} is not between 0.1 and 300 seconds")
    return number
