"""``kb report``'s section "What customers could not find", in each of its formats."""

from __future__ import annotations

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from kb.review.notfound import NotFound, Topic

SHOWN = 20  # topics in the table and the Markdown; the JSON has up to JSON_SHOWN
JSON_SHOWN = 100
TITLE = "What customers could not find"


def _langs(t: Topic) -> str:
    return ", ".join(f"{lang} {n}" for lang, n in t.langs.most_common())


def _failures(t: Topic) -> str:
    parts = [
        (t.failures.get("no_result", 0), "no result"),
        (t.failures.get("unsatisfied", 0), "unsatisfied"),
        (t.failures.get("contact", 0), "contacted support"),
    ]
    return ", ".join(f"{n} {what}" for n, what in parts if n)


def _title(nf: NotFound, aid: str) -> str:
    return str((nf.titles.get(aid) or {}).get("title") or aid)


def _ended(nf: NotFound, t: Topic) -> str:
    ended = [f"{_title(nf, aid)} ({n})" for aid, n in t.articles.most_common(3)]
    about = [_title(nf, aid) for aid in t.about]
    out = []
    if ended:
        out.append("ended on " + "; ".join(ended))
    if about:
        out.append("no result, though about " + "; ".join(about))
    elif t.failures.get("no_result"):
        out.append("no article about it")
    return " · ".join(out)


def _examples(t: Topic) -> str:
    return "; ".join(f"{q} ({n})" for q, n in t.queries.most_common(3))


def summary(nf: NotFound) -> str:
    how = "words and meaning" if nf.grouped_by == "meaning" else "words"
    return (
        f"{nf.searches} searches did not help, in {len(nf.topics)} topics (grouped by {how}), "
        "the costliest first"
    )


def as_json(nf: NotFound) -> dict:
    return nf.to_dict(JSON_SHOWN)


def as_markdown(nf: NotFound, md_cell) -> list[str]:
    lines = ["", f"### {TITLE}", ""]
    if not nf.topics:
        return [*lines, "No search failed: every search found something and helped."]
    lines += [
        summary(nf) + ".",
        "",
        "| Topic | Searches | How they failed | Languages | Queries | Keywords | Articles |",
        "|---|--:|---|---|---|---|---|",
    ]
    for t in nf.topics[:SHOWN]:
        cells = (
            t.label,
            t.searches,
            _failures(t),
            _langs(t),
            _examples(t),
            ", ".join(t.keywords(5)),
            _ended(nf, t),
        )
        lines.append("| " + " | ".join(md_cell(c) for c in cells) + " |")
    return lines


def print_table(console: Console, nf: NotFound) -> None:
    if not nf.topics:
        console.print(f"{TITLE}: no search failed.")
        return
    table = Table(
        box=box.SIMPLE_HEAD,
        expand=False,
        title=TITLE,
        caption=summary(nf),
    )
    table.add_column("Topic", min_width=14, ratio=2, overflow="fold")
    table.add_column("Searches", justify="right", no_wrap=True)
    table.add_column("How they failed", ratio=2)
    table.add_column("Languages", no_wrap=True)
    table.add_column("Queries · articles", min_width=20, ratio=3)
    for t in nf.topics[:SHOWN]:
        detail = escape(_examples(t))
        ended = _ended(nf, t)
        if ended:
            detail += f"\n[dim]{escape(ended)}[/]"
        table.add_row(escape(t.label), str(t.searches), _failures(t), _langs(t), detail)
    console.print(table)
