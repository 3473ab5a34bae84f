"""The project itself: its docs, its packaging, its dependencies' security."""
