"""The one JSON error shape: ``{"error": {"code", "message", "field"?}}``, for every error.

Views raise :class:`ApiError` (or call :func:`api_error`); every other HTTP error Flask,
Werkzeug or flask-limiter raises, and any unexpected exception, is turned into the same shape
here, so no HTML error page ever leaves the API.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, current_app, jsonify
from werkzeug.exceptions import HTTPException

log = logging.getLogger("feedback_api")

# Werkzeug's status codes -> the stable ``code`` clients may switch on.
HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "invalid_field",
    429: "rate_limited",
    500: "internal_error",
    503: "unavailable",
}


class ApiError(Exception):
    """An error answered to the client in the one error shape."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        field: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.field = status, code, message, field
        self.headers = headers or {}


def api_error(
    status: int,
    code: str,
    message: str,
    field: str | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """A JSON error response in the one shape (for code that returns rather than raises)."""
    body: dict[str, str] = {"code": code, "message": message}
    if field:
        body["field"] = field
    response = jsonify(error=body)
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _from_http(exc: HTTPException) -> Response:
    status = exc.code or 500
    code = HTTP_CODES.get(status, "http_error")
    message = exc.description or exc.name
    if status == 429:
        # kb's own limits answer with their scope's message (kb/feedback_api/limits.py); a 429
        # from elsewhere (an extension's decorator) says only what it knows.
        message = f"Too many requests from this client; try again later ({exc.description})."
    elif status == 413:
        limit = current_app.config.get("MAX_CONTENT_LENGTH")
        message = f"The request body is larger than {limit} bytes." if limit else message
    response = api_error(status, code, message)
    # Keep headers Werkzeug computed (Allow on 405, Retry-After on 429/503).
    original = exc.get_response()
    for name in ("Allow", "Retry-After"):
        if name in original.headers:
            response.headers[name] = original.headers[name]
    if status == 429 and "Retry-After" not in response.headers:
        response.headers["Retry-After"] = str(_retry_after(exc))
    return response


def _retry_after(exc: HTTPException) -> int:
    """Seconds until the limit resets, from flask-limiter's exception when it says."""
    limit = getattr(getattr(exc, "limit", None), "limit", None)
    seconds = limit.get_expiry() if limit is not None and hasattr(limit, "get_expiry") else 60
    return max(1, int(seconds))


def register_error_handlers(app: Flask) -> None:
    """Answer every error raised inside ``app`` in the one JSON shape."""

    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError) -> Response:
        return api_error(exc.status, exc.code, exc.message, exc.field, exc.headers)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Response:
        return _from_http(exc)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        log.exception("unhandled error in the feedback API")
        return api_error(500, "internal_error", "The server failed to handle the request.")
