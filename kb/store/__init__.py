"""The feedback store: every table (``tables``), the engine helper (``engine``), migrations.

Votes, views of the search log, acknowledgements and webhook events are kept here, in SQLite
by default or PostgreSQL for several instances. It knows nothing of Flask or MkDocs.
"""
