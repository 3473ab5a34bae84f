"""The dashboard judges with the configuration file the server was started with."""

from kb.serve import api_app
from tests.dashboard.helpers import WEAK, dashboard_app, login


def _flags_page(app) -> str:
    client = app.test_client()
    login(client)
    resp = client.get("/dashboard/flags")
    assert resp.status_code == 200
    return resp.get_data(as_text=True)


def _renamed_config(site, min_votes: int):
    """The project's mkdocs.yml renamed help.yml, with its own review thresholds."""
    config = site / "help.yml"
    text = (site / "mkdocs.yml").read_text(encoding="utf-8")
    (site / "mkdocs.yml").unlink()
    review = f"  - kb:\n      review:\n        min_votes: {min_votes}\n        confidence: 0.9\n"
    config.write_text(text.replace("  - kb:\n", review, 1), encoding="utf-8")
    return config


def test_flags_use_the_settings_of_a_config_file_not_named_mkdocs_yml(site):
    config = _renamed_config(site, min_votes=500)
    page = _flags_page(dashboard_app(site, CONFIG_FILE=str(config)))
    assert "at least 500 votes" in page and "90% sure" in page
    assert f"/dashboard/articles/{WEAK}" not in page  # 41 votes: too few to judge at 500

    defaults = _flags_page(dashboard_app(site))  # PROJECT_DIR/mkdocs.yml: gone, defaults
    assert "at least 10 votes" in defaults and "80% sure" in defaults
    assert f"/dashboard/articles/{WEAK}" in defaults


def test_kb_serve_hands_its_config_file_to_the_dashboard(site):
    config = _renamed_config(site, min_votes=3)
    database = f"sqlite:///{site / '.kb' / 'feedback.db'}"
    assert api_app(site, site / "site", database, config).config["CONFIG_FILE"] == config.resolve()
    default = api_app(site, site / "site", database).config["CONFIG_FILE"]
    assert default == (site / "mkdocs.yml").resolve()
