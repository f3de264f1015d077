"""`mailflow run` and the folders it keeps its state in: missing, read-only, a symlink out, another filesystem.

Catalogue item B23 of RELIABILITY.md on real processes: a refusal is exit 2 with the folder named on
stderr, before the daemon talks to Dovecot or aiosmtpd; a folder that can be used (created on first
use, or a mount of its own) works, mail and files included. The read-only and other-filesystem
cases mount small tmpfs (CI runs as root; elsewhere they skip and say why).
"""

from __future__ import annotations

import stat
import subprocess
from pathlib import Path

import pytest
from catalogue_kit import live_community, mime_reply
from test_daemon import wait_for
from test_disk_faults import mount_tmpfs
from test_startup_refusals import refused, staged  # noqa: F401  (fixture)

from mailflow.schedule import load

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n" + b"%" * 2000


@pytest.fixture
def mounts():
    """Mount points to undo after the test, whatever happens."""
    made: list[Path] = []
    yield made
    for where in reversed(made):
        subprocess.run(["umount", "-l", str(where)], capture_output=True)


def test_a_missing_state_folder_and_its_subfolders_are_made_private_on_first_use(dovecot, tmp_path):
    """No state folder yet (nor its parent): `mailflow run` makes it 0700, runs, and keeps a shared file under a new attachments/ 0700."""
    state = tmp_path / "not" / "there" / "state"
    live = live_community(tmp_path, dovecot, toml_edit=lambda text: text.replace(
        f'dir = "{tmp_path / "state"}"', f'dir = "{state}"'))
    assert live.config.state_dir == state and not state.parent.exists()
    member = live.config.roster.active()[0].email
    live.start()
    try:
        live.ready()
        assert wait_for(lambda: live.sent("call-for-updates", to=member), 40), live.log_text()[-3000:]
        live.deliver(mime_reply(member, live.got(member, "call-for-updates"), "Our map is attached.",
                                [("map.pdf", "application/pdf", PDF)]))
        assert wait_for(lambda: live.sent("notice-recorded", to=member), 30), live.log_text()[-3000:]
        live.stop()
    finally:
        live.kill()
        live.stage.close()
    for folder in (state, state / "attachments", state / "raw"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
    kept = [p for p in (state / "attachments").rglob("*.pdf")]
    assert [p.read_bytes() for p in kept] == [PDF]


@pytest.mark.parametrize("which", ["state", "attachments"])
def test_a_read_only_folder_is_refused_before_any_mail(staged, tmp_path, mounts, which):  # noqa: F811
    """The state folder, or its attachments folder, on a read-only filesystem: exit 2 naming it, no server contacted."""
    community, stage = staged
    state = load(community.toml).state_dir
    if which == "attachments":
        state.mkdir(mode=0o700)
    target = state if which == "state" else state / "attachments"
    mount_tmpfs(target, "1m")
    mounts.append(target)
    done = subprocess.run(["mount", "-o", "remount,ro", str(target)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    shown = refused(community, stage)
    assert str(target) in shown.stderr and "read-only" in shown.stderr.lower(), shown.stderr


@pytest.mark.parametrize("link", ["raw", "outbox.json"])
def test_a_symlink_out_of_the_state_folder_is_refused_before_any_mail(staged, tmp_path, link):  # noqa: F811
    """A folder or file at the top of the state folder that is a symlink leading out of it: exit 2 naming it."""
    community, stage = staged
    state = load(community.toml).state_dir
    state.mkdir(mode=0o700)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    target = outside if link == "raw" else outside / "outbox.json"
    if link != "raw":
        target.write_text("{}")
    (state / link).symlink_to(target)
    shown = refused(community, stage)
    assert str(state / link) in shown.stderr and "outside the state folder" in shown.stderr


def test_folders_on_other_filesystems_than_the_state_folder_work(dovecot, tmp_path, mounts):
    """attachments/ and raw/ each a filesystem of their own (temp files are written beside their targets): mail and files are kept."""
    state = tmp_path / "state"
    state.mkdir(mode=0o700)
    for name in ("attachments", "raw"):
        mount_tmpfs(state / name, "8m")
        mounts.append(state / name)
    live = live_community(tmp_path, dovecot)
    member = live.config.roster.active()[0].email
    live.start()
    try:
        live.ready()
        assert wait_for(lambda: live.sent("call-for-updates", to=member), 40), live.log_text()[-3000:]
        raw = mime_reply(member, live.got(member, "call-for-updates"), "Our map is attached.",
                         [("map.pdf", "application/pdf", PDF)])
        live.deliver(raw)
        assert wait_for(lambda: live.sent("notice-recorded", to=member), 30), live.log_text()[-3000:]
        live.stop()
    finally:
        live.kill()
        live.stage.close()
    assert "EXDEV" not in live.log_text() and "Cross-device" not in live.log_text()
    assert [p.read_bytes() for p in (state / "attachments").rglob("*.pdf")] == [PDF]
    assert any(p.read_bytes().endswith(raw) for p in (state / "raw").rglob("*") if p.is_file())
    assert not [p for p in state.rglob(".*") if p.is_file()]        # no temp file left behind anywhere
