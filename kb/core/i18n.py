"""Every string kb adds to the site, in each language it ships. Templates call ``kb_t``."""

from __future__ import annotations

import string
from collections.abc import Iterable, Mapping

STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "home.title": "How can we help?",
        "home.lead": "Search the help center or browse a topic below.",
        "meta.topics": "Answers and step-by-step guides: {topics}.",
        "home.search": "Search the help center",
        "home.guides": "Start here",
        "home.categories": "Browse by topic",
        "home.popular": "Articles",
        "home.start_guide": "Start the guide",
        "home.see_all": "See all {n} articles",
        "home.contact_title": "Still need help?",
        "home.contact_text": "Our support team is happy to help.",
        "home.contact_link": "Contact support",
        "category.articles": "{n} articles",
        "category.article": "1 article",
        "category.all": "All {n} articles in {category}",
        "category.faq": "Frequently asked questions",
        "category.guide": "Step-by-step guide",
        "category.more": "More articles",
        "category.pages": "Pages of this topic",
        "category.page": "Page {n} of {m}",
        "category.previous_page": "Previous page",
        "category.next_page": "Next page",
        "category.general": "General",
        "breadcrumb.home": "Help center",
        "breadcrumb.label": "Breadcrumb",
        "notfound.title": "We can't find that page",
        "notfound.text": "It may have moved or been removed. Search the help center, or pick a topic.",
        "article.updated": "Updated {date}",
        "article.step": "Step {n} of {m}",
        "article.previous": "Previous step",
        "article.next": "Next step",
        "article.guide_done": "You have finished this guide.",
        "article.review_overdue": "This article is due for review.",
        "type.faq": "FAQ",
        "type.onboarding": "Guide",
        "type.troubleshooting": "Troubleshooting",
        "type.howto": "How-to",
        "type.article": "Article",
        "sidebar.label": "Articles in this topic",
        "alert.note": "Note",
        "alert.tip": "Tip",
        "alert.important": "Important",
        "alert.warning": "Warning",
        "alert.caution": "Caution",
        "alert.info": "Info",
        "alert.error": "Error",
        "alert.prerequisites": "Prerequisites",
        "alert.morelikethis": "More like this",
        "alert.success": "Success",
        "search.related": "Related articles",
        "search.none": "No matching articles",
        "search.suggest": "Did you mean",
        "search.count": "{n} matching articles",
        "search.count_one": "1 matching article",
        "search.other_language": "in {language}",
        "languages.title": "Choose your language",
        "languages.label": "Languages",
        "languages.switch": "Read in another language",
        "languages.missing": "not translated yet: opens the home page",
        "translation.outdated": "This translation may be out of date: the original text changed on {date}.",
        "translation.outdated_nodate": "This translation may be out of date: the original text has changed since.",
        "translation.source": "Read the original ({language})",
        "feedback.label": "Article feedback",
        "feedback.csat": "How satisfied are you with this article?",
        "feedback.csat.1": "Very dissatisfied",
        "feedback.csat.2": "Dissatisfied",
        "feedback.csat.3": "Neither satisfied nor dissatisfied",
        "feedback.csat.4": "Satisfied",
        "feedback.csat.5": "Very satisfied",
        "feedback.helpful": "Was this page helpful?",
        "feedback.helpful.yes": "Yes",
        "feedback.helpful.no": "No",
        "feedback.ces": "How easy was it to solve your problem?",
        "feedback.ces.1": "Very difficult",
        "feedback.ces.7": "Very easy",
        "feedback.more": "Anything else? (optional)",
        "feedback.reasons": "What went wrong?",
        "feedback.reason.outdated": "Outdated",
        "feedback.reason.missing_steps": "Missing steps",
        "feedback.reason.not_answered": "Didn't answer my question",
        "feedback.reason.hard_to_follow": "Hard to follow",
        "feedback.comment": "Your comment",
        "feedback.comment_hint": "What were you looking for? Please leave out personal data.",
        "feedback.support": "Still stuck?",
        "feedback.support_link": "Contact support",
        "feedback.skip": "Skip",
        "feedback.send": "Send",
        "feedback.voted": "Thanks, your vote is recorded.",
        "feedback.queued": "We could not reach our server, so your answer is saved on this device "
        "and will be sent automatically later.",
        "feedback.error": "Sorry, your feedback could not be saved.",
        "feedback.thanks": "Thank you for your feedback! It helps us improve this article.",
    },
    "it": {
        "home.title": "Come possiamo aiutarti?",
        "home.lead": "Cerca nel centro assistenza o scegli un argomento qui sotto.",
        "meta.topics": "Risposte e guide passo passo: {topics}.",
        "home.search": "Cerca nel centro assistenza",
        "home.guides": "Inizia da qui",
        "home.categories": "Sfoglia per argomento",
        "home.popular": "Articoli",
        "home.start_guide": "Inizia la guida",
        "home.see_all": "Tutti i {n} articoli",
        "home.contact_title": "Non hai trovato la risposta?",
        "home.contact_text": "Il nostro team di assistenza è qui per aiutarti.",
        "home.contact_link": "Contatta l'assistenza",
        "category.articles": "{n} articoli",
        "category.article": "1 articolo",
        "category.all": "Tutti i {n} articoli in {category}",
        "category.faq": "Domande frequenti",
        "category.guide": "Guida passo passo",
        "category.more": "Altri articoli",
        "category.pages": "Pagine di questo argomento",
        "category.page": "Pagina {n} di {m}",
        "category.previous_page": "Pagina precedente",
        "category.next_page": "Pagina successiva",
        "category.general": "Generale",
        "breadcrumb.home": "Centro assistenza",
        "breadcrumb.label": "Percorso di navigazione",
        "notfound.title": "Non troviamo questa pagina",
        "notfound.text": "Potrebbe essere stata spostata o eliminata. Cerca nel centro assistenza o scegli un argomento.",
        "article.updated": "Aggiornato il {date}",
        "article.step": "Passo {n} di {m}",
        "article.previous": "Passo precedente",
        "article.next": "Passo successivo",
        "article.guide_done": "Hai completato questa guida.",
        "article.review_overdue": "Questo articolo deve essere rivisto.",
        "type.faq": "FAQ",
        "type.onboarding": "Guida",
        "type.troubleshooting": "Risoluzione dei problemi",
        "type.howto": "Procedura",
        "type.article": "Articolo",
        "sidebar.label": "Articoli su questo argomento",
        "alert.note": "Nota",
        "alert.tip": "Suggerimento",
        "alert.important": "Importante",
        "alert.warning": "Attenzione",
        "alert.caution": "Cautela",
        "alert.info": "Informazioni",
        "alert.error": "Errore",
        "alert.prerequisites": "Prerequisiti",
        "alert.morelikethis": "Vedi anche",
        "alert.success": "Operazione riuscita",
        "search.related": "Articoli correlati",
        "search.none": "Nessun articolo trovato",
        "search.suggest": "Forse cercavi",
        "search.count": "{n} articoli trovati",
        "search.count_one": "1 articolo trovato",
        "search.other_language": "in {language}",
        "languages.title": "Scegli la lingua",
        "languages.label": "Lingue",
        "languages.switch": "Leggi in un'altra lingua",
        "languages.missing": "non ancora tradotto: apre la pagina iniziale",
        "translation.outdated": "Questa traduzione potrebbe non essere aggiornata: il testo originale è cambiato il {date}.",
        "translation.outdated_nodate": "Questa traduzione potrebbe non essere aggiornata: il testo originale è cambiato da allora.",
        "translation.source": "Leggi l'originale ({language})",
        "feedback.label": "Feedback sull'articolo",
        "feedback.csat": "Quanto sei soddisfatto di questo articolo?",
        "feedback.csat.1": "Per niente soddisfatto",
        "feedback.csat.2": "Poco soddisfatto",
        "feedback.csat.3": "Né soddisfatto né insoddisfatto",
        "feedback.csat.4": "Soddisfatto",
        "feedback.csat.5": "Molto soddisfatto",
        "feedback.helpful": "Questa pagina ti è stata utile?",
        "feedback.helpful.yes": "Sì",
        "feedback.helpful.no": "No",
        "feedback.ces": "Quanto è stato facile risolvere il tuo problema?",
        "feedback.ces.1": "Molto difficile",
        "feedback.ces.7": "Molto facile",
        "feedback.more": "Vuoi aggiungere qualcosa? (facoltativo)",
        "feedback.reasons": "Che cosa non andava?",
        "feedback.reason.outdated": "Non aggiornato",
        "feedback.reason.missing_steps": "Mancano dei passaggi",
        "feedback.reason.not_answered": "Non risponde alla mia domanda",
        "feedback.reason.hard_to_follow": "Difficile da seguire",
        "feedback.comment": "Il tuo commento",
        "feedback.comment_hint": "Che cosa stavi cercando? Non inserire dati personali.",
        "feedback.support": "Ancora bloccato?",
        "feedback.support_link": "Contatta l'assistenza",
        "feedback.skip": "Salta",
        "feedback.send": "Invia",
        "feedback.voted": "Grazie, il tuo voto è stato registrato.",
        "feedback.queued": "Non siamo riusciti a raggiungere il server: la tua risposta è salvata "
        "su questo dispositivo e verrà inviata automaticamente più tardi.",
        "feedback.error": "Spiacenti, non è stato possibile salvare il tuo feedback.",
        "feedback.thanks": "Grazie per il tuo feedback! Ci aiuta a migliorare questo articolo.",
    },
}

LANGUAGES = tuple(STRINGS)
# What a site that keeps its own structure shows of kb: the widget and the search results.
SITE_KEYS = tuple(k for k in STRINGS["en"] if k.startswith(("feedback.", "search.")))
Overrides = Mapping[str, Mapping[str, str]]

# Each language by its own name, as a language switcher lists it (a reader looks for the
# name of their language, not its name in the page's language).
LANGUAGE_NAMES = {
    "en": "English",
    "it": "Italiano",
    "de": "Deutsch",
    "fr": "Français",
    "es": "Español",
    "pt": "Português",
    "nl": "Nederlands",
}


def language_name(lang: str) -> str:
    """``it`` -> ``Italiano``; a language kb has no name for is shown by its code."""
    return LANGUAGE_NAMES.get(lang, lang.upper())


def translate(lang: str, key: str, **values: object) -> str:
    """The string ``key`` in ``lang`` (English when missing), with ``{name}`` values filled."""
    table = STRINGS.get(lang) or STRINGS["en"]
    text = table.get(key) or STRINGS["en"].get(key, key)
    return text.format(**values) if values else text


def translator(lang: str, overrides: Overrides | None = None):
    """A ``kb_t(key, **values)`` function bound to one language, for templates. ``overrides``
    are the site's own strings (the plugin's ``strings: {lang: {key: text}}``); they win."""
    own = (overrides or {}).get(lang) or {}

    def kb_t(key: str, **values: object) -> str:
        text = own.get(key)
        if text is None:
            return translate(lang, key, **values)
        return text.format(**values) if values else text

    return kb_t


def strings_problems(overrides: object) -> list[str]:
    """What is wrong with the plugin's ``strings`` setting: not ``{lang: {key: text}}``, an
    unknown key, a text whose ``{name}`` values differ from kb's."""
    if not isinstance(overrides, Mapping):
        return ["'strings' must map a language to its strings, e.g. strings: {de: {...}}"]
    out = []
    for lang, table in overrides.items():
        if not isinstance(table, Mapping):
            out.append(f"strings: {lang}: must map kb's keys to texts (e.g. feedback.send: ...)")
            continue
        for key, text in table.items():
            if key not in STRINGS["en"]:
                out.append(f"strings: {lang}: unknown key '{key}'")
            elif not isinstance(text, str):
                out.append(f"strings: {lang}: {key}: must be text")
            elif _names(text) != _names(STRINGS["en"][key]):
                wanted = ", ".join("{" + n + "}" for n in sorted(_names(STRINGS["en"][key])))
                out.append(f"strings: {lang}: {key}: must use {wanted or 'no {values}'}")
    return out


def _names(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def language_problem(
    lang: str, overrides: Overrides | None, keys: Iterable[str] = SITE_KEYS
) -> str | None:
    """A warning when kb has no words in ``lang`` and the site gives not all of ``keys``:
    those are shown in English."""
    if lang in STRINGS:
        return None
    own = (overrides or {}).get(lang) or {}
    missing = [k for k in keys if k not in own]
    if not missing:
        return None
    return (
        f"language '{lang}' has no kb translation (kb has {', '.join(LANGUAGES)}): "
        f"{len(missing)} of kb's words on the site are in English; give them in the kb "
        f"plugin's 'strings: {{{lang}: {{...}}}}' in mkdocs.yml (docs/existing-site.md). "
        f"Votes are stored as '{lang}'"
    )


def format_date(value, lang: str) -> str:
    months = {
        "en": [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ],
        "it": [
            "gennaio",
            "febbraio",
            "marzo",
            "aprile",
            "maggio",
            "giugno",
            "luglio",
            "agosto",
            "settembre",
            "ottobre",
            "novembre",
            "dicembre",
        ],
    }
    names = months.get(lang, months["en"])
    if lang == "it":
        return f"{value.day} {names[value.month - 1]} {value.year}"
    return f"{names[value.month - 1]} {value.day}, {value.year}"
