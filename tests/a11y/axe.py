"""axe-core injected into a Playwright page: the audit the accessibility tests assert on."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import require

AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.2 A and AA, and axe's best practices (landmarks, one main heading, dialog names).
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
SEVERE = ("serious", "critical")


def require_axe() -> None:
    require(AXE.is_file(), "axe-core is not installed (npm ci --prefix tests/a11y)")


def audit(page) -> list[dict]:
    """axe's violations on the page as it is now (every impact)."""
    require_axe()
    if not page.evaluate("() => !!window.axe"):
        page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    return page.evaluate(
        """tags => axe.run(document, {runOnly: {type: 'tag', values: tags},
                                       resultTypes: ['violations']})
                 .then(r => r.violations.map(v => ({
                     id: v.id, impact: v.impact, help: v.help,
                     nodes: v.nodes.map(n => n.target.join(' ') + ': ' +
                         (n.failureSummary || '').split('\\n').slice(1).join(' '))
                 })))""",
        TAGS,
    )


def describe(where: str, violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{where}: {v['impact']} {v['id']} ({v['help']})")
        lines += [f"    {n}" for n in v["nodes"][:6]]
    return "\n".join(lines)


def severe(violations: list[dict]) -> list[dict]:
    return [v for v in violations if v["impact"] in SEVERE]
