"""schemathesis against the API's own ``/api/v1/openapi.json``: generated requests, valid and
invalid, to every operation the document lists. No answer may be a 5xx, and every answer must
match the document (status code, content type, headers, body schema).

The number of examples is bounded so the suite stays fast; set ``KB_SCHEMATHESIS_EXAMPLES``
for a deeper run.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from kb.feedback_api.db import get_engine
from schemathesis import GenerationMode
from schemathesis import checks as st_checks

EXAMPLES = int(os.environ.get("KB_SCHEMATHESIS_EXAMPLES", "40"))

# What the document promises about every answer. ``positive_data_acceptance`` is left out:
# the document cannot express every rule (an article must exist in the built site, a lang
# must be a language code), so a schema-valid vote may still be refused with a 4xx.
CHECKS = [
    st_checks.not_a_server_error,
    st_checks.status_code_conformance,
    st_checks.content_type_conformance,
    st_checks.response_headers_conformance,
    st_checks.response_schema_conformance,
]


@pytest.fixture
def api(db_url, site_dir, tmp_path):
    from kb.feedback_api import create_app

    app = create_app(
        {
            "TESTING": True,
            "PROJECT_DIR": tmp_path,
            "SITE_DIR": site_dir,
            "DATABASE_URL": db_url,
            "AUTO_UPGRADE": True,
            "RATE_LIMIT": "off",
        }
    )
    yield app
    get_engine(app).dispose()


def operations(app):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    found = []
    for result in schema.get_all_operations():
        found.append(result.ok())
    return found


def _with_real_article(case, article_id: str | None):
    """Half the generated votes name an article that exists, so storage is reached too."""
    if article_id and isinstance(case.body, dict) and "article" in case.body:
        case.body["article"] = article_id
    return case


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_generated_requests_never_get_a_5xx_and_match_the_document(api, articles, mode):
    ops = operations(api)
    assert any(op.path == "/api/v1/feedback" for op in ops), [op.path for op in ops]
    ids = st.sampled_from([None] + [a["id"] for a in articles[:5]])
    seen: dict[str, dict[int, int]] = {}
    current = {"name": ""}
    for op in ops:
        strategy = op.as_strategy(generation_mode=mode)
        current["name"] = f"{op.method.upper()} {op.path}"

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=strategy, article=ids)
        def run(case, article):
            case = _with_real_article(case, article)
            response = case.call(app=api) if _takes_app(case) else case.call()
            case.validate_response(response, checks=CHECKS)
            codes = seen.setdefault(current["name"], {})
            codes[response.status_code] = codes.get(response.status_code, 0) + 1

        try:
            run()
        except Unsatisfiable:
            # an operation without parameters or body has no invalid request to make
            assert mode == GenerationMode.NEGATIVE and op.path != "/api/v1/feedback"
    sent = sum(sum(c.values()) for c in seen.values())
    print(f"schemathesis {mode.value}: {sent} requests {seen}")
    assert sent >= len(ops), seen
    feedback_codes = seen.get("POST /api/v1/feedback", {})
    if mode == GenerationMode.POSITIVE:
        assert set(feedback_codes) & {200, 201, 303}, f"no generated vote was stored: {seen}"
    else:
        assert all(400 <= c < 500 or c in (200, 201, 303) for c in feedback_codes), seen


def _takes_app(case) -> bool:
    import inspect

    return "app" in inspect.signature(case.call).parameters
