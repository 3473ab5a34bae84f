"""Accessibility in a real Chromium: axe-core's audit, the keyboard, a phone's screen.

axe-core comes from npm (``package.json`` and ``package-lock.json`` here; ``make install``
runs ``npm ci`` in this folder). The English and the Italian sample help centers are built and
served once for the package's tests, site and API on one port as ``kb serve`` does.
"""

from __future__ import annotations

import pytest

from kb.core.scaffold import init_project
from tests.helpers import serving_with_api


@pytest.fixture(scope="module")
def sites(tmp_path_factory, browser):
    """{"en": base URL, "it": base URL}: both sample help centers with their API."""
    served = {}
    with serving_with_api(_project(tmp_path_factory, "en")) as en:
        with serving_with_api(_project(tmp_path_factory, "it")) as it:
            served["en"], served["it"] = en[0], it[0]
            yield served


@pytest.fixture(scope="module")
def site(tmp_path_factory, browser):
    """The English sample help center with its API: its base URL."""
    with serving_with_api(_project(tmp_path_factory, "en")) as served:
        yield served[0]


def _project(tmp_path_factory, lang: str):
    project = tmp_path_factory.mktemp(f"a11y-{lang}")
    init_project(project, lang)
    return project
