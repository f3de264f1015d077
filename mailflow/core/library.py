"""The community's resource library: files members shared, found by name, sent on request or linked."""

from __future__ import annotations

from urllib.parse import quote

from mailflow.core.agenda import split_resources
from mailflow.core.decision import Recipient, Send, Situation
from mailflow.core.kinds import MessageKind
from mailflow.core.resources import Resource
from mailflow.core.state import MeetingState


def find_resource(resources: tuple[Resource, ...], asked: str) -> Resource | None:
    """The file ``asked`` names: its exact name (any case), else the one name that contains it."""
    wanted = asked.strip().strip("\"'").casefold().removeprefix("the ").strip()
    exact = [r for r in resources if r.filename.casefold() == wanted]
    if exact:
        return exact[0]
    close = [r for r in resources if wanted and (wanted in r.filename.casefold() or r.filename.casefold() in wanted)]
    return close[0] if len(close) == 1 else None


def library_link(base_url: str | None, meeting_key: str, resource: Resource, names: dict[str, str]) -> str:
    """Where ``mailflow export`` put this file under ``base_url`` ("" without one); ``names`` from export_names."""
    if not base_url:
        return ""
    return f"{base_url}/{meeting_key}/resources/{quote(names[resource.sha256])}"


def export_names(resources: tuple[Resource, ...]) -> dict[str, str]:
    """Each resource's file name in an export: its own name made safe, numbered when two are alike."""
    taken: set[str] = set()
    names: dict[str, str] = {}
    for r in resources:
        base = _safe(r.filename)
        stem, dot, ext = base.rpartition(".")
        stem, ext = (stem, "." + ext) if dot and stem else (base, "")
        name, n = base, 1
        while name.casefold() in taken:
            n += 1
            name = f"{stem} ({n}){ext}"
        taken.add(name.casefold())
        names[r.sha256] = name
    return names


def _safe(filename: str) -> str:
    """No folders, controls or characters Windows refuses; never empty, never hidden."""
    cleaned = "".join(" " if ord(ch) < 32 or ch == "\x7f" else "_" if ch in '\\/:*?"<>|' else ch for ch in filename)
    cleaned = " ".join(cleaned.split()).strip(" .")
    return cleaned[:120] or "file"


def file_request(s: Situation, state: MeetingState, to: Recipient, asked: str, revision: int) -> Send:
    """The answer to "send FILENAME": the file attached when one message can carry it, else where it is."""
    resource = find_resource(state.resources, asked)
    limit = s.config.attachments.packet_total_bytes
    fits = resource is not None and resource.size <= limit
    link = ""
    if resource is not None:
        link = library_link(s.config.resources.base_url, s.meeting.key, resource, export_names(state.resources))
    context = {"filename": asked, "resource": resource, "available": [r.filename for r in state.resources],
               "fits": fits, "link": link, "limit": limit}
    return Send(MessageKind.NOTICE_RESOURCE, to, s.meeting.key, revision, context,
                attachments=(resource,) if fits and resource is not None else ())


def shared_files(s: Situation, state: MeetingState,
                 resources: tuple[Resource, ...]) -> tuple[tuple[Resource, ...], tuple[Resource, ...], dict[str, str]]:
    """What a message carries of ``resources``: attached while the total stays under the packet's limit,
    the rest listed, each with its link in the exported library ("" without one)."""
    attached, listed = split_resources(resources, s.config.attachments.packet_total_bytes)
    names = export_names(state.resources)
    links = {r.sha256: library_link(s.config.resources.base_url, s.meeting.key, r, names) if r.sha256 in names else ""
             for r in listed}
    return attached, listed, links
