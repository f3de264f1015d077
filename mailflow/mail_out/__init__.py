"""Mail out: every message's words (templates), calendar part and exact bytes."""
