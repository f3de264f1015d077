"""`mailflow run` and `status` refuse what they cannot use safely, before any mail I/O, naming what is wrong.

Real processes against a real Dovecot and aiosmtpd: each refusal is exit code 2 with one clear line
on stderr (no traceback, no secret), and neither server sees a connection from the refused daemon.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from cyclestage import SECRET, DovecotStage, write_community

from mailflow.schedule import load


@pytest.fixture
def staged(dovecot, tmp_path):
    community = write_community(tmp_path, dovecot)
    stage = DovecotStage(dovecot, community.service)
    community.toml.write_text(community.toml.read_text().replace("port = 2525", f"port = {stage.smtp.port}"))
    yield community, stage
    stage.close()


def mailflow(*args: str, env: dict[str, str] | None = None, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mailflow", *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=timeout)


def refused(community, stage, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`mailflow run` that must stop by itself, with exit 2, before talking to any server."""
    logins_before = stage.dovecot.log_size()
    done = mailflow("run", "--config", str(community.toml), env={**stage.environ, **(env or {})})
    assert done.returncode == 2, (done.returncode, done.stderr[-2000:])
    assert "Traceback" not in done.stderr
    assert stage.server.handler.connections == 0                       # no SMTP
    assert "imap-login" not in stage.dovecot.log_since(logins_before)  # no IMAP
    return done


def test_a_credentials_file_others_can_read_is_refused(staged, tmp_path):
    """A 0644 credentials file: exit 2, the file and `chmod 600` named, the secret never shown."""
    community, stage = staged
    secrets = tmp_path / "credentials"
    secrets.write_text(f"MAILFLOW_SECRET={SECRET}\nTEST_IMAP_PASSWORD={stage.environ['TEST_IMAP_PASSWORD']}\n"
                       f"TEST_SMTP_PASSWORD={stage.environ['TEST_SMTP_PASSWORD']}\n")
    secrets.chmod(0o644)
    community.toml.write_text(f'credentials_file = "{secrets}"\n' + community.toml.read_text())
    done = refused(community, stage)
    assert str(secrets) in done.stderr and "chmod 600" in done.stderr
    assert SECRET not in done.stderr + done.stdout
    secrets.chmod(0o600)                                       # fixed: it starts (and is stopped at once)
    proc = subprocess.Popen([sys.executable, "-m", "mailflow", "run", "--config", str(community.toml)],
                            env={**os.environ, **stage.environ}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert proc.wait(3) is None
    except subprocess.TimeoutExpired:
        pass
    finally:
        proc.terminate()
        proc.wait(20)


def test_status_on_a_corrupt_state_file_is_one_line_not_a_traceback(staged):
    """`mailflow status` on a truncated state file: exit 2, the file named, what to do, no traceback."""
    community, _ = staged
    state = load(community.toml).state_dir
    (state / "meetings").mkdir(parents=True)
    broken = state / "meetings" / "2027-01-12.json"
    broken.write_text('{"state": {"1": {"key": "2027-01-12", "steps": [')
    done = mailflow("status", "--config", str(community.toml))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert str(broken) in done.stderr and "restore it from a backup" in done.stderr


@pytest.mark.parametrize("mistake", ["syntax", "undefined"])
def test_a_broken_template_is_refused_at_start_naming_its_file(staged, tmp_path, mistake):
    """A staff template with a syntax error or an unknown variable: exit 2 at start, the file named."""
    community, stage = staged
    folder = tmp_path / "my-templates"
    folder.mkdir()
    bad = folder / "reminder.txt.j2"
    body = "{% if reply_by %}Reply by {{ reply_by|date }}" if mistake == "syntax" else "Hello {{ recipent.name }}"
    bad.write_text('{% extends "_layout.txt.j2" %}\n{% block subject %}Reminder{% endblock %}\n'
                   "{% block body %}" + body + "{% endblock %}\n")
    community.toml.write_text(community.toml.read_text() + f'\n[templates]\ndir = "{folder}"\n')
    done = refused(community, stage)
    assert "reminder.txt.j2" in done.stderr
    assert ("recipent" in done.stderr) if mistake == "undefined" else ("line" in done.stderr)


def test_state_folders_that_cannot_be_used_are_refused_before_any_mail(staged, tmp_path):
    """An unwritable state folder, or one of its folders a symlink leading out of it: exit 2, named."""
    community, stage = staged
    state = load(community.toml).state_dir
    state.mkdir(mode=0o700)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (state / "attachments").symlink_to(outside)
    done = refused(community, stage)
    assert str(state / "attachments") in done.stderr and "outside" in done.stderr
    (state / "attachments").unlink()
    if os.geteuid() == 0:       # root writes anywhere: make the folder's filesystem read-only instead
        pytest.skip("root ignores folder permissions; the read-only filesystem case is in test_disk_faults")
    state.chmod(0o500)
    try:
        done = refused(community, stage)
        assert str(state) in done.stderr and "cannot write" in done.stderr
    finally:
        state.chmod(0o700)
