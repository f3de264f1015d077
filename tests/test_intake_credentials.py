"""The IMAP/SMTP secret: from the environment or a KEY=VALUE credentials file, never echoed."""

from __future__ import annotations

from pathlib import Path

import pytest

from mailflow.adapters.credentials import CredentialsError, resolve_credential, resolve_secret
from mailflow.schedule.config import AuthMethod, ImapSettings, Tls

SETTINGS = ImapSettings(host="imap.example.org", port=993, tls=Tls.IMPLICIT, user="cop@example.org",
                        secret_env="COP_IMAP_PASSWORD")


def test_secret_from_the_environment() -> None:
    """The env var named by secret_env holds the secret."""
    assert resolve_secret(SETTINGS, environ={"COP_IMAP_PASSWORD": "s3cret"}) == "s3cret"


def test_missing_env_var_names_the_variable_and_what_to_put_there() -> None:
    """An unset variable is an error that says which variable and what it should hold."""
    with pytest.raises(CredentialsError, match="COP_IMAP_PASSWORD is not set: set it to the password"):
        resolve_secret(SETTINGS, environ={})


def test_oauth_token_is_named_as_such() -> None:
    """With auth = xoauth2 the error asks for an OAuth2 access token."""
    oauth = ImapSettings(host="h", port=993, tls=Tls.IMPLICIT, user="u", auth=AuthMethod.XOAUTH2)
    with pytest.raises(CredentialsError, match="OAuth2 access token for u"):
        resolve_secret(oauth, environ={})


def test_credentials_file_replaces_the_environment(tmp_path: Path) -> None:
    """KEY=VALUE lines with comments, blanks, export and quotes; the environment is not consulted."""
    file = tmp_path / "credentials"
    file.write_text("# mailflow secrets\n\nexport OTHER=x\nCOP_IMAP_PASSWORD = \"pa=ss word\"\n")
    file.chmod(0o600)
    assert resolve_secret(SETTINGS, file, environ={"COP_IMAP_PASSWORD": "from-env"}) == "pa=ss word"


def test_key_missing_from_the_file(tmp_path: Path) -> None:
    """A file without the key is an error naming the file and the key."""
    file = tmp_path / "credentials"
    file.write_text("OTHER=x\n")
    file.chmod(0o600)
    with pytest.raises(CredentialsError, match=r"credentials: no COP_IMAP_PASSWORD=\.\.\. line"):
        resolve_secret(SETTINGS, file, environ={})


def test_malformed_line_is_reported_by_number_without_its_content(tmp_path: Path) -> None:
    """A line that is not KEY=VALUE is named by its line number; its text (maybe a secret) is not shown."""
    file = tmp_path / "credentials"
    file.write_text("COP_IMAP_PASSWORD=ok\nhunter2\n")
    file.chmod(0o600)
    with pytest.raises(CredentialsError) as caught:
        resolve_secret(SETTINGS, file)
    assert str(caught.value) == f"{file}:2: expected KEY=VALUE"


def test_unreadable_file(tmp_path: Path) -> None:
    """A missing file says so, by path."""
    with pytest.raises(CredentialsError, match="cannot read the credentials file"):
        resolve_secret(SETTINGS, tmp_path / "nope")


def test_world_readable_file_is_refused(tmp_path: Path) -> None:
    """A credentials file others can read is refused, naming it and `chmod 600`, never showing the secret."""
    file = tmp_path / "credentials"
    file.write_text("COP_IMAP_PASSWORD=hunter2\n")
    for mode in (0o644, 0o640, 0o604, 0o620):
        file.chmod(mode)
        with pytest.raises(CredentialsError, match=r"chmod 600") as refused:
            resolve_secret(SETTINGS, file)
        assert str(file) in str(refused.value) and "hunter2" not in str(refused.value)
    file.chmod(0o400)
    assert resolve_secret(SETTINGS, file) == "hunter2"


def test_credential_repr_hides_the_secret() -> None:
    """Printing or logging a Credential never shows the secret."""
    credential = resolve_credential(SETTINGS, environ={"COP_IMAP_PASSWORD": "hunter2"})
    assert credential.secret == "hunter2" and "hunter2" not in repr(credential)
    assert credential.user == "cop@example.org" and credential.method is AuthMethod.PASSWORD
