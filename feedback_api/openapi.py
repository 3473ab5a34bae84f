"""``GET /api/v1/openapi.json``: the API described in OpenAPI 3.1.

Other blueprints add their paths by defining ``OPENAPI_PATHS`` (a dict of path -> path item)
in their module; ``register_blueprints`` collects them. Tests validate real responses against
this document, so it cannot drift from the code.
"""

from __future__ import annotations

import copy
from typing import Any

from flask import Blueprint, current_app, jsonify, request

from kb import __version__
from kb.core.vocabulary import COMMENT_MAX, REASONS, SUBMISSION_MAX

bp = Blueprint("openapi", __name__)


def _error(description: str, headers: dict[str, Any] | None = None) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }
    if headers:
        response["headers"] = headers
    return response


RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before trying again.",
        "schema": {"type": "string"},
    }
}
VOTE_FIELDS: dict[str, Any] = {
    "article": {"type": "string", "maxLength": 200, "description": "The article id."},
    "revision": {
        "type": ["string", "null"],
        "maxLength": 40,
        "description": "The revision the reader saw (default: the current one).",
    },
    "csat": {"type": "integer", "minimum": 1, "maximum": 5},
    "helpful": {
        "type": "boolean",
        "description": "The short question set's answer instead of csat: true is stored as "
        "CSAT 4 (satisfied), false as 2 (dissatisfied).",
    },
    "ces": {"type": ["integer", "null"], "minimum": 1, "maximum": 7},
    "comment": {"type": ["string", "null"], "maxLength": COMMENT_MAX},
    "reason": {"type": ["string", "null"], "enum": [*REASONS, None]},
    "lang": {"type": ["string", "null"], "maxLength": 8},
    "submission": {
        "type": "string",
        "minLength": 8,
        "maxLength": SUBMISSION_MAX,
        "pattern": "^[A-Za-z0-9][A-Za-z0-9_-]+$",
        "description": "A UUID made by the client; the same one updates the vote.",
    },
    "search": {
        "type": ["string", "null"],
        "pattern": "^[0-9a-f]{8,32}$",
        "description": "The X-KB-Search-Id of the search that opened the article: the vote "
        "records what that search ended in (satisfied at CSAT 4 or 5).",
    },
}
FORM_FIELDS = {name: {"type": "string"} for name in VOTE_FIELDS}
# A vote answers either the full question set (csat) or the short one (helpful), not both.
ONE_ANSWER = [
    {"required": ["csat"], "not": {"required": ["helpful"]}},
    {"required": ["helpful"], "not": {"required": ["csat"]}},
]

PATHS: dict[str, Any] = {
    "/api/v1/feedback": {
        "post": {
            "operationId": "postFeedback",
            "summary": "Store a vote, or update the vote with the same submission.",
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/Vote"}},
                    "application/x-www-form-urlencoded": {
                        "schema": {
                            "type": "object",
                            "required": ["article"],
                            "oneOf": ONE_ANSWER,
                            "properties": FORM_FIELDS,
                        }
                    },
                },
            },
            "responses": {
                "201": {
                    "description": "A new vote was stored.",
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Stored"}}
                    },
                },
                "200": {
                    "description": "The vote with this submission was updated.",
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Stored"}}
                    },
                },
                "303": {
                    "description": "Form post: back to the article with a thank-you.",
                    "headers": {"Location": {"schema": {"type": "string"}}},
                },
                "400": _error("The body is not a JSON object."),
                "404": _error("No such article in the built help center."),
                "409": _error("The submission belongs to a vote on another article."),
                "413": _error("The body is larger than the limit."),
                "415": _error("Neither JSON nor an HTML form."),
                "422": _error("A field is missing or out of range; `field` names it."),
                "429": _error("Too many votes from this client for this article.", RETRY_AFTER),
                "503": _error("The database or the built site is not available.", RETRY_AFTER),
            },
        }
    },
    "/api/v1/health": {
        "get": {
            "operationId": "getHealth",
            "summary": "Is the API up, and does its database answer?",
            "responses": {
                "200": {
                    "description": "Healthy.",
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Health"}}
                    },
                },
                "503": _error(
                    "The database does not answer or its schema is not current.", RETRY_AFTER
                ),
            },
        }
    },
    "/api/v1/openapi.json": {
        "get": {
            "operationId": "getOpenapi",
            "summary": "This document.",
            "responses": {
                "200": {
                    "description": "The OpenAPI document.",
                    "content": {"application/json": {"schema": {"type": "object"}}},
                }
            },
        }
    },
}

COMPONENTS: dict[str, Any] = {
    "schemas": {
        "Vote": {
            "type": "object",
            "required": ["article", "submission"],
            # the full question set's csat, or the short set's helpful (kb/core/votes.py)
            "oneOf": ONE_ANSWER,
            "properties": VOTE_FIELDS,
        },
        "Stored": {
            "type": "object",
            "required": ["id", "submission"],
            "additionalProperties": False,
            "properties": {"id": {"type": "integer"}, "submission": {"type": "string"}},
        },
        "Health": {
            "type": "object",
            "required": ["status", "database"],
            "properties": {
                "status": {"const": "ok"},
                "database": {"const": "ok"},
                "schema": {"type": "array", "items": {"type": "string"}},
                "articles": {
                    "type": ["integer", "null"],
                    "description": "Articles in the built site (null: not built).",
                },
            },
        },
        "Error": {
            "type": "object",
            "required": ["error"],
            "additionalProperties": False,
            "properties": {
                "error": {
                    "type": "object",
                    "required": ["code", "message"],
                    "additionalProperties": False,
                    "properties": {
                        "code": {"type": "string"},
                        "message": {"type": "string"},
                        "field": {"type": "string"},
                    },
                }
            },
        },
    }
}

# Every error the API answers, with or without a route behind it (unknown paths, methods).
COMMON_ERRORS = {
    "404": _error("No such route."),
    "405": _error("Method not allowed."),
    "500": _error("The server failed."),
}


def build_document(
    extra_paths: dict[str, Any] | None = None, server_url: str = "/"
) -> dict[str, Any]:
    """The OpenAPI document, with paths contributed by other blueprints."""
    paths = copy.deepcopy(PATHS)
    paths.update(copy.deepcopy(extra_paths or {}))
    for item in paths.values():
        for operation in item.values():
            if isinstance(operation, dict) and "responses" in operation:
                for status, response in COMMON_ERRORS.items():
                    operation["responses"].setdefault(status, response)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "kb feedback API",
            "version": __version__,
            "description": "kb's API: readers' votes, search and health.",
        },
        "servers": [{"url": server_url}],
        "paths": paths,
        "components": copy.deepcopy(COMPONENTS),
    }


@bp.get("/openapi.json")
def openapi_json():
    doc = build_document(
        current_app.extensions.get("kb_openapi_paths"), server_url=request.script_root or "/"
    )
    return jsonify(doc)
