"""kb build and the MkDocs adapter (kb.plugin): whole sites, bad articles, real corpora."""
