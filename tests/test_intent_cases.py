"""What replies mean in the context of the request they answer: the corpus in intent_cases.txt, through
`mailflow parse --request` and through the pure function."""

from __future__ import annotations

import json

import pytest
from intentkit import Case, load, message, mismatch

from mailflow.cli import main
from mailflow.core.kinds import MessageKind
from mailflow.mail_in.replies import read_intent, understand_body

CORPUS = load()


def cases(selected: list[Case], path: str) -> list[object]:
    """The cases as parameters; one with a known fault elsewhere on this path is a strict xfail (it must
    start failing the day the fault is fixed, so the mark is removed)."""
    return [pytest.param(c, id=c.name, marks=pytest.mark.xfail(strict=True, reason=c.known))
            if c.known and path in c.known_in else pytest.param(c, id=c.name) for c in selected]


def test_the_corpus_covers_every_request_and_every_intent_kind():
    """The corpus is not empty and exercises each request kind the CLI documents and each intent kind."""
    requests = {case.request for case in CORPUS}
    assert {"invitation", "call-for-updates", "reminder", "agenda-draft", "day-of-reminder", "minutes-request",
            "minutes-digest"} <= requests
    kinds = {spec.split("=")[0].split("~")[0] for case in CORPUS for spec in case.expect}
    assert kinds == {"rsvp", "update", "skip", "away", "unsubscribe", "approve", "focus", "presenter", "add",
                     "remove", "note", "suggest", "minutes", "recording", "action", "done", "undo", "unclear"}
    assert len(CORPUS) >= 150


@pytest.mark.parametrize("case", cases(CORPUS, "cli"))
def test_case_through_parse_request(case: Case, tmp_path, capsys):
    """`mailflow parse --request KIND --json` lists the intents the case expects, and nothing else."""
    path = tmp_path / f"{case.name}.eml"
    path.write_bytes(message(case))
    assert main(["parse", "--request", case.request, "--json", str(path)]) == 0
    line = json.loads(capsys.readouterr().out)
    assert line["file"] == str(path)
    problem = mismatch(line["intent"], case.expect)
    assert problem is None, f"intent_cases.txt:{case.line}: {problem}\n{case.text}\n--- read as: {line['text']!r}"


@pytest.mark.parametrize("case", cases([c for c in CORPUS if not c.attach], "text"))
def test_case_through_the_pure_function(case: Case):
    """read_intent() on the typed text alone gives the same intents as the whole message."""
    reply = understand_body(case.text)
    intents = read_intent(reply, MessageKind.parse(case.request).request)
    got = [{"kind": i.kind.value, "value": i.value} for i in intents]
    problem = mismatch(got, case.expect)
    assert problem is None, f"intent_cases.txt:{case.line}: {problem}\n{case.text}"
