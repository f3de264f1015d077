"""Adapters: the state folder, the outbox, SMTP, IMAP, clocks, credentials and logs."""
