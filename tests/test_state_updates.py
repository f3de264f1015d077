"""A meeting state's updates by member: kept from state to state as a reply changes it, always what working them out
again from the state's updates gives."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from mailflow.core.roundtable import Update
from mailflow.core.state import MeetingState, MemberSlice

KEYS = ("ana@example.org", "bo@example.org", "cy@example.org", "di@example.org")
AT = datetime(2027, 1, 5, 9, tzinfo=UTC)


def _worked_out(state: MeetingState) -> dict[str, Update]:
    found: dict[str, Update] = {}
    for update in state.updates:
        found.setdefault(update.member_email.casefold(), update)
    return found


def _update(email: str, n: int) -> Update:
    return Update(email, email.split("@")[0], "Division", f"update {n}", AT + timedelta(minutes=n), 2, False)


def test_updates_by_member_follow_every_change_of_a_slice_and_every_other_replace():
    rng = random.Random(5)
    state = MeetingState(key="2027-01-12")
    kept = [state]
    for n in range(400):
        key = rng.choice(KEYS)
        roll = rng.random()
        if roll < 0.6:
            email = key.upper() if rng.random() < 0.2 else key        # an address as the member typed it
            part = replace(state.slice_of(key), update=_update(email, n) if rng.random() < 0.8 else None)
            state = state.with_slice(key, part)
        elif roll < 0.8:
            state = replace(state, applied=state.applied | {f"sha{n}"})     # the same updates, another state
        elif roll < 0.9:
            state = rng.choice(kept)                                         # an older state asked again
        else:      # updates as a codec would give them back: equal, not the same tuple, two for one member
            state = replace(state, updates=(*state.updates, _update(key, n)) if rng.random() < 0.5
                            else tuple(state.updates))
        kept.append(state)
        for asked in (state, rng.choice(kept)):
            for member in KEYS:
                assert asked.update_of(member) == _worked_out(asked).get(member)
                assert asked.slice_of(member) == MemberSlice(asked.rsvp_of(member), _worked_out(asked).get(member),
                                                             member in asked.skipped, member in asked.away,
                                                             dict(asked.introductions).get(member))
