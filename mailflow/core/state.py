"""What the daemon remembers about each meeting and the community, as plain values.

The store keeps these as JSON (``mailflow.adapters.state_codec`` is the only translation), so the
cycle only ever sees typed values.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import cached_property

from mailflow.core.intent import Rsvp
from mailflow.core.kinds import Request
from mailflow.core.minutes import ActionItem, Minutes
from mailflow.core.recorded import Recorded
from mailflow.core.resources import Resource
from mailflow.core.roundtable import Update
from mailflow.schedule.config import Step


class StepStatus(enum.StrEnum):
    DONE = "done"
    MISSED = "missed"          # due while nothing ran and no longer useful: staff told
    SKIPPED = "skipped"        # not applicable (cancelled meeting, before installation)
    WAITING = "waiting"        # due, but held back (packet waiting for the chair)


@dataclass(frozen=True)
class StepRecord:
    status: StepStatus
    at: datetime
    detail: str = ""


@dataclass(frozen=True)
class AgendaEdits:
    """The chair's changes to the draft; each one raises the revision."""

    revision: int = 1
    focus_topic: str | None = None
    presenter: str | None = None
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    approved: bool = False
    approved_by: str = ""
    sent_revision: int = 0          # last revision mailed to the chair
    listed: tuple[str, ...] = ()    # the items the last draft numbered ("Remove: item 2" names the second)


@dataclass(frozen=True)
class MemberSlice:
    """One member's part of a meeting's state: what their own replies set."""

    rsvp: Rsvp | None = None
    update: Update | None = None
    skipped: bool = False
    away: bool = False
    introduction: str | None = None


@dataclass(frozen=True)
class Footprint:
    """What one applied reply changed, as its receipt said it, with what stood before: ``undo`` puts it back."""

    sha256: str
    sender: str                                   # the sender's key (their address, casefolded)
    at: datetime
    recorded: tuple[Recorded, ...]
    before: MemberSlice = MemberSlice()
    after: MemberSlice = MemberSlice()
    agenda_before: AgendaEdits | None = None      # None: the reply left the agenda alone
    agenda_after: AgendaEdits | None = None
    suggestions: tuple[str, ...] = ()             # topics it added
    resources: tuple[str, ...] = ()               # sha256 of the shared files it added
    closed: tuple[int, ...] = ()                  # action items it closed
    unsubscribed: bool = False                    # it unsubscribed the member
    undone_at: datetime | None = None             # when the sender's ``undo`` reverted it (or None)
    undo: bool = False                            # it was itself an ``undo`` (never undone in turn)


class Asked(enum.StrEnum):
    """Who was asked the question about a reply that could not be read with confidence."""

    SENDER = "sender"
    STAFF = "staff"          # the chair's and the minutes' replies: staff decide


@dataclass(frozen=True)
class Unclear:
    """A reply that could not be read with confidence: kept, not guessed, and one question asked."""

    sha256: str
    sender: str                  # their address
    name: str
    request: Request
    question: str
    asked: Asked
    at: datetime
    excerpt: str = ""            # the start of what they wrote, for status and staff


@dataclass(frozen=True)
class Announced:
    """The meeting as members' calendars hold it: what the last invitation (or update) said."""

    start: datetime
    end: datetime
    location: str | None = None
    video_link: str = ""
    chair: str = ""                 # the chair's name, "" for none
    at: datetime | None = None      # when the invitation saying so went out


@dataclass(frozen=True)
class MeetingState:
    key: str
    steps: tuple[tuple[Step, StepRecord], ...] = ()
    updates: tuple[Update, ...] = ()                  # the latest per member
    history: tuple[Update, ...] = ()                  # every replaced update
    skipped: frozenset[str] = frozenset()             # member keys
    away: frozenset[str] = frozenset()
    bounced: frozenset[str] = frozenset()
    rsvps: tuple[tuple[str, Rsvp], ...] = ()          # (member key, answer)
    introductions: tuple[tuple[str, str], ...] = ()   # (member key, text)
    resources: tuple[Resource, ...] = ()
    suggestions: tuple[str, ...] = ()
    agenda: AgendaEdits = field(default_factory=AgendaEdits)
    minutes: Minutes | None = None
    minutes_revision: int = 0
    notices: frozenset[str] = frozenset()             # once-only notices already sent
    applied: frozenset[str] = frozenset()             # sha256 of replies applied
    calendar_sequence: int = -1                       # -1: no invitation sent yet
    calendar_fingerprint: str = ""
    invited: frozenset[str] | None = None             # member keys holding the invitation (None: not recorded)
    chair: str = ""                                   # key of the chair the invitations name ("": not recorded)
    announced: Announced | None = None                # None: no invitation sent (or sent by an older version)
    replaced: Announced | None = None                 # what the latest updated invitation replaced
    reinstated: bool = False                          # the latest invitation withdrew a cancellation
    cancel_sent: bool = False
    packet_sent_at: datetime | None = None
    addenda_sent: int = 0
    footprints: tuple[Footprint, ...] = ()            # what each applied reply changed, oldest first (for undo)
    unclear: tuple[Unclear, ...] = ()                 # replies not read with confidence, still open

    def step(self, step: Step) -> StepRecord | None:
        return dict(self.steps).get(step)

    def with_step(self, step: Step, record: StepRecord) -> MeetingState:
        steps = dict(self.steps)
        steps[step] = record
        return replace(self, steps=tuple(sorted(steps.items(), key=lambda kv: list(Step).index(kv[0]))))

    @cached_property
    def _update_by_member(self) -> dict[str, Update]:
        """Each member's update by their key, the first one as the updates hold them. Worked out once per state
        (a reply asks a state several times; a state is frozen, and the cache is no field: equality, the
        codec and ``replace`` never see it)."""
        found: dict[str, Update] = {}
        for update in self.updates:
            found.setdefault(update.member_email.casefold(), update)
        return found

    def update_of(self, member_key: str) -> Update | None:
        return self._update_by_member.get(member_key)

    def rsvp_of(self, member_key: str) -> Rsvp | None:
        return dict(self.rsvps).get(member_key)

    def slice_of(self, member_key: str) -> MemberSlice:
        return MemberSlice(self.rsvp_of(member_key), self.update_of(member_key), member_key in self.skipped,
                           member_key in self.away, dict(self.introductions).get(member_key))

    def with_slice(self, member_key: str, part: MemberSlice) -> MeetingState:
        """This state with ``member_key``'s part set to ``part`` (a replaced update goes to the history)."""
        rsvps = {k: v for k, v in self.rsvps if k != member_key} | ({member_key: part.rsvp} if part.rsvp else {})
        intros = {k: v for k, v in self.introductions if k != member_key}
        intros |= {member_key: part.introduction} if part.introduction is not None else {}
        now = self.update_of(member_key)
        updates = self.updates if now is None else tuple(u for u in self.updates
                                                         if u.member_email.casefold() != member_key)
        history = self.history + ((now,) if now is not None and now != part.update else ())

        def flag(keys: frozenset[str], on: bool) -> frozenset[str]:
            return keys | {member_key} if on else keys - {member_key}

        changed = replace(self, rsvps=tuple(sorted(rsvps.items())), introductions=tuple(sorted(intros.items())),
                          updates=updates + ((part.update,) if part.update is not None else ()), history=history,
                          skipped=flag(self.skipped, part.skipped), away=flag(self.away, part.away))
        # (the new state's index of updates, from this one's: a batch of replies applied one by one would otherwise
        # index every update again for each reply)
        index = {k: v for k, v in self._update_by_member.items() if k != member_key}      # (a replaced update goes)
        if part.update is not None:
            index.setdefault(part.update.member_email.casefold(), part.update)
        changed.__dict__["_update_by_member"] = index       # (cached_property's own slot: no field, frozen or not)
        return changed

    def answered(self) -> frozenset[str]:
        """Members who need no reminder: replied, skipped, away or bounced."""
        replied = {u.member_email.casefold() for u in self.updates}
        return frozenset(replied) | self.skipped | self.away | self.bounced


class BounceSource(enum.StrEnum):
    DSN = "dsn"              # a delivery status notification (5.x.x) came back
    SMTP = "smtp"            # the server refused the recipient (5xx at RCPT or after DATA)


@dataclass(frozen=True)
class Bounce:
    """One permanent delivery failure kept as evidence."""

    at: datetime
    source: BounceSource
    detail: str
    meeting_key: str = ""


@dataclass(frozen=True)
class BounceScore:
    """A member's bounce score, as Mailman 3 keeps it: +1 per day with a permanent bounce."""

    member: str                                     # member key
    score: int
    last: date                                      # the day (community's zone) of the last counted bounce
    evidence: tuple[Bounce, ...] = ()               # the counted bounces, oldest first
    suspended_at: datetime | None = None            # delivery suspended (score reached the threshold)


@dataclass(frozen=True)
class CommunityState:
    installed_at: datetime | None = None
    known_members: frozenset[str] = frozenset()     # active roster members already welcomed or founding
    departed: frozenset[str] = frozenset()          # members seen leaving the roster (a return is not welcomed)
    arrivals: tuple[tuple[str, date], ...] = ()     # (member key, day welcomed): new members at the next meeting
    bounces: tuple[BounceScore, ...] = ()           # one per member with a live score or a suspension
    planned_chairs: tuple[tuple[str, str], ...] = ()  # (meeting key, chair key) of the next meetings as last run
    actions: tuple[ActionItem, ...] = ()            # every action item the minutes created, by number
    unsubscribed: tuple[tuple[str, datetime], ...] = ()  # (member key, when) members who asked to leave by mail

    def bounce_of(self, member_key: str) -> BounceScore | None:
        return next((b for b in self.bounces if b.member == member_key), None)

    @property
    def suspended(self) -> frozenset[str]:
        """Members whose delivery is suspended: they get no mail until staff re-enable them."""
        return frozenset(b.member for b in self.bounces if b.suspended_at is not None)

    @property
    def leaving(self) -> frozenset[str]:
        """Members who asked by mail to leave: no more mail (the roster is staff's to edit)."""
        return frozenset(key for key, _ in self.unsubscribed)

    @property
    def unmailed(self) -> frozenset[str]:
        """Members who get no mail: delivery suspended (bounces) or unsubscribed."""
        return self.suspended | self.leaving
