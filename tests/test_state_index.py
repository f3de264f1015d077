"""A meeting's index of updates by member is carried from state to state as replies are applied one by one, and is
always what indexing the state's updates afresh gives."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime

from mailflow.core.roundtable import Update
from mailflow.core.state import MeetingState

EMAILS = ["amara@example.org", "Ben@Example.org", "ben@example.org", "chloe@example.org", "dev@example.org"]


def _update(email: str, n: int) -> Update:
    return Update(member_email=email, member_name=email.split("@")[0], division="", text=f"update {n}",
                  received=datetime(2027, 1, 1, tzinfo=UTC), words=2, over_limit=False)


def test_the_carried_index_is_the_fresh_one_after_every_change() -> None:
    rng = random.Random(7)
    state = MeetingState(key="2027-01-12")
    for n in range(300):
        email = rng.choice(EMAILS)
        key = email.casefold()
        part = replace(state.slice_of(key), update=_update(email, n) if rng.random() < 0.8 else None,
                       skipped=rng.random() < 0.1)
        state = state.with_slice(key, part)
        fresh = replace(state)                      # the same fields, no index yet: worked out from its updates
        assert "_update_by_member" not in fresh.__dict__
        for member in {e.casefold() for e in EMAILS}:
            assert state.update_of(member) == fresh.update_of(member), (n, member)
    assert state.update_of("ben@example.org") is not None
