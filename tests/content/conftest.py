"""The content model (kb.core): articles, front matter, checks, languages, revisions."""
