"""The maintainers' dashboard: its door, its pages, attacks on both.

``site`` is the sample help center with one weak article and hostile comments on it; ``client``
is a Flask test client of the API with the dashboard open (``PASSWORD``).
"""

import pytest

from tests.dashboard.helpers import HOSTILE, WEAK, dashboard_app
from tests.review_helpers import seed_weak_article


@pytest.fixture
def site(project, monkeypatch):
    seed_weak_article(project, monkeypatch, WEAK, HOSTILE)
    return project


@pytest.fixture
def client(site):
    return dashboard_app(site).test_client()
