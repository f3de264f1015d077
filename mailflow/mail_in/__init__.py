"""Mail in: what an incoming message says (replies) and who sent it about what (attribution)."""
