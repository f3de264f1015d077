"""`mailflow run` refuses at start what it could not run safely: a corrupt state file, an HTML template without escaping.

Catalogue items F6 and B22 (its third case) of RELIABILITY.md on real processes, the way
tests/test_startup_refusals.py checks the others: exit 2, one clear line naming the file, no
traceback, and neither Dovecot nor aiosmtpd contacted.
"""

from __future__ import annotations

import pytest
from test_startup_refusals import refused, staged  # noqa: F401  (fixture)

from mailflow.schedule import load


@pytest.mark.parametrize("damage", ["empty", "truncated", "not-json"])
def test_a_corrupt_state_file_refuses_the_start_naming_it_and_is_left_as_it_was(staged, damage):  # noqa: F811
    """An empty, truncated or garbled meeting file: `mailflow run` exits 2 naming it and what to do; the file is untouched."""
    community, stage = staged
    state = load(community.toml).state_dir
    (state / "meetings").mkdir(parents=True, mode=0o700)
    broken = state / "meetings" / "2027-01-12.json"
    content = {"empty": b"", "truncated": b'{"state": {"1": {"key": "2027-01-12", "steps": [',
               "not-json": b"\x00\x17garbage from a bad disk\xff"}[damage]
    broken.write_bytes(content)
    done = refused(community, stage)
    assert str(broken) in done.stderr and "restore it from a backup" in done.stderr
    assert broken.read_bytes() == content                       # never repaired, never overwritten


@pytest.mark.parametrize("how", ["{{ recipient.name|safe }}", "{% autoescape false %}{{ recipient.name }}{% endautoescape %}",
                                 "{% filter safe %}{{ recipient.name }}{% endfilter %}"])
def test_a_staff_html_template_that_turns_escaping_off_is_refused_at_start(staged, tmp_path, how):  # noqa: F811
    """A staff HTML template with |safe or an autoescape-false block: exit 2 at start, the file and line named."""
    community, stage = staged
    folder = tmp_path / "my-templates"
    folder.mkdir()
    bad = folder / "reminder.html.j2"
    bad.write_text('{% extends "_layout.html.j2" %}\n{% block body %}\n<p>Dear ' + how + ",</p>\n{% endblock %}\n")
    community.toml.write_text(community.toml.read_text() + f'\n[templates]\ndir = "{folder}"\n')
    done = refused(community, stage)
    assert f"{bad}, line 3" in done.stderr and "escaping off" in done.stderr, done.stderr
