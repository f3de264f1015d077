"""The schedule file and roster as typed, frozen values; after loading nothing parses strings."""

from __future__ import annotations

import enum
import ipaddress
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from mailflow.schedule.keys import KeyLines


def is_loopback(host: str) -> bool:
    """True for localhost and loopback IP addresses: the only hosts plain text may be allowed with."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Tls(enum.StrEnum):
    IMPLICIT = "implicit"   # TLS from the first byte (IMAPS 993, SMTPS 465)
    STARTTLS = "starttls"   # plain connect, then STARTTLS (required to succeed)
    NONE = "none"           # plain text: only allowed when allow_plaintext = true (loopback tests)


class AuthMethod(enum.StrEnum):
    PASSWORD = "password"   # the password from secret_env
    XOAUTH2 = "xoauth2"     # a fixed OAuth2 access token from secret_env, obtained elsewhere (never refreshed)
    OAUTH2 = "oauth2"       # OAuth2 tokens mailflow obtains and refreshes itself, as [oauth2] says


@dataclass(frozen=True)
class ServerSettings:
    """How to reach one mail server. The secret itself is never here: see ``secret_env``."""

    host: str
    port: int
    tls: Tls
    user: str
    auth: AuthMethod = AuthMethod.PASSWORD
    secret_env: str = "MAILFLOW_PASSWORD"  # env var holding the password or OAuth2 token
    timeout_seconds: float = 30.0
    allow_plaintext: bool = False
    ca_file: Path | None = None            # extra CA bundle (self-signed test servers)


@dataclass(frozen=True)
class ImapSettings(ServerSettings):
    folder: str = "INBOX"
    processed_folder: str = "mailflow/processed"
    held_folder: str = "mailflow/held"
    idle_renew_seconds: int = 540          # RFC 2177: renew IDLE before 29 min; we do it every 9
    max_message_bytes: int = 26_214_400    # RFC822.SIZE above this is not downloaded


@dataclass(frozen=True)
class SmtpSettings(ServerSettings):
    max_connections: int = 4
    max_per_minute: int = 0                            # messages started per minute, all connections together; 0: no limit
    message_deadline_seconds: float = 120.0
    give_up_after: timedelta = timedelta(days=2)
    first_retry: timedelta = timedelta(minutes=30)     # after a 4xx or timeout; doubles, up to max_retry
    max_retry: timedelta = timedelta(hours=2)


class OAuth2Provider(enum.StrEnum):
    MICROSOFT = "microsoft"   # Microsoft 365 / Exchange Online, through MSAL
    GOOGLE = "google"         # Google Workspace, through google-auth
    GENERIC = "generic"       # any RFC 6749 token endpoint


class OAuth2Flow(enum.StrEnum):
    """How mailflow gets its tokens; each provider allows some of these (see OAUTH2_FLOWS)."""

    CLIENT_CREDENTIALS = "client_credentials"   # app-only: client id + secret (or certificate)
    DEVICE_CODE = "device_code"                 # delegated: `mailflow auth microsoft` once, then the refresh token
    SERVICE_ACCOUNT = "service_account"         # Google domain-wide delegation, subject = the mailbox
    INSTALLED_APP = "installed_app"             # delegated: `mailflow auth google` once, then the refresh token
    REFRESH_TOKEN = "refresh_token"             # a refresh token given in refresh_token_env, then the rotated ones


OAUTH2_FLOWS: dict[OAuth2Provider, tuple[OAuth2Flow, ...]] = {   # the first is the default
    OAuth2Provider.MICROSOFT: (OAuth2Flow.CLIENT_CREDENTIALS, OAuth2Flow.DEVICE_CODE),
    OAuth2Provider.GOOGLE: (OAuth2Flow.SERVICE_ACCOUNT, OAuth2Flow.INSTALLED_APP),
    OAuth2Provider.GENERIC: (OAuth2Flow.CLIENT_CREDENTIALS, OAuth2Flow.REFRESH_TOKEN),
}

MICROSOFT_AUTHORITY = "https://login.microsoftonline.com"
GOOGLE_TOKEN_URL = "https://oauth2.googleapis.com/token"
GOOGLE_AUTHORIZE_URL = "https://accounts.google.com/o/oauth2/v2/auth"


@dataclass(frozen=True)
class OAuth2Settings:
    """Where mailflow's OAuth2 tokens come from. Secrets are never here: ``secret_env`` names the
    client secret, ``key_file`` a private key file, ``refresh_token_env`` a first refresh token;
    refresh tokens obtained later live in the token cache in the state folder."""

    provider: OAuth2Provider
    flow: OAuth2Flow
    scopes: tuple[str, ...]
    client_id: str = ""
    tenant: str = ""                       # microsoft: directory (tenant) id or domain
    authority: str = MICROSOFT_AUTHORITY   # microsoft: the login host (sovereign clouds, tests)
    token_url: str = ""                    # generic; google installed_app
    authorize_url: str = ""                # google installed_app (`mailflow auth google`)
    subject: str = ""                      # google service_account: the mailbox acted for
    secret_env: str = "MAILFLOW_OAUTH2_SECRET"   # env var / credentials-file key of the client secret
    key_file: Path | None = None           # microsoft certificate (PEM key + cert) or google service-account JSON
    refresh_token_env: str = "MAILFLOW_OAUTH2_REFRESH_TOKEN"   # generic refresh_token: the first refresh token
    ca_file: Path | None = None            # CA bundle for the token endpoint instead of the system's
    refresh_before_seconds: int = 300      # a token is renewed this long before it expires
    timeout_seconds: float = 30.0

    @property
    def needs_client_secret(self) -> bool:
        """Whether ``secret_env`` must hold a client secret for this provider and flow."""
        if self.flow in (OAuth2Flow.DEVICE_CODE, OAuth2Flow.SERVICE_ACCOUNT):
            return False
        return not (self.flow is OAuth2Flow.CLIENT_CREDENTIALS and self.key_file is not None)

    @property
    def label(self) -> str:
        """How people name this sign-in: 'Microsoft 365 (app-only)'."""
        name = {OAuth2Provider.MICROSOFT: "Microsoft 365", OAuth2Provider.GOOGLE: "Google Workspace",
                OAuth2Provider.GENERIC: "the OAuth2 provider"}[self.provider]
        app_only = "app-only" if self.provider is OAuth2Provider.MICROSOFT else "client credentials"
        kind = {OAuth2Flow.CLIENT_CREDENTIALS: app_only, OAuth2Flow.DEVICE_CODE: "delegated",
                OAuth2Flow.SERVICE_ACCOUNT: "service account", OAuth2Flow.INSTALLED_APP: "delegated",
                OAuth2Flow.REFRESH_TOKEN: "refresh token"}[self.flow]
        return f"{name} ({kind})"


class MemberStatus(enum.StrEnum):
    ACTIVE = "active"
    DEPARTED = "departed"


@dataclass(frozen=True)
class Member:
    name: str
    email: str          # normalised: stripped, domain lower-cased; compare with .key
    role: str
    division: str
    joined: date
    status: MemberStatus = MemberStatus.ACTIVE
    line: int = 0       # roster line (CSV) or row (Excel), for error messages
    timezone: ZoneInfo | None = None   # where the member reads times; None: the community's zone

    @property
    def key(self) -> str:
        return self.email.casefold()

    @property
    def active(self) -> bool:
        return self.status is MemberStatus.ACTIVE


@dataclass(frozen=True)
class Roster:
    path: Path
    members: tuple[Member, ...]

    def get(self, email: str) -> Member | None:
        return self._by_key.get(email.strip().casefold())

    @cached_property
    def _by_key(self) -> dict[str, Member]:
        """Members by key, the first of any duplicates (a step for 10,000 members looks each one up)."""
        index: dict[str, Member] = {}
        for member in self.members:
            index.setdefault(member.key, member)
        return index

    def active(self) -> tuple[Member, ...]:
        return tuple(m for m in self.members if m.active)


class Step(enum.StrEnum):
    """The timed steps of one meeting cycle, in their required order.

    A step's value is the kind of message it sends (see ``mailflow.core.kinds.MessageKind``);
    in the schedule file its key is spelled with underscores, as every TOML key there is.
    """

    INVITATION = "invitation"
    FOCUS_PLANNING = "focus-planning"
    CALL_FOR_UPDATES = "call-for-updates"
    REMINDER = "reminder"
    AGENDA_DRAFT = "agenda-draft"
    AGENDA_PACKET = "agenda-packet"
    DAY_OF_REMINDER = "day-of-reminder"
    MINUTES_REQUEST = "minutes-request"
    CHAIR_HANDOVER = "chair-handover"

    @property
    def toml_key(self) -> str:
        """The step's key under ``[timeline]`` in the schedule file."""
        return self.value.replace("-", "_")

    @classmethod
    def parse(cls, text: str) -> Step:
        """The step ``text`` names, in either spelling (state written by earlier versions)."""
        return cls(text.replace("_", "-"))


DEFAULT_OFFSETS: dict[Step, timedelta] = {
    Step.INVITATION: timedelta(days=-21),
    Step.FOCUS_PLANNING: timedelta(days=-21),
    Step.CALL_FOR_UPDATES: timedelta(days=-14),
    Step.REMINDER: timedelta(days=-7),
    Step.AGENDA_DRAFT: timedelta(days=-5),
    Step.AGENDA_PACKET: timedelta(days=-3),
    Step.DAY_OF_REMINDER: timedelta(hours=-2),
    Step.MINUTES_REQUEST: timedelta(days=1),
    Step.CHAIR_HANDOVER: timedelta(days=1, hours=1),
}


@dataclass(frozen=True)
class BusinessDays:
    """Days a step may fall on: Monday to Friday, less the public holidays of a place and extra closed days."""

    country: str | None = None              # ISO 3166 code the holidays package knows, e.g. "CA"
    subdivision: str | None = None          # its subdivision code, e.g. "BC"
    extra_closed: frozenset[date] = frozenset()

    @property
    def place(self) -> str:
        return "-".join(part for part in (self.country, self.subdivision) if part)


@dataclass(frozen=True)
class Timeline:
    """Offset of each step from the meeting start (negative = before).

    ``business_days`` moves steps off weekends and holidays (see businessdays.py); None (the value
    here, for plain calendars in tests) lets steps fall on any day. The schedule file's default is on.
    """

    offsets: tuple[tuple[Step, timedelta], ...] = tuple(DEFAULT_OFFSETS.items())
    business_days: BusinessDays | None = None

    def offset(self, step: Step) -> timedelta:
        return dict(self.offsets)[step]


@dataclass(frozen=True)
class Override:
    """A staff change to one occurrence, identified by the date the rule gives it."""

    date: date
    cancelled: bool = False
    start: datetime | None = None          # moved: new local start (aware, community zone)
    duration: timedelta | None = None      # longer (or shorter) meeting
    announce: timedelta | None = None      # invitation offset for this meeting (longer ones: earlier)
    location: str | None = None            # in person: the place
    chair: str | None = None               # staff override of the rotation (an email on the roster)
    note: str | None = None
    line: int | None = None


@dataclass(frozen=True)
class MeetingRule:
    rrule: str                              # RFC 5545 RRULE, e.g. FREQ=MONTHLY;BYDAY=2TU
    first: date                             # DTSTART date
    start: time                             # local wall-clock start
    duration: timedelta
    video_link: str
    overrides: tuple[Override, ...] = ()


class SilentChair(enum.StrEnum):
    SEND = "send"    # packet goes out with the draft as it stands; staff told
    WAIT = "wait"    # packet waits for approval; staff alerted


@dataclass(frozen=True)
class ChairPolicy:
    rotation: tuple[str, ...]               # member emails, in order
    on_silence: SilentChair = SilentChair.SEND


@dataclass(frozen=True)
class RoundtablePolicy:
    words_per_minute: int = 150             # longer updates are flagged
    minutes_per_update: float = 1.0
    focus_minutes: int = 20


@dataclass(frozen=True)
class AttachmentPolicy:
    max_bytes: int = 10_485_760
    allowed_types: tuple[str, ...] = (
        "application/pdf", "image/png", "image/jpeg", "text/plain", "text/csv",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/msword", "application/vnd.ms-excel", "application/vnd.ms-powerpoint",
    )
    packet_total_bytes: int = 15_728_640    # attach in packets up to this total, list the rest


@dataclass(frozen=True)
class BouncePolicy:
    """Bounce scoring as Mailman 3 does it: +1 per day with a permanent bounce; at ``threshold`` delivery to
    the member is suspended until staff re-enable it; a score whose last bounce is older than
    ``stale_after`` has expired."""

    threshold: int = 3
    stale_after: timedelta = timedelta(days=90)


class ReplyAddressStyle(enum.StrEnum):
    PLUS = "plus"              # local+TOKEN@domain
    DASH = "dash"              # local-TOKEN@domain (servers without plus addressing)


@dataclass(frozen=True)
class StaffMember:
    """A person who runs the community with mailflow: greeted by name, written to for their role."""

    name: str
    email: str          # normalised like a member's; compare with .key
    role: str = "staff"

    @property
    def key(self) -> str:
        return self.email.casefold()


@dataclass(frozen=True)
class Community:
    name: str
    address: str                            # the service's own address (From, replies)
    timezone: ZoneInfo
    staff: tuple[StaffMember, ...]          # plain addresses are read as staff named by their local part
    minutes_recipients: tuple[str, ...] = ()
    list_id: str = ""                       # RFC 2919 List-Id value, e.g. sdh-cop.example.org
    reply_style: ReplyAddressStyle = ReplyAddressStyle.PLUS
    secret_env: str = "MAILFLOW_SECRET"     # HMAC key for tokens and Message-IDs
    authserv_id: str | None = None          # trust Authentication-Results only from this id

    def __post_init__(self) -> None:
        people = tuple(s if isinstance(s, StaffMember) else StaffMember(str(s).partition("@")[0], str(s))
                       for s in self.staff)
        object.__setattr__(self, "staff", people)

    def staff_member(self, email: str) -> StaffMember | None:
        """The staff member writing from ``email`` (compared case-insensitively), or None."""
        wanted = email.strip().casefold()
        return next((s for s in self.staff if s.key == wanted), None)


@dataclass(frozen=True)
class ResourceLibrary:
    """Where staff publish ``mailflow export`` (its folder layout), so packets can link files too large to attach."""

    base_url: str | None = None             # e.g. https://intranet.example.org/cop-library


@dataclass(frozen=True)
class AlertSettings:
    """How often staff hear from us: one digest per staff member per ``every``, ``max_per_hour`` in all."""

    every: timedelta = timedelta(hours=1)
    max_per_hour: int = 12
    max_items: int = 40           # listed in one digest; the rest are counted ("and N more")


@dataclass(frozen=True)
class Config:
    path: Path
    community: Community
    meetings: MeetingRule
    timeline: Timeline
    chair: ChairPolicy
    roundtable: RoundtablePolicy
    attachments: AttachmentPolicy
    imap: ImapSettings
    smtp: SmtpSettings
    state_dir: Path
    templates_dir: Path | None
    roster: Roster
    credentials_file: Path | None = None    # KEY=VALUE lines, read instead of the environment
    oauth2: OAuth2Settings | None = None    # set when [imap] or [smtp] has auth = "oauth2"
    bounce: BouncePolicy = field(default_factory=BouncePolicy)
    resources: ResourceLibrary = field(default_factory=ResourceLibrary)
    alerts: AlertSettings = AlertSettings()
    extra: dict[str, object] = field(default_factory=dict, compare=False)
    lines: KeyLines | None = field(default=None, compare=False, repr=False)   # where each key was written

