"""Everything the review needs, read in one call, and every article judged.

``kb report``, ``kb webhooks deliver`` and the dashboard hand in the
:class:`~kb.core.project.Project` they loaded; nothing here reads ``mkdocs.yml``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from kb.core.manifest import read_manifest
from kb.core.project import Project
from kb.core.revisions import load_for_report
from kb.review.deflection import Journey
from kb.review.flags import Review, review
from kb.review.history import recover_history
from kb.review.journey import by_revision, category_journeys, site_journey
from kb.review.queries import has_votes_table, load_tallies
from kb.review.scoring import Tally
from kb.review.searches import zero_result_queries_by_day


@dataclass
class ReviewInputs:
    manifest: dict[str, Any]
    history: dict[str, Any]
    tallies: dict[str, dict[str, Tally]]
    zero_results: list[tuple]
    journeys: dict[str, dict[str, Journey]] | None = None  # per article and revision
    site_journey: Journey | None = None
    category_journeys: dict[str, Journey] | None = None


def load_inputs(
    engine: Engine,
    site_dir: str | Path,
    project_dir: str | Path | None,
    *,
    since: dt.datetime | None = None,
) -> ReviewInputs:
    """Manifest, revision history, vote tallies, zero-result searches and the reader's
    journey (views, readers, contacts per article and revision, and the site's), in one call.

    A database nobody has voted into yet gives every article without votes.
    """
    manifest = read_manifest(site_dir)
    history = load_for_report(project_dir, site_dir)
    if not has_votes_table(engine):
        return ReviewInputs(manifest, history, {}, [])
    return ReviewInputs(
        manifest,
        history,
        load_tallies(engine, since=since),
        zero_result_queries_by_day(engine, since=since),
        by_revision(engine, since=since, votes=False),
        site_journey(engine, since=since, votes=False),
        category_journeys(engine, manifest.get("articles", []), since=since, votes=False),
    )


def load_review(
    engine: Engine,
    project: Project,
    *,
    site_dir: str | Path | None = None,
    since: dt.datetime | None = None,
    today: dt.date | None = None,
    recover: bool = True,
) -> Review:
    """Read everything and judge every article of ``project``'s site (``site_dir``: another
    build of it, e.g. the preview of ``kb serve``).

    With ``recover`` and a known articles folder, the history of articles whose votes name
    revisions the local history does not know is recovered from git.
    """
    inputs = load_inputs(engine, site_dir or project.site_dir, project.project_dir, since=since)
    if recover and project.docs_dir is not None and inputs.tallies:
        recover_history(
            inputs.manifest,
            inputs.history,
            inputs.tallies,
            project.docs_dir,
            project.project_dir,
            project.review.rewrite_similarity,
        )
    result = review(
        inputs.manifest.get("articles", []),
        inputs.tallies,
        inputs.history,
        project.review,
        today=today,
        zero_results=inputs.zero_results,
        lang=project.lang,
        journeys=inputs.journeys,
    )
    result.journey = inputs.site_journey
    result.category_journeys = inputs.category_journeys or {}
    return result
