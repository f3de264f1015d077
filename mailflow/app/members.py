"""Staff acting on one member from the command line: ``mailflow member enable EMAIL``."""

from __future__ import annotations

from datetime import datetime

from mailflow.adapters import requests
from mailflow.adapters.state_store import TinyDBStateStore
from mailflow.core.bounces import enable
from mailflow.errors import AlreadyRunning, StoreError
from mailflow.ports import StaffAction
from mailflow.schedule.config import Config


def enable_member(config: Config, email: str, now: datetime, by: str) -> str:
    """Re-enable delivery to a member suspended for bounces; return one line saying what was done.

    Without a running daemon the state is changed here; beside a running one (it holds the state
    folder) a request is left that it applies at its next wake-up. NotAMember for an unknown address.
    """
    if not config.state_dir.is_dir():
        raise StoreError(f"{config.state_dir}: no state yet (has `mailflow run` been started?): nobody is suspended")
    with TinyDBStateStore.open(config.state_dir, exclusive=False) as peek:
        decision = enable(config, peek.community(), email)     # NotAMember, or what it would do
    if decision.community is None:
        return decision.notes[0]
    try:
        states = TinyDBStateStore.open(config.state_dir)
    except AlreadyRunning:
        request = requests.post(config.state_dir, StaffAction.ENABLE_MEMBER, email, by, now)
        return (f"the running daemon re-enables {email} at its next wake-up, within a minute "
                f"(request {request.request_id}); `mailflow status` shows it done")
    with states:
        decision = enable(config, states.community(), email)
        if decision.community is not None:
            states.save_community(decision.community)
    return decision.notes[0]
