"""The OpenAPI document is valid, covers every route, and real responses match it."""

from __future__ import annotations

import pytest
from openapi_core import OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse
from openapi_core.validation.response.validators import V31ResponseDataValidator
from werkzeug.test import EnvironBuilder

from tests.helpers import new_submission, vote_body

URL = "/api/v1/feedback"


@pytest.fixture
def spec(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return OpenAPI.from_dict(response.get_json())  # validates the document itself


def as_sent(method: str, path: str, **kwargs) -> WerkzeugOpenAPIRequest:
    """The request as the client sends it (the app has read the body of its own copy)."""
    return WerkzeugOpenAPIRequest(EnvironBuilder(path, method=method, **kwargs).get_request())


def call(spec, client, method: str, path: str, **kwargs):
    """Send a request; validate it and its response against the document."""
    spec.validate_request(as_sent(method, path, **kwargs))
    response = client.open(path, method=method, **kwargs)
    spec.validate_response(as_sent(method, path, **kwargs), WerkzeugOpenAPIResponse(response))
    return response


def test_every_api_route_is_described(app, client):
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.")
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/"):
            continue
        path = rule.rule.replace("<", "{").replace(">", "}")
        assert path in doc["paths"], f"{rule.rule} is not in openapi.json"
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert method.lower() in doc["paths"][path], f"{method} {rule.rule} undocumented"


def test_real_responses_match_the_document(spec, client, articles):
    body = vote_body(articles[0], ces=3, comment="ok", reason="outdated", lang="en")
    assert call(spec, client, "POST", URL, json=body).status_code == 201
    assert call(spec, client, "POST", URL, json={**body, "ces": 7}).status_code == 200
    assert call(spec, client, "GET", "/api/v1/health").status_code == 200
    assert call(spec, client, "GET", "/api/v1/openapi.json").status_code == 200


@pytest.mark.parametrize(
    "body, status",
    [
        ({"csat": 9}, 422),
        ({"article": "no-such-article"}, 404),
        ({"reason": "boring"}, 422),
    ],
)
def test_error_responses_match_the_document(spec, client, articles, body, status):
    sent = {"json": {**vote_body(articles[0]), **body}}
    response = client.post(URL, **sent)
    assert response.status_code == status
    # The request is invalid on purpose: only the response is checked against the document.
    validator = V31ResponseDataValidator(spec.spec)
    validator.validate(as_sent("POST", URL, **sent), WerkzeugOpenAPIResponse(response))


def test_the_form_post_matches_the_document(spec, client, articles):
    form = {"article": articles[0]["id"], "csat": "5", "submission": new_submission()}
    assert call(spec, client, "POST", URL, data=form).status_code == 303
