"""`mailflow auth microsoft|google` and `mailflow check --connect`: signing in to the mail servers."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, TextIO

from mailflow.cli import base
from mailflow.cli.base import EXIT_CONFIG, EXIT_FAILED, EXIT_OK

if TYPE_CHECKING:
    from mailflow.schedule.config import Config

AUTH_FLOWS = {"microsoft": ("microsoft", "device_code"), "google": ("google", "installed_app")}
DESCRIPTIONS = {
    "auth": "Sign in once as a person, for delegated OAuth2: 'microsoft' prints Microsoft's URL and code (device "
            "code flow), 'google' the consent address; the refresh token is kept in the state folder (mode 0600) "
            "and the daemon renews its tokens from it. Needs [oauth2] flow = 'device_code' or 'installed_app'.",
}


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    auth_command = commands.add_parser("auth", parents=[common], help="sign in once to Microsoft 365 or Google "
                                       "(delegated OAuth2); the refresh token is kept in the state folder",
                                       description=DESCRIPTIONS["auth"])
    auth_command.add_argument("provider", choices=tuple(AUTH_FLOWS), help="microsoft (device code) or google")
    auth_command.set_defaults(handler=run_auth)


def run_auth(args: argparse.Namespace) -> int:
    return auth(base.load_config(args), args.provider)


def check_connect(config: Config, out: TextIO | None = None) -> int:
    """Log in to IMAP and SMTP (sends nothing); 0 when both work, 1 with the reasons otherwise."""
    from mailflow.adapters.connect_check import check_connect as run

    out = out or sys.stdout
    findings = run(config)
    for finding in findings:
        for line in finding.lines:
            print(line, file=out)
    return EXIT_OK if all(f.ok for f in findings) else EXIT_FAILED


def auth(config: Config, provider: str, out: TextIO | None = None, err: TextIO | None = None,
         pasted: TextIO | None = None) -> int:
    """Sign in once as a person and keep the refresh token in the state folder's token cache."""
    from mailflow.adapters.credentials import CredentialsError
    from mailflow.adapters.oauth import TokenUnavailable
    from mailflow.adapters.oauth_consent import google_sign_in, microsoft_sign_in

    out, err = out or sys.stdout, err or sys.stderr
    wanted_provider, wanted_flow = AUTH_FLOWS[provider]
    settings = config.oauth2
    if settings is None or (settings.provider.value, settings.flow.value) != (wanted_provider, wanted_flow):
        have = f"provider = {settings.provider.value!r}, flow = {settings.flow.value!r}" if settings else "no [oauth2]"
        print(f"mailflow auth {provider}: {config.path} has {have}; this sign-in is for [oauth2] provider = "
              f"{wanted_provider!r}, flow = {wanted_flow!r}", file=err)
        return EXIT_CONFIG
    try:
        if provider == "microsoft":
            account = microsoft_sign_in(config, out)
            mailbox = config.imap.user
            if account and mailbox and account.casefold() != mailbox.casefold():
                print(f"mailflow auth microsoft: note: signed in as {account}, but [imap] user is {mailbox}: "
                      "the token only opens that mailbox if this account may (delegated access)", file=err)
        else:
            google_sign_in(config, out, pasted if pasted is not None else sys.stdin)
    except CredentialsError as exc:
        print(f"mailflow auth {provider}: {exc}", file=err)
        return EXIT_CONFIG
    except TokenUnavailable as exc:
        print(f"mailflow auth {provider}: {exc}", file=err)
        return EXIT_FAILED
    print(f"signed in; the refresh token is kept in {config.state_dir} (mode 0600). "
          "Reload or restart mailflow if it is running.", file=out)
    return EXIT_OK
