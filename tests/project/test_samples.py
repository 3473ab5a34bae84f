"""The English samples ``kb init`` copies and the repository's demo help center share articles.

They are two copies on purpose (docs/architecture.md, "The English samples and the demo help
center"): the wheel must ship real files, and a symbolic link is not one everywhere. This test
says which samples are meant to be the demo's articles byte for byte, and which one differs only
by its links to articles the sample set does not have.
"""

from __future__ import annotations

import re
from pathlib import Path

from tests.helpers import ROOT

SAMPLES = ROOT / "kb" / "samples" / "en"
DEMO = ROOT / "articles"

# The same file in both places: edit one, copy it to the other.
SHARED = {
    "account/change-your-email-address.md",
    "account/reset-your-password.md",
    "account/turn-on-two-step-verification.md",
    "billing/change-your-payment-method.md",
    "billing/download-an-invoice.md",
    "billing/request-a-refund.md",
    "getting-started/create-your-account.md",
    "getting-started/set-up-your-workspace.md",
    "troubleshooting/cant-sign-in.md",
    "troubleshooting/invoices-not-sending.md",
}
# The demo's version links on to articles only the demo has; the sample stands alone.
DEMO_LINKS_ON = {
    "getting-started/invite-your-team.md",
}
LINK = re.compile(r"\]\(([^)#\s]+\.md)(?:#[^)]*)?\)")


def markdown_files(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*.md")}


def test_every_english_sample_is_either_shared_or_a_known_variant():
    assert markdown_files(SAMPLES) == SHARED | DEMO_LINKS_ON
    assert SHARED.isdisjoint(DEMO_LINKS_ON)


def test_shared_samples_are_the_demo_articles_byte_for_byte():
    differ = [
        rel for rel in sorted(SHARED) if (SAMPLES / rel).read_bytes() != (DEMO / rel).read_bytes()
    ]
    assert differ == [], "a shared sample changed on one side only: copy it to the other"


def demo_only_targets(rel: str, line: str) -> set[str]:
    """The articles a line of the demo's ``rel`` links to that the sample set lacks."""
    base = Path(rel).parent
    targets = set()
    for target in LINK.findall(line):
        resolved = (DEMO / base / target).resolve().relative_to(DEMO.resolve()).as_posix()
        if (DEMO / resolved).is_file() and not (SAMPLES / resolved).is_file():
            targets.add(resolved)
    return targets


def test_variants_differ_only_by_links_to_demo_only_articles():
    for rel in sorted(DEMO_LINKS_ON):
        sample = (SAMPLES / rel).read_text(encoding="utf-8").splitlines()
        demo = (DEMO / rel).read_text(encoding="utf-8").splitlines()
        assert len(sample) == len(demo), rel
        changed = [(s, d) for s, d in zip(sample, demo, strict=True) if s != d]
        assert changed, f"{rel} is now the same in both: move it to SHARED"
        for _sample_line, demo_line in changed:
            assert demo_only_targets(rel, demo_line), f"{rel}: {demo_line!r}"


def test_samples_link_only_to_samples():
    for rel in sorted(markdown_files(SAMPLES)):
        text = (SAMPLES / rel).read_text(encoding="utf-8")
        for target in LINK.findall(text):
            assert (SAMPLES / Path(rel).parent / target).resolve().is_file(), f"{rel} -> {target}"
