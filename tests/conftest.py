"""Shared fixtures: real mail servers on loopback (Dovecot, aiosmtpd) and common test values."""

from harness_dovecot import *  # noqa: F401,F403  (fixtures: dovecot, ...)
from harness_oauth import *  # noqa: F401,F403  (fixtures: oauth_server, dovecot_oauth, ...)
from harness_smtp import *  # noqa: F401,F403  (fixtures: smtp_server, ...)
