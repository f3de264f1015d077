"""Attachments as resources: safe names, content hashes, storage under a generated name, policy."""

from __future__ import annotations

import hashlib
import mimetypes
import os
import re
import unicodedata

from mailflow.characters import replace_unsafe
from mailflow.mail_in.replies.charsets import decode_header_value
from mailflow.mail_in.replies.reply import Attachment
from mailflow.schedule.config import AttachmentPolicy

_BIDI_AND_INVISIBLE = re.compile("[\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]")
_SAFE_EXT = re.compile(r"\.[A-Za-z0-9]{1,8}")
_MAX_NAME = 200


def sanitise_filename(raw: str | None, content_type: str = "application/octet-stream") -> str:
    """A display name safe to show and to store: no path, no control or bidi characters, NFC."""
    name = _without_controls(raw or "")
    name = _without_controls(decode_header_value(name))
    name = re.split(r"[\\/]", name)[-1]
    name = _BIDI_AND_INVISIBLE.sub("", name)
    name = unicodedata.normalize("NFC", name).strip().lstrip(".").strip()
    name = name.rstrip(". ")
    if len(name) > _MAX_NAME:
        stem, ext = os.path.splitext(name)
        name = stem[: _MAX_NAME - len(ext[:16])] + ext[:16]
    if not name:
        name = "attachment" + (mimetypes.guess_extension(content_type) or ".bin")
    return name


def _without_controls(text: str) -> str:
    return replace_unsafe(text, ("Cc", "Cs"), "")


def make_attachment(raw_name: str | None, content_type: str, data: bytes, inline: bool) -> Attachment:
    """An Attachment value from a decoded part."""
    return Attachment(
        filename=sanitise_filename(raw_name, content_type),
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        data=data,
        inline=inline,
    )


def safe_extension(attachment: Attachment) -> str:
    """The extension a shared file is kept under: the name's own if plain, else one for its type.

    Never ``.json`` (the state folder's own documents), never anything but letters and digits.
    """
    for ext in (os.path.splitext(attachment.filename)[1], mimetypes.guess_extension(attachment.content_type)):
        if ext and _SAFE_EXT.fullmatch(ext) and ext.lower() != ".json":
            return ext.lower()
    return ".bin"


def effective_type(attachment: Attachment) -> str:
    """The declared type, or the one the name implies when the client sent a generic type."""
    declared = attachment.content_type.lower()
    if declared in ("application/octet-stream", "application/x-download", "binary/octet-stream", ""):
        guessed, _ = mimetypes.guess_type(attachment.filename, strict=False)
        return guessed or declared
    return declared


def vet_attachment(attachment: Attachment, policy: AttachmentPolicy) -> str | None:
    """Why the attachment is refused under ``policy``, or None when it is accepted."""
    if attachment.size > policy.max_bytes:
        return (f"{attachment.filename} is {attachment.size} bytes; the limit is "
                f"{policy.max_bytes} bytes")
    kind = effective_type(attachment)
    if kind not in policy.allowed_types:
        return f"{attachment.filename} is of type {kind}, which is not accepted"
    implied, _ = mimetypes.guess_type(attachment.filename, strict=False)
    if implied and implied not in policy.allowed_types:
        return f"{attachment.filename} has a name of type {implied}, which is not accepted"
    return None
