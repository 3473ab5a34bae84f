"""The review (kb.review): scores, flags, its queries, kb report, webhooks."""
