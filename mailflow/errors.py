"""The exceptions mailflow raises: one root, subclasses by what the caller can do."""

from __future__ import annotations


class MailflowError(Exception):
    """Root of every error mailflow raises on purpose."""


class ConfigError(MailflowError):
    """The schedule file or the roster is wrong; the message says where and what was expected.

    The CLI maps this to exit code 2.
    """

    def __init__(
        self,
        file: str,
        key: str,
        value: object,
        expected: str,
        line: int | None = None,
    ) -> None:
        self.file = file
        self.key = key
        self.value = value
        self.expected = expected
        self.line = line
        where = f"{file}:{line}" if line is not None else file
        super().__init__(f"{where}: {key} = {value!r}: expected {expected}")


class StoreError(MailflowError):
    """The state directory cannot be used (corrupt file, wrong permissions)."""


class AlreadyRunning(StoreError):
    """Another mailflow process holds the state directory's lock."""

    def __init__(self, path: str) -> None:
        self.path = path
        super().__init__(f"already running: another mailflow process holds {path}")


class DeliveryError(MailflowError):
    """An SMTP delivery failed."""


class TemporaryDeliveryError(DeliveryError):
    """4xx or timeout: try again later."""


class PermanentDeliveryError(DeliveryError):
    """5xx for a recipient: do not retry."""


class SenderRejected(DeliveryError):
    """535 or 5xx on MAIL FROM: our own account is refused; pause the queue."""


class SignInFailed(SenderRejected):
    """The OAuth2 provider refused to give a token: the queue pauses like for a refused login, and no
    pause alert is raised, because the token source's own alert already tells staff what to do."""


class ComposeWorkerUnavailable(MailflowError):
    """The composing worker process could not start: what it was given is composed in the daemon's process."""


class ComposeWorkerGone(MailflowError):
    """The composing worker process ended while it composed part of a step (killed, out of memory): the step
    fails and is tried again (it is not composed in the daemon instead: what killed the worker could kill it)."""
