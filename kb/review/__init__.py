"""The review: scores, flags, revisions, their queries and cache, acknowledgements, webhooks.

Everything ``kb report`` and the dashboard show is computed here, over the feedback store
(``kb.store``) and the content model (``kb.core``). It knows nothing of Flask or MkDocs.
"""
