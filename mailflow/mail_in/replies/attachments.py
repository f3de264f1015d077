"""Attachments as resources: safe names, content hashes, storage under a generated name, policy."""

from __future__ import annotations

import hashlib
import io
import mimetypes
import os
import re
import unicodedata
import zipfile

from mailflow.characters import replace_unsafe
from mailflow.mail_in.replies.charsets import decode_header_value
from mailflow.mail_in.replies.reply import Attachment
from mailflow.schedule.config import AttachmentPolicy

_BIDI_AND_INVISIBLE = re.compile("[\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]")
_SAFE_EXT = re.compile(r"\.[A-Za-z0-9]{1,8}")
_MAX_NAME = 200

# What the first bytes of an accepted type must be: a file whose bytes are of another kind (a program
# named report.pdf) is refused, whatever its name and declared type say. Office Open XML files are zips
# (their directory is read, never unpacked: one holding macros is refused); the older Office formats are
# OLE compound files; text is text (no NUL byte).
_OOXML = (b"PK\x03\x04",)
_OLE = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)
_SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": _OOXML,
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": _OOXML,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": _OOXML,
    "application/msword": _OLE, "application/vnd.ms-excel": _OLE, "application/vnd.ms-powerpoint": _OLE,
}
_PDF_WITHIN = 1024        # readers accept "%PDF-" anywhere in the first kilobyte


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
    return _contents_mismatch(attachment, kind)


def _contents_mismatch(attachment: Attachment, kind: str) -> str | None:
    """Why the bytes are not what a file of ``kind`` holds (or hold macros), or None. Nothing is unpacked."""
    data = attachment.data
    wrong = f"{attachment.filename} does not hold what a {kind} file holds, so it is not accepted"
    if kind == "application/pdf":
        return None if b"%PDF-" in data[:_PDF_WITHIN] else wrong
    if kind.startswith("text/"):
        return wrong if b"\0" in data[:65536] else None
    signatures = _SIGNATURES.get(kind)
    if signatures is None:
        return None
    if not data.startswith(signatures):
        return wrong
    if signatures is _OOXML:
        try:
            names = zipfile.ZipFile(io.BytesIO(data)).namelist()   # the directory only
        except (zipfile.BadZipFile, ValueError, OSError):
            return wrong
        if any(name.lower().endswith("vbaproject.bin") for name in names):
            return f"{attachment.filename} contains macros, so it is not accepted"
    return None
