"""``kb init --lang it --lang en`` and ``kb new --translation-of``: a help center in several
languages, with sample translations, and a new translation started from its source.

The samples of the default language (the first ``--lang``) are the sources; each other
language gets its own samples as translations of them (``translation_of`` and
``source_revision``), except one left untranslated and one made from an earlier text of its
source, so that ``kb check`` and ``kb translations`` show a missing and an outdated
translation on day one. The earlier text is recorded in the project's revision history
(``.kb/revisions.json``), as a build would have recorded it, followed by today's rewrite.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml

from kb.core.content import Article, load_article
from kb.core.errors import KbError
from kb.core.revisions import record
from kb.core.translations import SOURCE_REVISION, TRANSLATION_OF, history_key

# The same sample article in each language, by its path under the language's samples.
SAMPLE_PATHS: list[dict[str, str]] = [
    {"en": f"{folder}/{en}.md", "it": f"{folder}/{it}.md"}
    for folder, en, it in [
        ("account", "change-your-email-address", "cambiare-indirizzo-email"),
        ("account", "reset-your-password", "reimpostare-la-password"),
        ("account", "turn-on-two-step-verification", "attivare-la-verifica-in-due-passaggi"),
        ("billing", "change-your-payment-method", "cambiare-metodo-di-pagamento"),
        ("billing", "download-an-invoice", "scaricare-le-fatture"),
        ("billing", "request-a-refund", "richiedere-un-rimborso"),
        ("getting-started", "create-your-account", "crea-il-tuo-account"),
        ("getting-started", "invite-your-team", "invita-il-tuo-team"),
        ("getting-started", "set-up-your-workspace", "configura-lo-spazio-di-lavoro"),
        ("troubleshooting", "cant-sign-in", "non-riesco-ad-accedere"),
        ("troubleshooting", "invoices-not-sending", "fatture-non-recapitate"),
    ]
]
UNTRANSLATED = 10  # invoices-not-sending: only in the default language
OUTDATED = 5  # request-a-refund: translated from the text below, rewritten since

# The refund article's text before today's, in each language: the outdated translation
# was made from it.
EARLIER_TEXT = {
    "en": "Refunds are handled case by case. Write to support with your account name and "
    "the reason for the request, and we will answer within a month.",
    "it": "I rimborsi si valutano caso per caso. Scrivi all'assistenza indicando il nome "
    "dell'account e il motivo della richiesta: ti risponderemo entro un mese.",
}

_ID_LINE = re.compile(rb"(?m)^id: *(.+?) *$")
_LANG_LINE = re.compile(rb"(?m)^lang: .*\n")


def sample_text(lang: str, rel: str) -> bytes:
    return (files("kb") / "samples" / lang / rel).read_bytes()


def _article(lang: str, rel: str):
    return load_article(rel, sample_text(lang, rel).decode("utf-8"))


def _earlier(lang: str, rel: str) -> tuple[str, str, str]:
    """(revision, title, body) of the refund article's earlier text in ``lang``."""
    a = _article(lang, rel)
    body = f"\n{EARLIER_TEXT[lang]}\n"
    return load_article(rel, f"---\ntitle: {a.title}\n---\n{body}").revision, a.title, body


def samples(languages: Sequence[str]) -> list[tuple[str, bytes]]:
    """(path under articles/, file contents) of every sample, in every language."""
    default = languages[0]
    out = []
    for k, pair in enumerate(SAMPLE_PATHS):
        src = _article(default, pair[default])
        out.append(
            (f"{default}/{pair[default]}", _LANG_LINE.sub(b"", sample_text(default, pair[default])))
        )
        if k == UNTRANSLATED:
            continue
        made_from = _earlier(default, pair[default])[0] if k == OUTDATED else src.revision
        for lang in languages[1:]:
            text = _LANG_LINE.sub(b"", sample_text(lang, pair[lang]))
            link = f"translation_of: {src.id}\nsource_revision: {made_from}".encode()
            out.append((f"{lang}/{pair[lang]}", _ID_LINE.sub(link, text, count=1)))
    return out


def history(languages: Sequence[str], today: dt.date) -> dict[str, Any]:
    """The revision history of the outdated sample's source: its earlier text a month ago,
    today's text (a rewrite) today."""
    default = languages[0]
    rel = SAMPLE_PATHS[OUTDATED][default]
    src = _article(default, rel)
    key = history_key(src.id, default, default)
    now = dt.datetime.combine(today, dt.time(9), dt.timezone.utc)
    doc: dict[str, Any] = {"version": 1, "articles": {}}
    revision, title, body = _earlier(default, rel)
    record(doc, [(key, revision, title, body)], now=now - dt.timedelta(days=30))
    record(doc, [(key, src.revision, src.title, src.body)], now=now)
    return doc


def categories_yml(languages: Sequence[str], categories: dict[str, list]) -> str:
    """The ``categories:`` entries of every language, keyed by ``<lang>/<folder>``."""
    return "\n".join(
        f"        {lang}/{key}:\n          title: {title}\n          description: {desc}\n"
        f"          icon: {icon}\n          order: {order}"
        for lang in languages
        for key, title, desc, order, icon in categories[lang]
    )


def new_translation(
    docs_dir: Path, articles: Sequence[Article], source_ref: str, lang: str, title: str | None
) -> Path:
    """Start the ``lang`` translation of the article whose id or path is ``source_ref``: its
    front matter copied (title replaced when given), ``translation_of`` and
    ``source_revision`` set, and its text to translate. Written at the source's path in the
    ``lang`` folder; never overwrites a file."""
    source = next((a for a in articles if source_ref in (a.id, a.path) and a.lang != lang), None)
    if source is None:
        raise KbError(f"no article with the id or path '{source_ref}' in another language")
    rel = source.path.partition("/")[2] if "/" in source.path else source.path
    path = Path(docs_dir) / lang / rel
    if path.exists():
        raise KbError(f"{path} already exists: it is the {lang} text of that article")
    meta = {k: v for k, v in source.meta.items() if k not in ("id", "lang", SOURCE_REVISION)}
    if title and title.strip():
        meta["title"] = title.strip()
    meta[TRANSLATION_OF] = source.id
    meta[SOURCE_REVISION] = source.revision
    front = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=100)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "x", encoding="utf-8") as fh:  # "x": never overwrite, even in a race
            fh.write(f"---\n{front}---\n{source.body}")
    except OSError as exc:
        raise KbError(f"cannot write {path}: {exc.strerror}") from None
    return path
