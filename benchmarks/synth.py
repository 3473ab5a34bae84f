"""Synthetic help centers for benchmarks: realistic articles, categories, FAQs, onboarding.

Shared by every ``benchmarks/bench_*.py``. Deterministic for a given ``seed``::

    from benchmarks.synth import make_project
    project = make_project(tmp / "hc", 1000)          # mkdocs.yml + articles/, kb plugin on
    plain = make_project(tmp / "plain", 1000, kb=False)  # same files, default Material build

An article is 150-700 words (median about 350, like real help-center articles), with
headings, numbered steps, a table or an alert now and then, and links to its neighbours
(some with anchors). Each category has about 40 % FAQs, 25 % how-tos, 20 % troubleshooting
and 15 % plain Markdown with only a title, as imported knowledge bases have; the first
category holds a five-step onboarding guide. Every link resolves, so ``kb check`` reports
only the "no id" warnings of the plain articles.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

import yaml

WORDS = {
    "en": (
        "account workspace invoice payment plan team member password email address setting "
        "report export import project customer order refund receipt subscription license "
        "device browser phone app notification permission role admin access folder file "
        "document template currency tax period history dashboard profile security code link "
        "message reminder calendar schedule data backup sync connection network error page "
        "the a your our this that each every some any new old first last next other same "
        "open select choose enter save delete change add remove send check update confirm "
        "download upload share invite sign create find turn review keep move copy print "
        "quickly carefully again later today always never usually only also then still"
    ).split(),
    "it": (
        "account area fattura pagamento piano squadra membro password email indirizzo "
        "impostazione report esportazione progetto cliente ordine rimborso ricevuta abbonamento "
        "licenza dispositivo browser telefono app notifica permesso ruolo amministratore accesso "
        "cartella file documento modello valuta imposta periodo cronologia pannello profilo "
        "sicurezza codice collegamento messaggio promemoria calendario dati backup rete errore "
        "il la i le un una tuo tua nostro questo quello ogni alcuni nuovo vecchio primo ultimo "
        "apri seleziona scegli inserisci salva elimina cambia aggiungi rimuovi invia controlla "
        "aggiorna conferma scarica carica condividi invita crea trova attiva rivedi sposta "
        "rapidamente attentamente ancora dopo oggi sempre mai di solito solo anche poi"
    ).split(),
}
CATEGORY_NAMES = {
    "en": [
        "Getting started",
        "Account and sign-in",
        "Billing",
        "Invoices",
        "Payments",
        "Team and roles",
        "Projects",
        "Reports",
        "Integrations",
        "Mobile app",
        "Security and privacy",
        "Notifications",
        "Data import and export",
        "Taxes",
        "Subscriptions",
        "Customers",
        "Troubleshooting",
        "Developers",
        "Accessibility",
        "Legal",
    ],
    "it": [
        "Per iniziare",
        "Account e accesso",
        "Fatturazione",
        "Fatture",
        "Pagamenti",
        "Squadra e ruoli",
        "Progetti",
        "Report",
        "Integrazioni",
        "App mobile",
        "Sicurezza e privacy",
        "Notifiche",
        "Importazione ed esportazione dati",
        "Imposte",
        "Abbonamenti",
        "Clienti",
        "Risoluzione dei problemi",
        "Sviluppatori",
        "Accessibilità",
        "Note legali",
    ],
}
QUESTION = {
    "en": ["How do I", "Can I", "Why can't I", "What happens when I", "Where do I"],
    "it": ["Come posso", "Posso", "Perché non riesco a", "Cosa succede se", "Dove posso"],
}
HEADINGS = {
    "en": [
        "Before you start",
        "Steps",
        "What happens next",
        "If it does not work",
        "Good to know",
        "Related settings",
        "Limits",
    ],
    "it": [
        "Prima di iniziare",
        "Passaggi",
        "Cosa succede dopo",
        "Se non funziona",
        "Buono a sapersi",
        "Impostazioni collegate",
        "Limiti",
    ],
}
TYPE_MIX = [("faq", 40), ("howto", 25), ("troubleshooting", 20), (None, 15)]


@dataclass
class SynthArticle:
    path: str  # relative to the articles folder
    title: str
    type: str | None
    category: str
    headings: list[str] = field(default_factory=list)


@dataclass
class SynthProject:
    root: Path
    docs_dir: Path
    config_file: Path
    articles: list[SynthArticle]
    categories: dict[str, str]  # folder -> title

    def article_file(self, index: int = 0) -> Path:
        return self.docs_dir / self.articles[index].path


def _slug(text: str) -> str:
    import re
    import unicodedata

    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _sentence(rng: random.Random, words: list[str], lo: int = 8, hi: int = 20) -> str:
    n = rng.randint(lo, hi)
    s = " ".join(rng.choice(words) for _ in range(n))
    return s[0].upper() + s[1:] + "."


def _paragraph(rng: random.Random, words: list[str], sentences: tuple[int, int] = (2, 5)) -> str:
    return " ".join(_sentence(rng, words) for _ in range(rng.randint(*sentences)))


def category_count(n: int) -> int:
    """About 50 articles per category, between 3 and 20 categories."""
    return max(3, min(20, n // 50))


def plan_articles(
    n: int, lang: str = "en", seed: int = 0, categories: int | None = None
) -> list[SynthArticle]:
    """Titles, types and paths of ``n`` articles (no text yet)."""
    rng = random.Random(seed)
    words = WORDS[lang]
    n_cat = categories or category_count(n)
    names = CATEGORY_NAMES[lang]
    cats = [
        (
            _slug(names[i % len(names)]) + (f"-{i // len(names) + 1}" if i >= len(names) else ""),
            names[i % len(names)],
        )
        for i in range(n_cat)
    ]
    kinds = [k for k, w in TYPE_MIX for _ in range(w)]
    out: list[SynthArticle] = []
    used: set[str] = set()
    guide = min(5, n)
    for i in range(n):
        folder, _title = cats[0] if i < guide else cats[i % n_cat]
        if i < guide:
            kind = "onboarding"
            title = (
                f"{'Step' if lang == 'en' else 'Passo'} {i + 1}: "
                + " ".join(rng.choice(words) for _ in range(3)).capitalize()
            )
        else:
            kind = rng.choice(kinds)
            topic = " ".join(rng.choice(words) for _ in range(rng.randint(3, 6)))
            if kind == "faq":
                title = f"{rng.choice(QUESTION[lang])} {topic}?"
            else:
                title = topic.capitalize()
        slug = _slug(title)[:60].strip("-") or "article"
        path = f"{folder}/{slug}.md"
        k = 2
        while path in used:
            path = f"{folder}/{slug}-{k}.md"
            k += 1
        used.add(path)
        heads = rng.sample(HEADINGS[lang], rng.randint(2, 4))
        out.append(SynthArticle(path, title, kind, folder, heads))
    return out


def _rel(src: str, dst: str) -> str:
    import posixpath

    return posixpath.relpath(dst, posixpath.dirname(src) or ".")


def article_text(
    a: SynthArticle, index: int, plan: list[SynthArticle], lang: str, rng: random.Random
) -> str:
    """The Markdown of one article, front matter included."""
    words = WORDS[lang]
    parts: list[str] = []
    if a.type is not None:
        fm = {
            "id": f"{_slug(a.title)[:40].strip('-')}-{index:06x}",
            "title": a.title,
            "type": a.type,
            "lang": lang,
            "summary": _sentence(rng, words, 8, 14),
            "tags": sorted({rng.choice(words) for _ in range(3)}),
            "owner": rng.choice(["support-team", "billing-team", "docs", "onboarding-team"]),
            "review_by": f"20{rng.randint(28, 30)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
        }
        if a.type == "onboarding":
            fm["step"] = index + 1
        parts.append("---\n" + yaml.safe_dump(fm, allow_unicode=True, sort_keys=False) + "---\n")
    else:  # plain Markdown from another knowledge base: only an H1
        parts.append(f"# {a.title}\n")
    parts.append(_paragraph(rng, words, (2, 4)))
    same = [b for b in plan if b.category == a.category and b is not a]
    for h_i, heading in enumerate(a.headings):
        parts.append(f"## {heading}")
        roll = rng.random()
        if h_i == 0 and a.type in ("howto", "onboarding", "troubleshooting"):
            steps = [
                f"{k}. {_sentence(rng, words, 5, 12)} Select **{rng.choice(words)}**."
                for k in range(1, rng.randint(3, 7))
            ]
            parts.append("\n".join(steps))
        elif roll < 0.15:
            rows = [
                "| " + " | ".join(rng.choice(words) for _ in range(3)) + " |"
                for _ in range(rng.randint(2, 5))
            ]
            parts.append("| Option | Value | Notes |\n| --- | --- | --- |\n" + "\n".join(rows))
        elif roll < 0.25:
            kind = rng.choice(["NOTE", "TIP", "WARNING", "IMPORTANT"])
            parts.append(f"> [!{kind}]\n> {_sentence(rng, words)}")
        elif roll < 0.32:
            parts.append("```text\n" + " ".join(rng.choice(words) for _ in range(8)) + "\n```")
        elif roll < 0.5:
            parts.append(
                "\n".join(f"- {_sentence(rng, words, 4, 10)}" for _ in range(rng.randint(2, 5)))
            )
        parts.append(_paragraph(rng, words))
    # links: one or two neighbours in the category, sometimes to a heading; one elsewhere
    links = []
    for b in rng.sample(same, min(len(same), rng.randint(1, 2))):
        anchor = f"#{_slug(b.headings[0])}" if rng.random() < 0.3 else ""
        links.append(f"[{b.title}]({_rel(a.path, b.path)}{anchor})")
    other = plan[rng.randrange(len(plan))]
    if other is not a:
        links.append(f"[{other.title}]({_rel(a.path, other.path)})")
    parts.append(("See also" if lang == "en" else "Vedi anche") + ": " + ", ".join(links) + ".")
    return "\n\n".join(parts) + "\n"


def write_articles(
    docs_dir: Path, n: int, *, lang: str = "en", seed: int = 0, categories: int | None = None
) -> list[SynthArticle]:
    """Write ``n`` articles under ``docs_dir``; returns their plan."""
    plan = plan_articles(n, lang, seed, categories)
    rng = random.Random(seed + 1)
    for i, a in enumerate(plan):
        target = docs_dir / a.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(article_text(a, i, plan, lang, rng), encoding="utf-8")
    return plan


MARKDOWN_EXTENSIONS = [
    "admonition",
    "attr_list",
    "md_in_html",
    "tables",
    {"toc": {"permalink": True}},
    "pymdownx.details",
    "pymdownx.superfences",
]


def config_dict(
    plan: list[SynthArticle],
    *,
    lang: str = "en",
    kb: bool = True,
    site_name: str = "Synthetic Help Center",
    docs_dir: str = "articles",
    site_dir: str = "site",
) -> dict:
    """The ``mkdocs.yml`` of a synthetic project: kb's, or a default Material build."""
    theme = {"name": "material", "language": lang}
    conf: dict = {
        "site_name": site_name,
        "docs_dir": docs_dir,
        "site_dir": site_dir,
        "theme": theme,
        "markdown_extensions": MARKDOWN_EXTENSIONS,
    }
    if kb:
        titles: dict[str, dict] = {}
        for a in plan:
            if a.category not in titles:
                names = CATEGORY_NAMES[lang]
                title = next((t for t in names if a.category.startswith(_slug(t))), a.category)
                titles[a.category] = {"title": title, "order": len(titles) + 1}
        theme["features"] = ["search.suggest", "search.highlight", "navigation.footer"]
        conf["plugins"] = [{"search": {"lang": lang}}, {"kb": {"categories": titles}}]
    else:
        conf["plugins"] = ["search"]  # mkdocs-material's defaults: full navigation, search
    return conf


def make_project(
    root: Path,
    n: int,
    *,
    lang: str = "en",
    seed: int = 0,
    kb: bool = True,
    categories: int | None = None,
    docs_dir: Path | None = None,
) -> SynthProject:
    """A synthetic project in ``root``: ``mkdocs.yml`` and ``articles/`` with ``n`` articles.

    With ``docs_dir`` (an existing folder written by an earlier call) the articles are
    shared, not written again: e.g. a default Material build of the very same files.
    """
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    plan = plan_articles(n, lang, seed, categories)
    if docs_dir is None:
        docs_dir = root / "articles"
        write_articles(docs_dir, n, lang=lang, seed=seed, categories=categories)
    conf = config_dict(
        plan,
        lang=lang,
        kb=kb,
        docs_dir=str(Path(docs_dir).resolve()),
        site_dir=str((root / "site").resolve()),
    )
    config_file = root / "mkdocs.yml"
    config_file.write_text(
        yaml.safe_dump(conf, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    cats = {}
    for a in plan:
        cats.setdefault(a.category, a.category)
    return SynthProject(root, Path(docs_dir), config_file, plan, cats)


def dir_size(path: Path) -> int:
    """Bytes of every file under ``path``."""
    total = 0
    for p in Path(path).rglob("*"):
        if p.is_file():
            total += p.stat().st_size
    return total


if __name__ == "__main__":  # python -m benchmarks.synth DIR N [--lang it]
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("directory", type=Path)
    ap.add_argument("n", type=int)
    ap.add_argument("--lang", default="en", choices=sorted(WORDS))
    ap.add_argument("--plain", action="store_true", help="a default Material build, no kb")
    ns = ap.parse_args()
    p = make_project(ns.directory, ns.n, lang=ns.lang, kb=not ns.plain)
    print(f"{len(p.articles)} articles in {p.docs_dir}; config {p.config_file}")
