"""Build speed of a help center in two languages: 2 x 1,000 articles against the same 1,000
in one language, each a cold ``kb build`` in a fresh process, the fastest of three, measured
in this run (the goal of issue 11: at most 2.2x); and the same 2 x 1,000 files built the
usual way for a multilingual Material site, mkdocs-material with ``mkdocs-static-i18n``
(folder structure, default navigation, its search), once (it is slow; noise only adds time
to it), when that plugin is installed (``pip install mkdocs-static-i18n``): kb at least 5x
faster.

The bilingual project holds the one-language project's English articles under
``articles/en/`` and an Italian text of each under ``articles/it/`` at the same path (the
synthetic Italian articles of benchmarks/synth.py, written at the English paths, so each is a
translation), with ``languages: [en, it]``. ``--quick``: 100 articles, one run.
"""

from __future__ import annotations

import dataclasses
import random
import re
from pathlib import Path

import yaml

from .bench_build import MKDOCS, best, kb_build, timed
from .synth import article_text, config_dict, make_project, plan_articles

GOAL = 2.2
ID_LINE = re.compile(r"^id: .*$", re.M)


def bilingual_project(root: Path, n: int):
    """``make_project``'s project with an Italian translation of every article."""
    one = make_project(root, n)
    plan_it = plan_articles(n, "it", 0, None)
    # the Italian texts at the English paths (and in the English categories' folders)
    plan = [
        dataclasses.replace(it, path=en.path, category=en.category)
        for it, en in zip(plan_it, one.articles, strict=True)
    ]
    rng = random.Random(1)
    docs = root / "articles-2"
    for i, a in enumerate(plan):
        target = docs / "it" / a.path
        target.parent.mkdir(parents=True, exist_ok=True)
        source = (one.docs_dir / a.path).read_text(encoding="utf-8")
        text = article_text(a, i, plan, "it", rng)
        own_id = ID_LINE.search(source)  # a translation has its source's id, or none
        line = own_id.group(0) if own_id else ""
        text = ID_LINE.sub(lambda _m, line=line: line, text, count=1)
        target.write_text(text, encoding="utf-8")
    for src in one.docs_dir.rglob("*.md"):
        target = docs / "en" / src.relative_to(one.docs_dir)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(src.read_bytes())
    conf = config_dict(one.articles, docs_dir=str(docs.resolve()), site_dir=str(root / "site-2"))
    kb = conf["plugins"][1]["kb"]
    titles = kb.pop("categories")
    kb["languages"] = ["en", "it"]
    kb["categories"] = {
        f"{lang}/{key}": value for key, value in titles.items() for lang in ("en", "it")
    }
    config = root / "mkdocs-2.yml"
    config.write_text(yaml.safe_dump(conf, allow_unicode=True, sort_keys=False), encoding="utf-8")
    two = dataclasses.replace(one, root=root, docs_dir=docs, config_file=config)
    return one, two


def static_i18n_config(two) -> Path:
    """mkdocs-material + mkdocs-static-i18n over the bilingual project's files."""
    conf = {
        "site_name": "Synthetic Help Center",
        "docs_dir": str(two.docs_dir.resolve()),
        "site_dir": str(two.root / "site-i18n"),
        "theme": {"name": "material", "language": "en"},
        "plugins": [
            "search",
            {
                "i18n": {
                    "docs_structure": "folder",
                    "languages": [
                        {"locale": "en", "default": True, "name": "English", "build": True},
                        {"locale": "it", "name": "Italiano", "build": True},
                    ],
                }
            },
        ],
    }
    config = two.root / "mkdocs-i18n.yml"
    config.write_text(yaml.safe_dump(conf, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return config


def has_static_i18n() -> bool:
    try:
        import mkdocs_static_i18n  # noqa: F401 - only whether it is installed
    except ImportError:
        return False
    return True


def run(args) -> list[dict]:
    n = 100 if args.quick else 1000
    runs = 1 if args.quick else 3
    one, two = bilingual_project(Path(args.workdir) / f"langs-{n}", n)
    t_one = best(runs, kb_build, one)
    print(f"   kb build, {n} articles, one language: {t_one:.2f} s", flush=True)
    t_two = best(runs, kb_build, two)
    print(f"   kb build, 2 x {n} articles, two languages: {t_two:.2f} s", flush=True)
    ratio = t_two / t_one
    pages = sum(1 for _ in (one.root / "site-2").rglob("index.html"))
    rows = []
    if has_static_i18n():
        config = static_i18n_config(two)
        t_i18n = timed([*MKDOCS, "build", "-f", str(config)], two.root)
        print(f"   Material + mkdocs-static-i18n, 2 x {n} articles: {t_i18n:.2f} s", flush=True)
        speed = t_i18n / t_two
        rows.append(
            {
                "name": f"build 2 x {n} articles: kb vs Material + mkdocs-static-i18n",
                "figure": f"{t_two:.1f} s vs {t_i18n:.1f} s = {speed:.1f}x faster; CPU "
                f"{t_two.cpu:.1f} s vs {t_i18n.cpu:.1f} s = {t_i18n.cpu / t_two.cpu:.1f}x less",
                "goal": ">= 5x faster",
                "ok": speed >= 5 if not args.quick else None,
            }
        )
    else:
        rows.append(
            {
                "name": "build: kb vs Material + mkdocs-static-i18n",
                "figure": "not measured: pip install mkdocs-static-i18n",
                "goal": ">= 5x faster",
                "ok": None,
            }
        )
    return [
        *rows,
        {
            "name": f"build 2 x {n} articles (en+it) vs {n} in one language",
            "figure": f"{t_two:.1f} s vs {t_one:.1f} s = {ratio:.2f}x ({pages} pages); "
            f"CPU {t_two.cpu:.1f} s vs {t_one.cpu:.1f} s = {t_two.cpu / t_one.cpu:.2f}x",
            "goal": f"<= {GOAL}x",
            "ok": ratio <= GOAL if not args.quick else None,
        },
    ]
