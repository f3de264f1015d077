"""Resources members share: attachments kept once each by content, with who shared them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Resource:
    filename: str          # sanitised display name
    content_type: str
    size: int
    sha256: str
    shared_by: str         # display name
    shared_by_email: str
    shared_at: datetime    # aware
    path: str = ""         # relative path in the state directory ("" in previews)
