"""OAuth2 access tokens for IMAP and SMTP: one small contract, and the source that obtains and renews them.

The intake and the SMTP sender ask a ``TokenSource`` for a token on every connection and tell it
when a server refused one. ``OAuth2Tokens`` keeps the current token, renews it before it expires,
backs off (capped) when the provider refuses, and reports its health so the daemon can tell staff
once. The provider itself (MSAL, google-auth, a plain token endpoint) sits behind ``Grant``.
Tokens never reach a log line or an error message.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Protocol

from mailflow.errors import MailflowError

log = logging.getLogger(__name__)

__all__ = [
    "AccessToken", "FixedToken", "Fetched", "Grant", "OAuth2Tokens", "RetryPolicy", "SignInHealth",
    "TokenSource", "TokenUnavailable",
]


@dataclass(frozen=True)
class AccessToken:
    """A bearer token; ``renew_at`` (monotonic seconds) is when its source will hand out a new one."""

    value: str = field(repr=False)
    renew_at: float | None = None   # None: never renewed (a fixed token)


class TokenUnavailable(MailflowError):
    """No token could be obtained. ``permanent``: the provider refused (a wrong or expired secret,
    revoked consent): nothing helps until someone fixes it and reloads. Otherwise the provider
    could not be reached: try again later. The message never holds a secret."""

    def __init__(self, provider: str, error: str, advice: str = "", *, permanent: bool) -> None:
        self.provider = provider
        self.error = error
        self.advice = advice
        self.permanent = permanent
        text = f"sign-in to {provider} failed: {error.rstrip('. ')}"
        super().__init__(f"{text}. What to do: {advice}" if advice else text)


class TokenSource(Protocol):
    """Gives a valid access token now; forgets one a server refused. Safe to call from any thread."""

    @property
    def generation(self) -> int:
        """Changes when settings or secrets are reloaded (a waiting caller may retry at once)."""

    def token(self) -> AccessToken:
        """A token valid for a while yet; raises TokenUnavailable."""

    def invalidate(self, token: AccessToken) -> None:
        """A server refused ``token``: the next ``token()`` asks the provider for a new one."""


class FixedToken:
    """``auth = "xoauth2"``: an access token obtained elsewhere, used as it is and never renewed."""

    generation = 0

    def __init__(self, value: str) -> None:
        self._token = AccessToken(value)

    def __repr__(self) -> str:
        return "FixedToken(**REDACTED**)"

    def token(self) -> AccessToken:
        return self._token

    def invalidate(self, token: AccessToken) -> None:
        log.warning("the server refused the fixed OAuth2 token; it cannot be renewed: use auth = \"oauth2\"")


# --- the provider side ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Fetched:
    """What a provider handed out: the token and how long it lives (seconds from now)."""

    value: str = field(repr=False)
    expires_in: float


class Grant(Protocol):
    """One way of getting tokens from one provider (MSAL, google-auth, a token endpoint)."""

    label: str   # how staff name it: 'Microsoft 365 (app-only)'

    def fetch(self, fresh: bool) -> Fetched:
        """A token; ``fresh``: do not take one from the library's own cache. Raises TokenUnavailable."""


# --- the source ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RetryPolicy:
    """After the provider refused: no new request before this delay (doubling, capped)."""

    first: float = 10.0
    cap: float = 600.0

    def delay(self, failures: int) -> float:
        return min(self.cap, self.first * 2 ** max(failures - 1, 0))


@dataclass(frozen=True)
class SignInHealth:
    """For the daemon's alert (``episode`` counts runs of failures: alert once per episode) and for
    ``mailflow status``: when the current token was obtained and expires, the last refusal and when."""

    failing: bool = False
    permanent: bool = False
    error: TokenUnavailable | None = None          # the failure now (None once a token came again)
    episode: int = 0
    obtained_at: datetime | None = None            # the last token handed out (wall clock)
    expires_at: datetime | None = None             # ... and when the provider said it expires
    last_error: TokenUnavailable | None = None     # the last failure, kept after a recovery
    last_error_at: datetime | None = None

    def shown(self, provider: str) -> dict[str, object]:
        """As ``mailflow status`` shows it (the daemon's heartbeat carries it): the provider, the current
        token's times, the last refusal in the provider's words with what to do; never a token or a secret."""
        def moment(value: datetime | None) -> str | None:
            return value.isoformat() if value is not None else None

        last = self.last_error
        return {"provider": provider, "obtained_at": moment(self.obtained_at), "expires_at": moment(self.expires_at),
                "failing": self.failing, "last_error": str(last) if last is not None else None,
                "error_at": moment(self.last_error_at)}


class OAuth2Tokens:
    """The TokenSource for ``auth = "oauth2"``: one current token, renewed ``refresh_before``
    seconds before it expires (or when a server refused it); one provider request at a time."""

    def __init__(
        self,
        grant: Grant,
        *,
        refresh_before: float = 300.0,
        retry: RetryPolicy = RetryPolicy(),
        monotonic: Callable[[], float] = time.monotonic,
        wall: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._grant = grant
        self._wall = wall              # the daemon's clock: when a token was obtained, for status
        self._refresh_before = refresh_before
        self._retry = retry
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._current: AccessToken | None = None
        self._fresh = False            # the library's cache holds a refused token: bypass it
        self._failures = 0
        self._retry_at = 0.0
        self._last_error: TokenUnavailable | None = None
        self._reloaded = False
        self._generation = 0
        self._health = SignInHealth()
        self.requests = 0              # diagnostics: how often the provider was asked

    def __repr__(self) -> str:
        return f"OAuth2Tokens({self._grant.label}, **REDACTED**)"

    @property
    def label(self) -> str:
        return self._grant.label

    @property
    def generation(self) -> int:
        return self._generation

    @property
    def health(self) -> SignInHealth:
        return self._health

    def token(self) -> AccessToken:
        with self._lock:
            now = self._monotonic()
            current = self._current
            if current is not None and current.renew_at is not None and now < current.renew_at:
                return current
            if self._last_error is not None and now < self._retry_at:
                raise self._last_error    # backing off: the provider is not asked again yet
            return self._fetch(now)

    def invalidate(self, token: AccessToken) -> None:
        with self._lock:
            if self._current == token:
                self._current = None
                self._fresh = True
                log.info("a server refused the OAuth2 token from %s: asking for a new one", self.label)

    def reload(self, grant: Grant, refresh_before: float) -> None:
        """New settings or secrets (SIGHUP): forget the token and the backoff, and ask again at once."""
        with self._lock:
            self._grant = grant
            self._refresh_before = refresh_before
            self._current = None
            self._fresh = True
            self._retry_at = 0.0
            self._failures = 0
            self._reloaded = True
            self._generation += 1
        log.info("OAuth2 settings and secrets reloaded (%s)", grant.label)

    # --- under the lock ---

    def _fetch(self, now: float) -> AccessToken:
        self.requests += 1
        # A token that is due (or refused) must not come back from the library's own cache.
        fresh = self._fresh or self._current is not None
        try:
            fetched = self._grant.fetch(fresh)
        except TokenUnavailable as exc:
            self._failed(exc, now)
            raise
        lifetime = max(fetched.expires_in, 0.0)
        # Renew ahead of expiry; a token shorter-lived than the margin is renewed at half its life.
        ahead = self._refresh_before if lifetime > 2 * self._refresh_before else lifetime / 2
        token = AccessToken(fetched.value, now + lifetime - ahead)
        self._current, self._fresh = token, False
        self._succeeded(lifetime)
        return token

    def _failed(self, exc: TokenUnavailable, now: float) -> None:
        self._failures += 1
        self._last_error = exc
        self._current = None
        health = self._health = replace(self._health, last_error=exc, last_error_at=self._wall())
        if not exc.permanent:
            self._retry_at = now          # the provider was unreachable: the caller's own backoff paces us
            if not health.permanent:
                self._health = replace(health, failing=True, permanent=False, error=exc)
            log.warning("%s", exc)
            return
        self._retry_at = now + self._retry.delay(self._failures)
        new_episode = not (health.failing and health.permanent) or self._reloaded
        self._reloaded = False
        episode = health.episode + 1 if new_episode else health.episode
        self._health = replace(health, failing=True, permanent=True, error=exc, episode=episode)
        if new_episode:
            log.error("%s", exc)
        else:
            log.info("still cannot sign in to %s (attempt %d); next try in %.0f s",
                     self.label, self._failures, self._retry_at - now)

    def _succeeded(self, lifetime: float) -> None:
        if self._health.failing:
            log.info("signed in to %s again", self.label)
        self._failures = 0
        self._last_error = None
        self._reloaded = False
        obtained = self._wall()
        self._health = replace(self._health, failing=False, permanent=False, error=None, obtained_at=obtained,
                               expires_at=obtained + timedelta(seconds=lifetime))
