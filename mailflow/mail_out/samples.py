"""Realistic sample values for every message kind: previews before any reply exists, and tests."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from mailflow.core.agenda import Agenda, NewMember, TimeBudget
from mailflow.core.alerts import AlertItem
from mailflow.core.cycle import HANDOVER_DEADLINES
from mailflow.core.decision import Recipient
from mailflow.core.desk import COMMANDS, DeskAnswer
from mailflow.core.kinds import MessageKind
from mailflow.core.minutes import ActionItem, Minutes
from mailflow.core.recorded import Effect, Recorded
from mailflow.core.resources import Resource
from mailflow.core.roundtable import Update, UpdateGoes, make_update
from mailflow.core.state import AgendaEdits, Bounce, BounceSource, MeetingState
from mailflow.mail_out.render import KINDS, Renderer, check_escaping
from mailflow.schedule.calendar import Meeting
from mailflow.schedule.config import DEFAULT_OFFSETS, Community, Config, Member, SilentChair, StaffMember, Step

_UPDATES = (
    ("Amrit Gill", "amrit.gill@example.org", "North Shore",
     ("Challenge: our referral form still goes out by fax, and we lose about one in five "
     "referrals between the clinic and the community partner.\n\n"
     "How members can help: has anyone moved referrals to a shared e-form that partners "
     "without an EMR can use?")),
    ("Claire Dubois", "claire.dubois@example.org", "Fraser Valley",
     ("Success: the pilot with two clinics is finished and the evaluation report is out. "
     "Staff found the short screening questions easy to use, and patients did not mind "
     "being asked. I attached the two-page summary.")),
    ("Jonah Whitehorse", "jonah.w@example.org", "Kootenay Boundary",
     ("We are starting to plan next year's work with our local partners and would welcome "
     "examples of agreements other groups have signed with community organisations: what "
     "each side commits to, how data are shared, and how the agreement is reviewed. "
     "Challenge: our partners are small and have no time for long meetings, so whatever we "
     "propose has to be light. Success: two partners have already said yes to a first "
     "conversation. How members can help: send me any template or short agreement you "
     "have used, and tell me what you would do differently next time. I am also happy to "
     "share what we learn at a future meeting if the group is interested. Finally, a "
     "thank-you to everyone who answered last month's questions about evaluation: three of "
     "you sent examples, and we used two of them almost as they were. If there is time, I "
     "would also like to hear how other divisions keep their partners informed between "
     "meetings: newsletters, short calls, or something else that works.")),
)


def sample_community(timezone: str = "America/Vancouver") -> Community:
    """A community with made-up names and addresses."""
    return Community(
        name="Practice Leaders Community of Practice",
        address="cop@example.org",
        timezone=ZoneInfo(timezone),
        staff=(StaffMember("Jordan Lee", "staff@example.org", "CoP coordinator"),),
        minutes_recipients=("leadership@example.org",),
        list_id="cop.example.org",
    )


def sample_members() -> tuple[Member, ...]:
    """Three members whose updates appear in the sample agenda."""
    return tuple(
        Member(name=name, email=email, role="Physician lead", division=division,
               joined=date(2025, 9, 1))
        for name, email, division, _ in _UPDATES
    )


def sample_meeting(community: Community, key: str = "2027-01-12",
                   chair: Member | None = None) -> Meeting:
    """A one-hour video meeting at noon on ``key``, with every step's due time."""
    day = date.fromisoformat(key)
    start = datetime.combine(day, time(12, 0), tzinfo=community.timezone)
    due = tuple((step, (start + offset).astimezone(ZoneInfo("UTC")))
                for step, offset in DEFAULT_OFFSETS.items())
    return Meeting(key=key, start=start, end=start + timedelta(hours=1),
                   chair=chair or sample_members()[0],
                   video_link="https://video.example.org/j/84512907731", due=due)


def _resources(meeting: Meeting) -> tuple[Resource, ...]:
    shared = meeting.start - timedelta(days=9)
    return (
        Resource("Pilot evaluation summary.pdf", "application/pdf", 348_211, "ab" * 32,
                 "Claire Dubois", "claire.dubois@example.org", shared),
        Resource("Referral e-form draft.docx",
                 "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                 61_440, "cd" * 32, "Amrit Gill", "amrit.gill@example.org", shared),
        Resource("Partner workshop recording.mp4", "video/mp4", 48_000_000, "ef" * 32,
                 "Jonah Whitehorse", "jonah.w@example.org", shared + timedelta(days=1)),
    )


def _updates(meeting: Meeting, words_limit: int) -> tuple[Update, ...]:
    """Amrit's and Jonah's (over one minute) before the packet; Claire's after it (late)."""
    received = meeting.start - timedelta(days=10)
    updates = []
    for index, (name, email, division, text) in enumerate(_UPDATES):
        words = len(text.split())
        late = index == 1
        updates.append(Update(
            member_email=email, member_name=name, division=division, text=text,
            received=meeting.start - timedelta(days=2) if late else received + timedelta(hours=5 * index),
            words=words, over_limit=words > words_limit, late=late,
        ))
    return tuple(updates)


def sample_agenda(meeting: Meeting, words_limit: int = 150, *, next_meeting: Meeting | None = None,
                  addendum_at: datetime | None = None) -> Agenda:
    """A first draft: one new member, two updates (one long) and one late, a focus topic."""
    every = _updates(meeting, words_limit)
    updates = [u for u in every if not u.late]
    late = next(u for u in every if u.late)
    return Agenda(
        meeting_key=meeting.key,
        revision=1,
        new_members=(NewMember("Priya Raman", "priya.raman@example.org", "Central Island",
                               "Executive director",
                               "I joined the division in the autumn and look forward to "
                               "learning from your work on partnerships."),),
        updates=tuple(updates),
        focus_topic="Working agreements with community partners",
        presenter="Claire Dubois",
        discussion_items=("Sharing referral forms across divisions",),
        future_items=("Measuring what changed for patients", "Onboarding new clinics"),
        notes=("Please keep updates to one minute so everyone is heard.",),
        resources=_resources(meeting),
        budget=TimeBudget(roundtable_minutes=2, new_members_minutes=2, focus_minutes=20,
                          discussion_minutes=meeting.minutes - 29, future_minutes=5,
                          meeting_minutes=meeting.minutes, overflow_minutes=0),
        no_update_from=("Sam Okafor",),
        late_updates=(late,),
        addendum_at=addendum_at,
        next_meeting=next_meeting if next_meeting is not None else _next(meeting),
    )


def sample_minutes(meeting: Meeting) -> Minutes:
    """Minutes as staff might send them, with a recording link and two action items."""
    return Minutes(
        meeting_key=meeting.key,
        text="Eleven members attended; Priya Raman was welcomed.\n\n"
             "Roundtable: members discussed moving referrals off fax; two divisions offered "
             "their e-forms.\n\n"
             "Focus: Claire Dubois presented the pilot evaluation. The group agreed to collect "
             "short partner agreements in the shared folder.",
        recording_link="https://video.example.org/rec/share/7Kq2",
        actions=(ActionItem("Amrit Gill", "Circulate the referral e-form draft", meeting.key, number=7,
                            opened=meeting.end + timedelta(days=1)),
                 ActionItem("Staff", "Create the shared folder for partner agreements",
                            meeting.key, number=8, opened=meeting.end + timedelta(days=1))),
        resources=_resources(meeting)[:2],
        received=meeting.end + timedelta(days=1),
        sent_by="staff@example.org",
    )


def _next(meeting: Meeting) -> Meeting:
    members = sample_members()
    return replace(meeting, key=(meeting.start + timedelta(days=28)).date().isoformat(),
                   start=meeting.start + timedelta(days=28), end=meeting.end + timedelta(days=28),
                   chair=members[1], due=(), note=None, cancelled=False)


def _previous(meeting: Meeting) -> Meeting:
    members = sample_members()
    return replace(meeting, key=(meeting.start - timedelta(days=28)).date().isoformat(),
                   start=meeting.start - timedelta(days=28), end=meeting.end - timedelta(days=28),
                   chair=members[2], due=(), note=None, cancelled=False)


def _due(meeting: Meeting, step: Step) -> datetime:
    """The step's due time: the meeting's own when it has them, else the default offset."""
    return meeting.due_at(step) if meeting.due else meeting.start + DEFAULT_OFFSETS[step]


def _sample_bounce(day: date, detail: str) -> Bounce:
    return Bounce(datetime.combine(day, time(9), ZoneInfo("America/Vancouver")), BounceSource.SMTP, detail)


def sample_context(kind: MessageKind, community: Community, meeting: Meeting | None, now: datetime,
                   *, words_limit: int = 150) -> dict[str, object]:
    """``meeting`` plus every kind-specific value ``kind`` needs (not community, recipient,
    reply_address or now, which composing adds). Every value is about ``meeting``: the handover's
    last agenda and minutes are of the meeting before it, the digest's next meeting the one after."""
    meeting = meeting or sample_meeting(community)
    agenda = sample_agenda(meeting, words_limit)
    minutes = sample_minutes(meeting)
    topics = ["Measuring what changed for patients", "Peer mentoring for new clinics"]
    update = agenda.updates[0]
    previous = _previous(meeting)
    digest_files = (*minutes.resources, *(r for r in agenda.resources if r not in minutes.resources))
    values: dict[str, object] = {
        "meeting": meeting,
        "updated": False,
        "reinstated": False,
        "was": None,
        "suggested_topics": topics,
        "future_items": list(agenda.future_items),
        "draft_due": _due(meeting, Step.AGENDA_DRAFT),
        "is_new_member": True,
        "open_actions": list(sample_minutes(previous).actions),
        "reply_by": _due(meeting, Step.AGENDA_DRAFT),
        "words_limit": words_limit,
        "agenda": agenda,
        "packet_due": _due(meeting, Step.AGENDA_PACKET),
        "packet_sent_at": None,
        "on_silence": str(SilentChair.SEND),
        "attached": list(agenda.resources[:2]),
        "listed": list(agenda.resources[2:]),
        "links": {},
        "answers": [DeskAnswer("release 3fa9c2e1b0aa", True, "3fa9c2e1b0aa (ben@example.org, 'Re: Your update') "
                                                         "applied as from ben@example.org to the 2027-01-12 meeting"),
                    DeskAnswer("close action 12", False, "there is no action 12")],
        "commands": list(COMMANDS),
        "fits": True,
        "resource": agenda.resources[0] if agenda.resources else None,
        "available": [r.filename for r in agenda.resources],
        "link": "",
        "addendum_at": _due(meeting, Step.DAY_OF_REMINDER),
        "day_of_reminder": True,
        "late_updates": 0,
        "minutes": minutes,
        "next_meeting": _next(meeting),
        "next_focus": "Measuring what changed for patients",
        "previous_agenda": sample_agenda(previous, words_limit, next_meeting=meeting),
        "previous_minutes": sample_minutes(previous),
        "deadlines": [(label, _due(meeting, step)) for step, label in HANDOVER_DEADLINES],
        "update": update,
        "recorded": [Recorded(Effect.RSVP, "declined"), Recorded(Effect.UPDATE, update.text, UpdateGoes.AGENDA.value),
                     Recorded(Effect.SUGGEST, "Measuring what changed for patients")],
        "question": "",
        "undoable": True,
        "excerpt": "Yes, that works. Actually no, I have clinic that afternoon.",
        "replied_at": meeting.start - timedelta(days=12),
        "reverted": [Recorded(Effect.RSVP, "declined")],
        "kept": [],
        "agenda_moved": False,
        "at": meeting.start - timedelta(days=12),
        "unsent_updates": [replace(agenda.updates[0], received=meeting.start + timedelta(hours=2))],
        "filename": "clinic-photos.zip",
        "reason": "this type of file is not accepted",
        "size": 31_457_280,
        "limit": 10_485_760,
        "sender": "unknown.sender@example.net",
        "subject": "Re: Your roundtable update",
        "held_id": "20270102T101500-3f9a",
        "step": str(Step.CALL_FOR_UPDATES),
        "due": _due(meeting, Step.CALL_FOR_UPDATES),
        "error": "550 5.1.1 <departed@example.org>: user unknown",
        "minutes_down": 95,
        "count": 1,
        "provider": "Microsoft 365 (app-only)",
        "advice": "create a new client secret in Entra ID, then reload mailflow",
        "since": now - timedelta(minutes=40),
        "items": _sample_items(now),
        "more": 0,
        "kinds": ["alert-held-mail", "alert-step-missed"],
    }
    if kind is MessageKind.MINUTES_DIGEST:
        values.update(attached=list(digest_files[:3]), listed=list(digest_files[3:]))
    if kind is MessageKind.AGENDA_ADDENDUM:
        values.update(packet_sent_at=_due(meeting, Step.AGENDA_PACKET))
    if kind is MessageKind.DAY_OF_REMINDER:
        values.update(late_updates=len(agenda.late_updates))
    if kind.is_alert and kind not in (MessageKind.ALERT_STEP_MISSED, MessageKind.ALERT_CHAIR_SILENT,
                                      MessageKind.ALERT_CHAIR_CHANGED, MessageKind.ALERT_REPLY_UNCLEAR,
                                      MessageKind.ALERT_MEMBER_UNSUBSCRIBED, MessageKind.ALERT_MEMBER_QUESTION):
        values["meeting"] = None
    values.update(_STAFF_SAMPLES.get(kind, {}))
    wanted = {"meeting", *KINDS[kind]}
    return {key: value for key, value in values.items() if key in wanted}


def _sample_items(now: datetime) -> list[AlertItem]:
    """Two items as an alert digest lists them."""
    return [
        AlertItem("held:unknown.sender@example.net:2027-01-02", MessageKind.ALERT_HELD_MAIL, now - timedelta(minutes=50),
                  "Message held: from unknown.sender@example.net",
                  "A message reached the service but was not applied.\n\n  Reason:  the sender is not on the "
                  "roster\n  Held as: 3f9a2c81d0e4\n", "3f9a2c81d0e4"),
        AlertItem("alert-step-missed::1", MessageKind.ALERT_STEP_MISSED, now - timedelta(minutes=20),
                  "Step missed: call for updates",
                  "One step of the meeting cycle was not done in time (mailflow was not running).\n"),
    ]


_STAFF_SAMPLES: dict[MessageKind, dict[str, object]] = {
    MessageKind.ALERT_HELD_MAIL: {"reason": "the sender is not on the roster"},
    MessageKind.ALERT_STEP_MISSED: {"reason": "mailflow was not running"},
    MessageKind.ALERT_DELIVERY_FAILED: {
        "reason": "the member's mail server refused our message for good",
        "sender": "departed@example.org"},
    MessageKind.ALERT_INTAKE_STALLED: {"error": "IMAP connection to mail.example.org:993 timed out"},
    MessageKind.ALERT_SIGN_IN_FAILED: {"error": "invalid_client: AADSTS7000222: The provided client secret keys "
                                                "for app 'mailflow' are expired."},
    MessageKind.ALERT_CHAIR_SILENT: {"reason": "the draft went to members as it stood"},
    MessageKind.ALERT_CHAIR_CHANGED: {
        "old_chair": "Amrit Gill", "new_chair": "Claire Dubois", "new_chair_email": "claire.dubois@example.org",
        "reason": "Amrit Gill has left the roster", "focus_sent": True, "draft_sent": False, "reinvited": True},
    MessageKind.ALERT_MEMBER_SUSPENDED: {
        "member_name": "Jonah Whitehorse", "member_email": "jonah.w@example.org", "score": 3, "threshold": 3,
        "evidence": [_sample_bounce(day, text) for day, text in (
            (date(2027, 1, 5), "550 5.1.1 <jonah.w@example.org>: user unknown (refused at RCPT)"),
            (date(2027, 1, 12), "5.1.1 user unknown (delivery status notification)"),
            (date(2027, 1, 19), "550 5.1.1 <jonah.w@example.org>: user unknown (refused at RCPT)"))],
        "chairs": []},
    MessageKind.ALERT_MEMBER_UNSUBSCRIBED: {
        "member_name": "Jonah Whitehorse", "member_email": "jonah.w@example.org",
        "chairs": [datetime(2027, 3, 9, 12, tzinfo=ZoneInfo("America/Vancouver"))],
        "rejoined": False},
    MessageKind.ALERT_REPLY_UNCLEAR: {
        "question": 'The chair approved the agenda draft and also wrote "looks good, but can we swap 2 and 3?": '
                    "should the draft go out as it stands, or wait for that change?",
        "excerpt": "Looks good, but can we swap 2 and 3?", "sender": "amrit.gill@example.org",
        "sender_name": "Amrit Gill", "request": "agenda"},
    MessageKind.ALERT_MEMBER_QUESTION: {
        "excerpt": "Yes, I'll be there. Is it alright if I bring our new nurse practitioner along to listen in?",
        "sender": "claire.dubois@example.org", "sender_name": "Claire Dubois", "request": "invite",
        "recorded": "will attend"},
    MessageKind.NOTICE_QUESTION: {
        "question": 'Will you attend the meeting? Please reply "yes" or "no".'},
    MessageKind.ALERT_OUTBOX_PAUSED: {"error": "535 5.7.8 Authentication credentials invalid"},
    MessageKind.ALERT_STORE_FAILING: {"error": "[Errno 28] No space left on device"},
}


# --- a whole meeting's worth of replies, for previews before any reply exists ------------------

def _pdf(title: str) -> bytes:
    """A small valid one-page PDF showing ``title`` (a sample resource members could open)."""
    return pdf_page(b"BT /F1 18 Tf 72 720 Td (" + title.encode("latin-1") + b") Tj ET")


def pdf_page(stream: bytes) -> bytes:
    """A small, valid one-page PDF whose page draws the content ``stream`` (previews' and the demo's files)."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


SAMPLE_FILES: dict[str, tuple[str, str, bytes]] = {       # sha256 -> (name, type, bytes)
    hashlib.sha256(data).hexdigest(): (name, kind, data) for name, kind, data in (
        ("Pilot evaluation summary.pdf", "application/pdf", _pdf("Pilot evaluation summary")),
        ("Referral e-form questions.txt", "text/plain",
         b"Referral e-form: the eight questions partners without an EMR answer\n"),
        ("Focus presentation slides.pdf", "application/pdf", _pdf("Focus presentation slides")),
    )
}


def sample_files() -> dict[str, bytes]:
    """The bytes of every sample resource a preview attaches, by sha256."""
    return {sha: data for sha, (_, _, data) in SAMPLE_FILES.items()}


def _file(index: int, by: Member, at: datetime) -> Resource:
    sha, (name, kind, data) = list(SAMPLE_FILES.items())[index]
    return Resource(name, kind, len(data), sha, by.name, by.email, at)


def sample_state(meeting: Meeting, members: tuple[Member, ...], *, key: str | None = None,
                 words_limit: int = 150, after_packet: bool = False, with_minutes: bool = False) -> MeetingState:
    """A meeting's state as replies would leave it, written by ``members`` (the roster's): updates
    (one over one minute, and after the packet one late), shared files, the chair's focus, and
    (``with_minutes``) minutes with slides. Every file it names has bytes in :func:`sample_files`."""
    authors = members[:len(_UPDATES)] or sample_members()
    call = meeting.start - timedelta(days=12)
    packet = _due(meeting, Step.AGENDA_PACKET)
    updates = []
    for index, (author, (_, _, _, text)) in enumerate(zip(authors, _UPDATES, strict=False)):
        late = after_packet and index == len(authors) - 1 and len(authors) > 1
        updates.append(make_update(member_email=author.email, member_name=author.name, division=author.division,
                                   text=text, received=packet + timedelta(days=1) if late else call + timedelta(days=index),
                                   words_limit=words_limit, revision=1, late=late))
    files = (_file(0, authors[0], call), _file(1, authors[-1], call + timedelta(days=1)))
    minutes = None
    if with_minutes:
        held = sample_minutes(meeting)
        minutes = replace(held, resources=(_file(2, Member("Staff", "staff@example.org", "", "", date(2020, 1, 1)),
                                                    held.received),))
    return MeetingState(
        key=key or meeting.key, updates=tuple(updates), resources=files,
        suggestions=("Measuring what changed for patients",),
        agenda=AgendaEdits(revision=1, focus_topic="Working agreements with community partners",
                           presenter=authors[0].name, added=("Sharing referral forms across divisions",),
                           approved=True, approved_by=meeting.chair.email if meeting.chair else "", sent_revision=1),
        packet_sent_at=packet if after_packet else None,
        minutes=minutes, minutes_revision=1 if minutes else 0,
    )


def check_templates(config: Config, now: datetime) -> None:
    """Render, with sample values and StrictUndefined, every kind the staff's templates folder changes
    (all of them when it overrides a shared layout or macro file): a syntax error or an unknown variable
    refuses the start with a RenderError naming the file. Our own templates are checked by the tests."""
    folder = config.templates_dir
    if folder is None or not folder.is_dir():
        return
    check_escaping(folder)
    names = {path.name for path in folder.glob("*.j2")}
    shared = any(name.startswith("_") for name in names)
    kinds = [kind for kind in KINDS if shared or f"{kind}.txt.j2" in names or f"{kind}.html.j2" in names]
    renderer = Renderer(config.community.timezone, folder)
    recipient = Recipient("Sample Member", "sample.member@example.org")
    for kind in kinds:
        context = sample_context(kind, config.community, None, now)
        renderer.render(kind, {**context, "community": config.community, "recipient": recipient,
                               "reply_address": config.community.address, "now": now})
