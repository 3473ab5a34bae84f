"""``GET /api/v1/search`` and ``POST /api/v1/search/click``.

The answer is the same JSON as ``kb search --json``. Each search is logged (see
:mod:`search.store`); the response's ``X-KB-Search-Id`` header is the token the browser
sends back with ``/click`` when the reader opens a result.
"""

from __future__ import annotations

import json
import logging

from flask import Blueprint, current_app, jsonify, request
from kb.feedback_api import db
from kb.feedback_api.errors import ApiError
from kb.feedback_api.limits import check_search_limit
from kb.search.analysis import LANGS
from kb.search.engine import MAX_LIMIT
from kb.search.index import SearchIndexError
from kb.search.service import SearchService
from sqlalchemy.exc import SQLAlchemyError

from kb.core.vocabulary import LANG_RE
from kb.store.searchlog import LogWriter, log_click, log_search, new_token

log = logging.getLogger("search")
bp = Blueprint("search", __name__, url_prefix="/api/v1/search")
TOKEN_HEADER = "X-KB-Search-Id"
MAX_Q = 1000  # characters of q accepted (the engine searches the first MAX_QUERY of them)


def service() -> SearchService:
    ext = current_app.extensions
    if "kb_search" not in ext:
        ext["kb_search"] = SearchService(
            current_app.config["SITE_DIR"], warm=not current_app.testing
        )
    return ext["kb_search"]


def log_writer() -> LogWriter:
    ext = current_app.extensions
    if "kb_search_log" not in ext:
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        ext["kb_search_log"] = LogWriter(lambda: db.get_engine(app))
    return ext["kb_search_log"]


def _params() -> tuple[str, str | None, int]:
    q = request.args.get("q", "")
    if not q.strip():
        raise ApiError(422, "invalid_field", "q (the text to search for) is required", "q")
    if len(q) > MAX_Q:
        raise ApiError(422, "invalid_field", f"q is longer than {MAX_Q} characters", "q")
    lang = request.args.get("lang") or None
    if lang is not None and lang not in LANGS:
        if not LANG_RE.match(lang):
            raise ApiError(
                422, "invalid_field", "lang must be a language code such as 'en' or 'it'", "lang"
            )
        lang = None  # a page's language search has no analysis for (de, fr): the index's own
    raw = request.args.get("limit", "10")
    try:
        limit = int(raw)
    except ValueError:
        raise ApiError(422, "invalid_field", "limit must be a whole number", "limit") from None
    if not 1 <= limit <= MAX_LIMIT:
        raise ApiError(422, "invalid_field", f"limit must be from 1 to {MAX_LIMIT}", "limit")
    return q, lang, limit


@bp.get("")
def search():
    q, lang, limit = _params()
    check_search_limit()
    try:
        svc = service()
        engine = svc.engine()
    except SearchIndexError as exc:  # none published yet (SiteNotBuilt) or unreadable
        raise ApiError(503, "search_unavailable", exc.format_message()) from None
    answer = engine.search(q, lang, limit)
    token = new_token()
    response = jsonify(answer)
    response.headers[TOKEN_HEADER] = token
    response.headers["Access-Control-Expose-Headers"] = TOKEN_HEADER
    response.headers["Cache-Control"] = "no-store"
    row = {
        "token": token,
        "query": q,
        "lang": engine.pick_lang(lang),
        "results": answer["total"],
        "suggestion": answer["suggestion"],
    }
    if current_app.testing:  # tests read the log right after the answer
        try:
            log_search(db.get_engine(), **row)
        except SQLAlchemyError as exc:
            log.warning("search log not written: %s", exc.__class__.__name__)
    else:
        log_writer().submit(**row)
    return response


@bp.post("/click")
def click():
    check_search_limit("click")
    try:
        data = json.loads(request.get_data(cache=False, as_text=True) or "{}")
    except ValueError:
        raise ApiError(400, "malformed_json", "send a JSON object") from None
    if not isinstance(data, dict):
        raise ApiError(400, "malformed_json", "send a JSON object")
    token, article, rank = data.get("search"), data.get("article"), data.get("rank")
    if not isinstance(token, str) or not 8 <= len(token) <= 32:
        raise ApiError(422, "invalid_field", "search must be the X-KB-Search-Id token", "search")
    if not isinstance(article, str) or not 0 < len(article) <= 200:
        raise ApiError(422, "invalid_field", "article must be an article id", "article")
    if rank is not None and (
        not isinstance(rank, int) or isinstance(rank, bool) or not 1 <= rank <= MAX_LIMIT
    ):
        raise ApiError(422, "invalid_field", f"rank must be from 1 to {MAX_LIMIT}", "rank")
    try:
        found = log_click(db.get_engine(), token, article, rank)
    except SQLAlchemyError:
        raise ApiError(503, "database_unavailable", "the search log is not available") from None
    if not found:
        raise ApiError(404, "not_found", "no search with that token (or its click is known)")
    return "", 204


_ERROR = {
    "description": "An error in the one error shape.",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
}
_LIMITED = {
    **_ERROR,
    "description": "Too many searches from this client (KB_SEARCH_RATE_LIMIT).",
    "headers": {"Retry-After": {"description": "Seconds to wait.", "schema": {"type": "string"}}},
}
OPENAPI_PATHS = {
    "/api/v1/search": {
        "get": {
            "operationId": "search",
            "summary": "Search the help center (same JSON as `kb search --json`).",
            "parameters": [
                {
                    "name": "q",
                    "in": "query",
                    "required": True,
                    "schema": {"type": "string", "minLength": 1, "maxLength": MAX_Q},
                },
                {
                    "name": "lang",
                    "in": "query",
                    "required": False,
                    "description": f"The page's language; one without kb's analysis "
                    f"({', '.join(LANGS)} have it) searches in the index's default language.",
                    "schema": {"type": "string", "pattern": LANG_RE.pattern},
                },
                {
                    "name": "limit",
                    "in": "query",
                    "required": False,
                    "schema": {
                        "type": "integer",
                        "minimum": 1,
                        "maximum": MAX_LIMIT,
                        "default": 10,
                    },
                },
            ],
            "responses": {
                "200": {
                    "description": "Results, best first.",
                    "headers": {
                        TOKEN_HEADER: {
                            "description": "Token for /click.",
                            "schema": {"type": "string"},
                        }
                    },
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["results", "total", "suggestion"],
                                "properties": {
                                    "results": {
                                        "type": "array",
                                        "items": {
                                            "type": "object",
                                            "required": [
                                                "id",
                                                "path",
                                                "title",
                                                "url",
                                                "score",
                                                "snippet",
                                            ],
                                            "properties": {
                                                "id": {"type": "string"},
                                                "path": {"type": "string"},
                                                "title": {"type": "string"},
                                                "url": {"type": "string"},
                                                "lang": {
                                                    "type": "string",
                                                    "description": "The article's language.",
                                                },
                                                "score": {"type": "number"},
                                                "snippet": {"type": "string"},
                                                "section": {
                                                    "type": ["object", "null"],
                                                    "properties": {
                                                        "anchor": {"type": "string"},
                                                        "title": {"type": "string"},
                                                    },
                                                },
                                            },
                                        },
                                    },
                                    "total": {"type": "integer", "minimum": 0},
                                    "suggestion": {"type": ["string", "null"]},
                                },
                            }
                        }
                    },
                },
                "422": _ERROR,
                "429": _LIMITED,
                "503": _ERROR,
            },
        }
    },
    "/api/v1/search/click": {
        "post": {
            "operationId": "searchClick",
            "summary": "Record which result a reader opened after a search.",
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": ["search", "article"],
                            "properties": {
                                "search": {"type": "string"},
                                "article": {"type": "string"},
                                "rank": {"type": ["integer", "null"], "minimum": 1},
                            },
                        }
                    }
                },
            },
            "responses": {
                "204": {"description": "Recorded."},
                "400": _ERROR,
                "404": _ERROR,
                "422": _ERROR,
                "429": _LIMITED,
                "503": _ERROR,
            },
        }
    },
}
