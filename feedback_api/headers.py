"""Response headers for every API answer: CORS for the allowed origins only, no caching,
no sniffing, no framing, a Content-Security-Policy that lets a JSON answer run nothing.
The API never sets a cookie for readers."""

from __future__ import annotations

from flask import Flask, Response, request

CORS_METHODS = "GET, POST, OPTIONS"
CORS_MAX_AGE = "600"
# JSON is never a document: if a browser is tricked into rendering an answer, nothing in it
# may load, run, submit or be framed (OWASP REST security cheat sheet).
API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"


def init_app(app: Flask) -> None:
    allowed = app.config["ALLOWED_ORIGINS"]

    @app.after_request
    def _headers(response: Response) -> Response:
        if not request.path.startswith("/api/"):
            return response  # the dashboard sets its own
        headers = response.headers
        headers.setdefault("Cache-Control", "no-store")
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "no-referrer")
        headers.setdefault("Content-Security-Policy", API_CSP)
        headers.setdefault("X-Frame-Options", "DENY")
        origin = request.headers.get("Origin")
        if origin and origin.rstrip("/") in allowed:
            # No Allow-Credentials: the widget sends no cookies, and none are accepted.
            headers["Access-Control-Allow-Origin"] = origin
            headers["Access-Control-Expose-Headers"] = "Retry-After"
            if request.method == "OPTIONS":
                headers["Access-Control-Allow-Methods"] = CORS_METHODS
                headers["Access-Control-Allow-Headers"] = "Content-Type"
                headers["Access-Control-Max-Age"] = CORS_MAX_AGE
        headers.add("Vary", "Origin")
        return response
