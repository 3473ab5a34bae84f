"""The dashboard's door: one admin password, a signed session cookie, CSRF tokens, throttling.

- The password comes from ``KB_ADMIN_PASSWORD`` (or the ``ADMIN_PASSWORD`` setting) and is
  kept only as a werkzeug hash in memory; without one the dashboard stays closed.
- The session cookie (``kb_dashboard``) is HttpOnly, SameSite=Strict, limited to
  ``/dashboard``, and Secure whenever the request came over HTTPS (directly or through a
  trusted proxy).
- Every form carries a per-session CSRF token, checked on every POST.
- Failed logins are throttled per client address (5 tries per 15 minutes), counted in the
  rate limits' store (``KB_RATE_LIMIT_STORAGE``, :mod:`kb.feedback_api.limits`): with a shared
  store such as Redis, every worker and instance counts the same tries.
- After login, ``next`` may only point inside the dashboard: no open redirect.
- Logging out ends every session, in every worker and instance: a session carries the
  session generation it was made in (:mod:`kb.store.sessions`, in the database) and a logout
  starts a new one. A session also carries a tag of the password it was opened with
  (an HMAC with the secret key), so a changed ``KB_ADMIN_PASSWORD`` ends every session too.
"""

from __future__ import annotations

import hmac
import os
import secrets
from pathlib import Path

from flask import Flask, Request, current_app, request, session
from flask.sessions import SecureCookieSessionInterface
from kb.feedback_api import limits
from kb.feedback_api.db import get_engine
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.security import check_password_hash, generate_password_hash

from kb.store.sessions import end_all_sessions, session_generation

COOKIE_NAME = "kb_dashboard"
COOKIE_PATH = "/dashboard"
SESSION_HOURS = 12
MAX_FAILURES = limits.LOGIN_MAX_FAILURES
FAILURE_WINDOW = limits.LOGIN_WINDOW_S


class DashboardSessions(SecureCookieSessionInterface):
    """Flask's signed cookie, scoped to the dashboard and Secure behind HTTPS."""

    def get_cookie_name(self, app: Flask) -> str:
        return COOKIE_NAME

    def get_cookie_path(self, app: Flask) -> str:
        return COOKIE_PATH

    def get_cookie_httponly(self, app: Flask) -> bool:
        return True

    def get_cookie_samesite(self, app: Flask) -> str:
        return "Strict"

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config.get("SESSION_COOKIE_SECURE")) or request.is_secure

    def open_session(self, app: Flask, req: Request):
        if not req.path.startswith(COOKIE_PATH):
            return self.null_session_class()  # the API never reads or sets a cookie
        return super().open_session(app, req)

    def save_session(self, app: Flask, sess, response) -> None:
        if not request.path.startswith(COOKIE_PATH):
            return
        super().save_session(app, sess, response)


def setup(app: Flask) -> None:
    """Hash the admin password, make sure there is a secret key, install the sessions."""
    password = app.config.get("ADMIN_PASSWORD") or os.environ.get("KB_ADMIN_PASSWORD") or ""
    state = app.extensions.setdefault("kb_dashboard", {})
    state["password_hash"] = generate_password_hash(password) if password else None
    app.config["ADMIN_PASSWORD"] = None  # no plain copy left in memory: only the hash
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _persistent_secret(Path(app.config["PROJECT_DIR"]))
    # The same in every worker (the werkzeug hash is salted anew by each one).
    state["password_tag"] = hmac.new(
        str(app.config["SECRET_KEY"]).encode(),
        b"kb-dashboard-password\n" + password.encode(),
        "sha256",
    ).hexdigest()[:32]
    app.config["PERMANENT_SESSION_LIFETIME"] = SESSION_HOURS * 3600
    app.session_interface = DashboardSessions()


def _persistent_secret(project_dir: Path) -> str:
    """A random key kept in <project>/.kb/secret_key, shared by every worker of the API."""
    path = project_dir / ".kb" / "secret_key"
    try:
        return path.read_text(encoding="ascii").strip()
    except OSError:
        pass
    key = secrets.token_hex(32)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(key)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip()
    except OSError:
        pass  # a read-only project: sessions last as long as this process
    return key


def enabled() -> bool:
    return current_app.extensions["kb_dashboard"]["password_hash"] is not None


def logged_in() -> bool:
    """An admin session of the current password and the current session generation; when
    the generation cannot be read (the database is down), nobody is logged in."""
    tag = current_app.extensions["kb_dashboard"]["password_tag"]
    if not session.get("admin") or not hmac.compare_digest(str(session.get("pw", "")), tag):
        return False
    try:
        return session.get("gen") == session_generation(get_engine())
    except SQLAlchemyError:
        return False


def log_out_everywhere() -> None:
    """End this session and every other one (all workers, all instances)."""
    session.clear()
    end_all_sessions(get_engine())


def client() -> str:
    return request.remote_addr or "unknown"


def throttled(who: str) -> int:
    """Seconds to wait before ``who`` may try again (0: may try now)."""
    return limits.login_wait(who)


def check_password(who: str, password: str) -> bool:
    """Whether ``password`` is the admin's; a failure counts against ``who``, a success
    forgets its failures."""
    held = current_app.extensions["kb_dashboard"]["password_hash"]
    ok = bool(held) and check_password_hash(held, password)
    if ok:
        limits.login_succeeded(who)
    else:
        limits.login_failed(who)
    return ok


def log_in() -> None:
    session.clear()  # a new session on login: no fixation
    session.permanent = True
    session["admin"] = True
    session["pw"] = current_app.extensions["kb_dashboard"]["password_tag"]
    session["gen"] = session_generation(get_engine())
    session["csrf"] = secrets.token_urlsafe(32)


def csrf_token() -> str:
    token = session.get("csrf")
    if not token:
        token = session["csrf"] = secrets.token_urlsafe(32)
    return token


def csrf_ok() -> bool:
    sent = request.form.get("csrf_token", "")
    held = session.get("csrf", "")
    return bool(held) and hmac.compare_digest(sent, held)


def safe_next(target: str | None) -> str | None:
    """``target`` when it is a path inside the dashboard, else None (no open redirect)."""
    if not target or not target.startswith(COOKIE_PATH + "/"):
        return None
    if "//" in target or "\\" in target or any(ord(ch) < 32 for ch in target):
        return None
    return target
