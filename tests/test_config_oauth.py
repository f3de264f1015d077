"""The [oauth2] table: the documented example loads, and each mistake is refused with file, line, key and what was expected."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from test_config import BASE, EXAMPLE, line_of, refusal, write

from mailflow.errors import ConfigError
from mailflow.schedule import load
from mailflow.schedule.config import AuthMethod, OAuth2Flow, OAuth2Provider

GUID = "00001111-aaaa-2222-bbbb-3333cccc4444"
OAUTH_SERVERS = BASE.replace('[imap]\n', '[imap]\nauth = "oauth2"\n').replace('[smtp]\n', '[smtp]\nauth = "oauth2"\n')
MICROSOFT = f'\n[oauth2]\nprovider = "microsoft"\ntenant = "division.example.org"\nclient_id = "{GUID}"\n'


def test_example_oauth2_block_loads_when_uncommented(tmp_path: Path) -> None:
    """The example's commented Microsoft block is a working table: uncommented, with auth = "oauth2", it loads."""
    text = EXAMPLE.read_text(encoding="utf-8")
    block = re.search(r"^# \[oauth2\]\n(?:^# \w+ = .*\n)+", text, re.M)
    assert block is not None
    uncommented = "\n".join(line[2:] for line in block[0].splitlines())
    text = text.replace(block[0], uncommented + "\n")
    text = re.sub(r'^auth = "password".*$', 'auth = "oauth2"', text, flags=re.M)
    text = re.sub(r'^secret_env = "MAILFLOW_PASSWORD".*$', "", text, flags=re.M)
    (tmp_path / "members.example.csv").write_bytes((EXAMPLE.parent / "members.example.csv").read_bytes())
    path = tmp_path / "cop.toml"
    path.write_text(text, encoding="utf-8")
    config = load(path)
    assert config.imap.auth is AuthMethod.OAUTH2 and config.oauth2 is not None
    assert (config.oauth2.provider, config.oauth2.flow) == (OAuth2Provider.MICROSOFT, OAuth2Flow.CLIENT_CREDENTIALS)
    assert config.oauth2.scopes == ("https://outlook.office365.com/.default",)
    assert config.oauth2.refresh_before_seconds == 300


def test_microsoft_defaults(tmp_path: Path) -> None:
    """provider = "microsoft" alone: app-only, the .default scope, Microsoft's login host, secret in MAILFLOW_OAUTH2_SECRET."""
    settings = load(write(tmp_path, OAUTH_SERVERS + MICROSOFT)).oauth2
    assert settings is not None
    assert settings.flow is OAuth2Flow.CLIENT_CREDENTIALS and settings.needs_client_secret
    assert settings.authority == "https://login.microsoftonline.com"
    assert settings.secret_env == "MAILFLOW_OAUTH2_SECRET"
    assert settings.label == "Microsoft 365 (app-only)"


def test_google_service_account_acts_for_the_imap_user(tmp_path: Path) -> None:
    """Google's service account defaults: subject = [imap] user, scope https://mail.google.com/."""
    (tmp_path / "sa.json").write_text("{}")
    toml = OAUTH_SERVERS + '\n[oauth2]\nprovider = "google"\nkey_file = "sa.json"\n'
    settings = load(write(tmp_path, toml)).oauth2
    assert settings is not None and settings.flow is OAuth2Flow.SERVICE_ACCOUNT
    assert settings.subject == "cop@example.org" and settings.scopes == ("https://mail.google.com/",)
    assert settings.key_file == tmp_path / "sa.json" and not settings.needs_client_secret


def test_oauth2_auth_without_the_table_is_refused(tmp_path: Path) -> None:
    """auth = "oauth2" needs [oauth2]: the error points at the auth line."""
    file, error = refusal(tmp_path, OAUTH_SERVERS)
    assert str(error) == (f"{file}:{line_of(OAUTH_SERVERS, 'auth = ')}: imap.auth = 'oauth2': expected a table "
                          "[oauth2] saying where the tokens come from (auth = \"oauth2\" needs it)")


def test_unused_oauth2_table_is_refused(tmp_path: Path) -> None:
    """[oauth2] with no server using it is a leftover: refused, saying how to use it."""
    file, error = refusal(tmp_path, BASE + MICROSOFT)
    assert "oauth2.provider = 'microsoft': expected a server that uses it" in str(error)


def test_client_secret_in_the_file_is_refused_without_showing_it(tmp_path: Path) -> None:
    """A client secret written into [oauth2] is refused; the message names the variable, never the value."""
    toml = OAUTH_SERVERS + MICROSOFT + 'client_secret = "Zx8Q~super-secret-value"\n'
    file, error = refusal(tmp_path, toml)
    assert str(error) == (f"{file}:{line_of(toml, 'client_secret')}: oauth2.client_secret = (not shown): "
                          "expected no secret in the schedule file: put it in the environment variable "
                          "MAILFLOW_OAUTH2_SECRET or in the credentials_file")
    assert "super-secret" not in str(error)


@pytest.mark.parametrize(("extra", "key", "expected"), [
    ('flow = "service_account"', "flow", "expected 'client_credentials' or 'device_code' with provider = 'microsoft'"),
    ('subject = "cop@example.org"', "subject",
     "expected no subject with provider = 'microsoft', flow = 'client_credentials' (it is not used there; remove it)"),
    ('refresh_before_seconds = 4000', "refresh_before_seconds", "expected an integer from 0 to 3000"),
    ('authority = "https://login.example.org/tenant"', "authority", "expected https://host (no path)"),
    ('scopes = ["offline_access"]', "scopes", "expected scopes without offline_access (MSAL asks for them itself)"),
])
def test_wrong_microsoft_keys(tmp_path: Path, extra: str, key: str, expected: str) -> None:
    """Each wrong key in a Microsoft table is refused on its own line with what was expected."""
    toml = OAUTH_SERVERS + MICROSOFT + extra + "\n"
    file, error = refusal(tmp_path, toml)
    assert str(error).startswith(f"{file}:{line_of(toml, extra)}: oauth2.{key} = ")
    assert expected in str(error)


def test_missing_tenant_and_bad_client_id(tmp_path: Path) -> None:
    """Microsoft needs a tenant, and a client_id that is the app's GUID."""
    toml = OAUTH_SERVERS + f'\n[oauth2]\nprovider = "microsoft"\nclient_id = "{GUID}"\n'
    _, error = refusal(tmp_path, toml)
    assert "oauth2.tenant = (missing): expected the directory (tenant) id" in str(error)
    toml = OAUTH_SERVERS + MICROSOFT.replace(GUID, "mailflow-app")
    _, error = refusal(tmp_path, toml)
    assert "oauth2.client_id = 'mailflow-app': expected the Application (client) ID from Entra ID, a GUID" in str(error)


def test_app_only_needs_the_organisations_own_tenant(tmp_path: Path) -> None:
    """tenant = "common" cannot issue app-only tokens: refused, asking for the organisation's own tenant."""
    _, error = refusal(tmp_path, OAUTH_SERVERS + MICROSOFT.replace("division.example.org", "common"))
    assert "expected your own tenant for app-only sign-in" in str(error)


def test_plain_http_token_endpoint_only_on_loopback(tmp_path: Path) -> None:
    """A generic token_url over http:// is refused unless it is a loopback test server."""
    table = '\n[oauth2]\nprovider = "generic"\nclient_id = "app"\ntoken_url = "{}"\n'
    _, error = refusal(tmp_path, OAUTH_SERVERS + table.format("http://auth.example.org/token"))
    assert "oauth2.token_url = 'http://auth.example.org/token': expected an https:// URL" in str(error)
    settings = load(write(tmp_path, OAUTH_SERVERS + table.format("http://127.0.0.1:8080/token"))).oauth2
    assert settings is not None and settings.token_url == "http://127.0.0.1:8080/token"


def test_google_service_account_mailbox_must_match_smtp_user(tmp_path: Path) -> None:
    """The service account acts for one mailbox: an [smtp] user that differs is refused at its own line."""
    (tmp_path / "sa.json").write_text("{}")
    toml = (OAUTH_SERVERS.replace('[smtp]\nauth = "oauth2"\nhost = "smtp.example.org"\nuser = "cop@example.org"',
                                  '[smtp]\nauth = "oauth2"\nhost = "smtp.example.org"\nuser = "other@example.org"')
            + '\n[oauth2]\nprovider = "google"\nkey_file = "sa.json"\n')
    file, error = refusal(tmp_path, toml)
    assert str(error) == (f"{file}:{line_of(toml, 'other@example.org')}: smtp.user = 'other@example.org': expected "
                          "the mailbox the service account acts for, oauth2.subject ('cop@example.org')")


def test_missing_key_file_is_refused(tmp_path: Path) -> None:
    """A key_file that does not exist is refused at load, not at the first sign-in."""
    _, error = refusal(tmp_path, OAUTH_SERVERS + '\n[oauth2]\nprovider = "google"\nkey_file = "nope.json"\n')
    assert "oauth2.key_file" in str(error) and "expected an existing private key file" in str(error)


def test_server_secret_env_with_oauth2_is_refused(tmp_path: Path) -> None:
    """With auth = "oauth2" the server has no secret of its own: a secret_env there is a mistake."""
    toml = OAUTH_SERVERS.replace('[imap]\nauth = "oauth2"\n', '[imap]\nauth = "oauth2"\nsecret_env = "PW"\n') + MICROSOFT
    with pytest.raises(ConfigError, match=r"imap.secret_env = 'PW': expected no secret_env with auth = \"oauth2\""):
        load(write(tmp_path, toml))
