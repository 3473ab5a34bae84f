"""Every API setting is documented, with its environment variable, in docs/api.md."""

import pytest
from kb.feedback_api.config import SETTINGS

from kb.core.vocabulary import REASONS
from tests.helpers import ROOT

API_DOC = ROOT / "docs" / "api.md"


@pytest.mark.parametrize("variable", [var for var, _ in SETTINGS.values()])
def test_every_setting_is_documented(variable):
    assert f"`{variable}`" in API_DOC.read_text(encoding="utf-8")


def test_every_reason_code_is_documented():
    text = API_DOC.read_text(encoding="utf-8")
    assert all(f"`{reason}`" in text for reason in REASONS)


def test_every_error_code_the_api_raises_is_documented():
    import re

    text = API_DOC.read_text(encoding="utf-8")
    source = "\n".join(
        p.read_text(encoding="utf-8") for p in (API_DOC.parent.parent / "feedback_api").glob("*.py")
    )
    codes = set(re.findall(r'ApiError\(\s*\d{3},\s*"([a-z_]+)"', source))
    assert codes and all(f"`{code}`" in text for code in codes), codes
