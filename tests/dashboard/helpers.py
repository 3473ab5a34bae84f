"""Helpers for the dashboard's tests: its app, its password, logging in."""

import re

from kb.feedback_api import create_app

WEAK = "request-a-refund-4c8e01"
PASSWORD = "correct horse battery staple"
HOSTILE = '<img src=x onerror="alert(1)">'


def dashboard_app(project, **extra):
    config = {
        "PROJECT_DIR": str(project),
        "TESTING": True,
        "RATE_LIMIT": "off",
        "ADMIN_PASSWORD": PASSWORD,
        **extra,
    }
    return create_app(config)


def csrf(client, path="/dashboard/login"):
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def login(client, password=PASSWORD, next_url=None):
    data = {"csrf_token": csrf(client), "password": password}
    if next_url is not None:
        data["next"] = next_url
    return client.post("/dashboard/login", data=data)
