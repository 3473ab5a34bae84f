"""Search (kb.search): the engine, its index, the API, the CLI and the search box."""
