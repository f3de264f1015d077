"""What a provider's sign-in error means for the people running mailflow, and what to do about it.

Microsoft asks apps not to branch on AADSTS numbers (they change); mailflow only uses them to add
advice to the provider's own words, which are always kept, and never to decide what to do.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

RELOAD = "then restart mailflow (or reload it, when it reads that secret from a credentials file itself)"

# AADSTS code -> what to do (https://learn.microsoft.com/entra/identity-platform/reference-error-codes)
_MICROSOFT: dict[int, str] = {
    7000215: "the client secret is wrong: in Entra ID > App registrations > the app > Certificates & secrets, "
             "copy the secret's Value (not its Secret ID) into the variable named by [oauth2] secret_env, " + RELOAD,
    7000222: "the client secret has expired: create a new one in Entra ID > App registrations > the app > "
             "Certificates & secrets, put its Value in the variable named by [oauth2] secret_env, " + RELOAD,
    700016: "no app with this client_id in this tenant: check [oauth2] client_id (Application (client) ID) "
            "and tenant (Directory (tenant) ID) on the app's Overview page in Entra ID",
    700027: "the certificate does not match: upload the certificate of [oauth2] key_file in Entra ID > "
            "App registrations > the app > Certificates & secrets > Certificates",
    7000112: "the app is disabled: enable it in Entra ID > Enterprise applications > the app > Properties",
    65001: "nobody has consented to the app's permissions: in Entra ID > App registrations > the app > "
           "API permissions, click 'Grant admin consent' (app-only), or run `mailflow auth microsoft` again (delegated)",
    90002: "the tenant was not found: check [oauth2] tenant (the Directory (tenant) ID, or a verified domain)",
    500011: "the Office 365 Exchange Online API is not available to the app in this tenant: add its permission "
            "(IMAP.AccessAsApp / SMTP.SendAsApp) and grant admin consent",
    70011: "a scope is not valid: app-only sign-in needs https://outlook.office365.com/.default (the default)",
    70008: "the refresh token has expired: run `mailflow auth microsoft` again, " + RELOAD,
    700082: "the refresh token expired after a long time unused: run `mailflow auth microsoft` again, " + RELOAD,
    50173: "the sign-in was revoked (password change or an admin revoked sessions): run `mailflow auth microsoft` "
           "again, " + RELOAD,
    50076: "multi-factor authentication is required: run `mailflow auth microsoft` again and complete it",
    50079: "the account must register multi-factor authentication: do it, then run `mailflow auth microsoft` again",
    53003: "a Conditional Access policy blocked the sign-in: ask the Entra ID administrator to allow this app",
    530035: "security defaults block this sign-in: ask the Entra ID administrator",
    7000218: "no client secret was sent: put the app's client secret in the variable named by [oauth2] secret_env",
    700025: "the app is a public client: for the device code flow leave the client secret out",
}

_GOOGLE: dict[str, str] = {
    "unauthorized_client": "domain-wide delegation is missing for this service account or scope: in the Google Admin "
                           "console > Security > Access and data control > API controls > Manage Domain Wide "
                           "Delegation, add the service account's client ID with the scope https://mail.google.com/",
    "invalid_grant": "the key or refresh token is no longer valid (deleted key, revoked or expired consent, or a "
                     "clock more than a few minutes off): make a new service-account key, or run "
                     "`mailflow auth google` again, " + RELOAD,
    "invalid_client": "the client id or secret is wrong, or the key was deleted: check [oauth2] client_id and the "
                      "variable named by secret_env (or the service account's JSON key), " + RELOAD,
    "access_denied": "the consent was refused: run `mailflow auth google` again and allow access to Gmail",
    "admin_policy_enforced": "the Workspace administrator blocks this app: trust it in the Admin console > Security > "
                             "Access and data control > API controls",
}

_GENERIC: dict[str, str] = {
    "invalid_client": "the provider refused the client id or secret: check [oauth2] client_id and the variable "
                      "named by secret_env, " + RELOAD,
    "invalid_grant": "the refresh token is no longer valid: put a new one in the variable named by "
                     "[oauth2] refresh_token_env, " + RELOAD,
    "unauthorized_client": "this client may not use this grant: check the client's settings at the provider",
    "invalid_scope": "a scope was refused: check [oauth2] scopes",
}

_TEMPORARY_ERRORS = frozenset({"temporarily_unavailable", "server_error", "slow_down"})
_AADSTS = re.compile(r"AADSTS(\d+)")


def is_temporary(error: str) -> bool:
    """RFC 6749 / Entra error values that mean 'try again later', not 'fix something'."""
    return error in _TEMPORARY_ERRORS


def microsoft_error(result: Mapping[str, object]) -> tuple[str, str]:
    """(the provider's error in one line, advice) from an MSAL result dict."""
    description = str(result.get("error_description") or "")
    first_line = description.splitlines()[0].strip() if description else ""
    error = str(result.get("error") or "error")
    text = f"{error}: {first_line}" if first_line else error
    codes = [int(c) for c in result.get("error_codes") or [] if isinstance(c, int)]   # type: ignore[attr-defined]
    found = _AADSTS.search(description)
    if found:
        codes.append(int(found[1]))
    for code in codes:
        if code in _MICROSOFT:
            return text, _MICROSOFT[code]
    if codes:
        return text, f"see https://login.microsoftonline.com/error?code={codes[0]}"
    return text, _GENERIC.get(error, "")


def google_error(data: object, message: str) -> tuple[str, str]:
    """(the provider's error in one line, advice) from google-auth's RefreshError."""
    error = str(data.get("error", "")) if isinstance(data, Mapping) else ""
    text = " ".join(message.split())[:300]
    return text, _GOOGLE.get(error, "")


def generic_error(data: Mapping[str, object], status: int) -> tuple[str, str]:
    """(the provider's error in one line, advice) from an RFC 6749 error response."""
    error = str(data.get("error") or f"HTTP {status}")
    description = " ".join(str(data.get("error_description") or "").split())[:300]
    return (f"{error}: {description}" if description else error), _GENERIC.get(error, "")


def login_refused_advice(server: str, text: str, oauth: bool) -> str:
    """What to do when an IMAP or SMTP server refused a login (``server``: 'imap' or 'smtp')."""
    upper = text.upper()
    if "5.7.139" in text and "DISABLED" in upper:
        return ("SMTP AUTH is turned off for this mailbox or tenant: in Exchange Online PowerShell run "
                "Set-CASMailbox -Identity <mailbox> -SmtpClientAuthenticationDisabled $false")
    if "5.7.139" in text:
        return ("Exchange refused the sign-in: check that SMTP AUTH is on for the mailbox (Set-CASMailbox "
                "-SmtpClientAuthenticationDisabled $false) and that no policy (security defaults) blocks it")
    if "5.7.60" in text or "SEND AS" in upper:
        return ("the app may not send as this mailbox: Add-RecipientPermission -Identity <mailbox> -Trustee "
                "<service principal id> -AccessRights SendAs")
    if not oauth:
        return f"check the {server} user and password (secret_env, or the credentials file)"
    if server == "imap":
        return ("the provider issued a token but the mailbox refused it: for Microsoft 365 app-only, register the "
                "service principal (New-ServicePrincipal) and give it the mailbox (Add-MailboxPermission ... "
                "-AccessRights FullAccess); for Google, turn IMAP on for the user and check the delegation scope "
                "https://mail.google.com/; check that [imap] user is the mailbox the token is for")
    return ("the provider issued a token but the SMTP server refused it: for Microsoft 365 check SMTP AUTH for the "
            "mailbox (Set-CASMailbox -SmtpClientAuthenticationDisabled $false) and the SMTP.SendAsApp permission; "
            "check that [smtp] user is the mailbox the token is for")
