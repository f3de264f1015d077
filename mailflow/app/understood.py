"""A reply read outside the daemon's process, with what it means as an answer to each request worked out there too."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from mailflow.core.intent import Intent
from mailflow.core.kinds import Request
from mailflow.mail_in.replies import Reply


@dataclass(frozen=True)
class Understood:
    """``reply`` and ``intents``: ``read_intent(reply, request)`` for each request it holds (the reader process
    works them out beside the reply, on the other core, for the requests the reply's tokens name; they are pure,
    so the same as the daemon would find; the daemon works out any other request itself)."""

    reply: Reply
    intents: Mapping[Request, tuple[Intent, ...]]
