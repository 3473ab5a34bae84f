"""deploy/nginx/kb-site.conf as shipped gzips and caches the site as ``kb serve`` does (the
Caddyfile's check is in test_caddy.py, beside its server)."""

from __future__ import annotations

import pytest

from tests.deploy.stack import check_delivery

pytestmark = pytest.mark.postgres


def test_nginx_compresses_and_caches_as_the_preview_does(stack):
    check_delivery(stack["ports"]["https"], stack["site"])
