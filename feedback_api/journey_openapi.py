"""The OpenAPI paths of :mod:`kb.feedback_api.journey` (views, contacts, search outcomes)."""

from __future__ import annotations

from typing import Any

from kb.feedback_api.search import _ERROR
from kb.feedback_api.search import _LIMITED as _SEARCH_LIMITED

from kb.core.vocabulary import ARRIVALS, REASONS, SEARCH_OUTCOMES

_LIMITED = {
    **_SEARCH_LIMITED,
    "description": "Too many from this client for this article (KB_RATE_LIMIT).",
}
_ID = {
    "type": "string",
    "minLength": 8,
    "maxLength": 36,
    "pattern": "^[A-Za-z0-9][A-Za-z0-9_-]+$",
    "description": "A UUID made by the browser: the same one is counted once.",
}
_COMMON: dict[str, Any] = {
    "id": _ID,
    "article": {"type": "string", "maxLength": 200, "description": "The article id."},
    "revision": {"type": ["string", "null"], "maxLength": 40},
    "lang": {"type": ["string", "null"], "maxLength": 8},
    "search": {
        "type": ["string", "null"],
        "description": "The X-KB-Search-Id of the search that led here.",
    },
}
_ACK = {
    "type": "object",
    "required": ["id", "counted"],
    "properties": {
        "id": {"type": "string"},
        "counted": {"type": "boolean"},
        "query": {
            "type": ["string", "null"],
            "description": "A view's search, as logged (normalised, masked): the page's "
            '"contact support" link carries it.',
        },
    },
}


def _body(properties: dict[str, Any]) -> dict[str, Any]:
    schema = {"type": "object", "required": ["id", "article"], "properties": properties}
    return {
        "required": True,
        "content": {"application/json": {"schema": schema}, "text/plain": {"schema": schema}},
    }


def _answers(what: str) -> dict[str, Any]:
    return {
        "201": {
            "description": f"The {what} was counted.",
            "content": {"application/json": {"schema": _ACK}},
        },
        "200": {
            "description": f"The {what} was counted before (a retry), or is a crawler's.",
            "content": {"application/json": {"schema": _ACK}},
        },
        "400": _ERROR,
        "404": _ERROR,
        "415": _ERROR,
        "422": _ERROR,
        "429": _LIMITED,
        "503": _ERROR,
    }


OPENAPI_PATHS: dict[str, Any] = {
    "/api/v1/views": {
        "post": {
            "operationId": "postView",
            "summary": "Count one view of an article (the page's beacon).",
            "requestBody": _body(
                {**_COMMON, "arrival": {"type": ["string", "null"], "enum": [*ARRIVALS, None]}}
            ),
            "responses": _answers("view"),
        }
    },
    "/api/v1/contacts": {
        "post": {
            "operationId": "postContact",
            "summary": "Record that a reader followed 'contact support' from an article.",
            "requestBody": _body(
                {
                    **_COMMON,
                    "q": {"type": ["string", "null"], "maxLength": 1000},
                    "csat": {"type": ["integer", "null"], "minimum": 1, "maximum": 5},
                    "ces": {"type": ["integer", "null"], "minimum": 1, "maximum": 7},
                    "reason": {"type": ["string", "null"], "enum": [*REASONS, None]},
                }
            ),
            "responses": _answers("contact"),
        }
    },
    "/api/v1/search/outcome": {
        "post": {
            "operationId": "searchOutcome",
            "summary": "Record how the reader of a search's result voted.",
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": ["search", "outcome"],
                            "properties": {
                                "search": {"type": "string"},
                                "outcome": {"type": "string", "enum": list(SEARCH_OUTCOMES[:2])},
                            },
                        }
                    }
                },
            },
            "responses": {
                "204": {"description": "Recorded."},
                "400": _ERROR,
                "404": _ERROR,
                "415": _ERROR,
                "422": _ERROR,
                "429": _LIMITED,
                "503": _ERROR,
            },
        }
    },
}
