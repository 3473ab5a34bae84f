"""The content model and its pure judgements: articles, front matter, checks, revisions.

The bottom layer of kb: it knows nothing of MkDocs, Flask or the database, and every other
part of kb may import it (``docs/architecture.md``).
"""
