"""The probe (tests/probe_cases): replies written as a held-out set, scored for new text and intent.

Its dev split was studied while fixing; the held split was scored before and after the first fixes and
only then studied; the fresh split was written after the first fixes and scored before and after the
second round, then studied; the round6 split was written in the sixth round by eight writers who saw no parser
code, scored as each set arrived (new text 128 of 173, intent 150 of 206), then studied; round7 (134 replies by
five writers) and round8 (102 by four) the same way in the seventh round (new text 127 of 134 and 95 of 98, intent
97 of 134 and 76 of 102 as they arrived); round9 (82 replies by three writers, written after those fixes) scored
new text 73 of 79 and intent 70 of 82 as it arrived; round10 (80 replies by three writers, written after round9's
fixes) new text 75 of 79 and intent 71 of 80; round11 (80 by three writers, after round10's) new text 78 of 79 and
intent 66 of 80; round12 (80 by three writers, scored on the code that then went out) new text 75 of 78 and intent
63 of 80; round13 (78 by three writers, after round12's) new text 71 of 75 and intent 59 of 78; round14 (78 by three
writers, after round13's) new text 62 of 66 and intent 52 of 78; round15 (78 by three writers, after round14's) new
text 75 of 76 and intent 54 of 78; round16 (78 by three writers, after round15's, none of whom ran the parser) new text
68 of 70 and intent 59 of 78; round17 (78 by three writers, after round16's) new text 69 of 72 and intent 69 of 78 (see
tests/probekit.py); round18 (78 by three writers, after round17's) new text 70 of 74 and intent 72 of 78; round19 (78 by three
writers, after round18's) new text 66 of 76 and intent 64 of 78; round20 (60 by three writers, after round19's) new text
51 of 51 and intent 45 of 60; round21 (75 by three writers, after round20's) new text 56 of 58 and intent 54 of 75;
round22 (75 by three writers, after round21's) new text 72 of 75 and intent 56 of 75; round23 (75 by three writers, after
round22's) new text 71 of 74 and intent 56 of 75; round24 (75 by three writers, after round23's) new text 49 of 52 and
intent 52 of 75; round25 (75 by three writers, after round24's) new text 65 of 71 and intent 50 of 75; round26 (75 by
three writers, after round25's) new text 64 of 74 and intent 60 of 75; round27 (75 by three writers, after round26's) new
text 73 of 74 and intent 57 of 75; round28 (75 by three writers, after round27's) new text 72 of 74 and intent 63 of 75; round29 (60 by three
writers, after round28's) new text 54 of 60 and intent 53 of 60; round30 (60 by three writers, after round29's) new text
58 of 60 and intent 41 of 60; round31 (60 by three writers, after round30's) new text 56 of 60 and intent 47 of 60;
round32 (60 by three writers, after round31's) new text 48 of 52 and intent 47 of 60;
round33 (60 by three writers, after round32's) new text 56 of 58 and intent 37 of 60;
round34 (60 by three writers, after round33's) new text 55 of 57 and intent 43 of 60;
round35 (60 by three writers, after round34's) new text 56 of 57 and intent 42 of 60;
round36 (60 by three writers, after round35's) new text 59 of 60 and intent 40 of 60;
round37 (60 by three writers, after round36's) new text 60 of 60 and intent 47 of 60;
round38 (60 by three writers, after round37's) new text 57 of 58 and intent 42 of 60;
round39 (60 by three writers, after round38's) new text 58 of 60 and intent 44 of 60;
round40 (60 by three writers, after round39's) new text 57 of 60 and intent 44 of 60;
round41 (60 by three writers, after round40's) new text 59 of 60 and intent 48 of 60;
round42 (60 by three writers, after round41's) new text 53 of 60 and intent 39 of 60;
round43 (60 by three writers, after round42's) new text 54 of 60 and intent 38 of 60;
round44 (60 by three writers, after round43's) new text 57 of 60 and intent 42 of 60;
round45 (60 by three writers, after round44's) new text 59 of 60 and intent 49 of 60;
round46 (60 by three writers, after round45's) new text 56 of 60 and intent 45 of 60;
round47 (60 by three writers, after round46's) new text 48 of 59 and intent 47 of 60;
round48 (60 by three writers, after round47's) new text 56 of 59 and intent 49 of 60;
round49 (60 by three writers, after round48's) new text 58 of 60 and intent 44 of 60;
round50 (60 by three writers, after round49's) new text 55 of 57 and intent 39 of 60;
round51 (60 by three writers, after round50's) new text 56 of 60 and intent 53 of 60;
round52 (60 by three writers, after round51's) new text 45 of 46 and intent 40 of 60;
round53 (60 by three writers, after round52's) new text 55 of 60 and intent 44 of 60;
round54 (60 by three writers, after round53's) new text 56 of 59 and intent 49 of 60;
round55 (60 by three writers, after round54's) new text 59 of 59 and intent 53 of 60;
round56 (60 by three writers, after round55's) new text 56 of 58 and intent 42 of 60;
round57 (60 by three writers, after round56's) new text 51 of 59 and intent 49 of 60;
round58 (60 by three writers, after round57's) new text 50 of 54 and intent 44 of 60;
round59 (60 by three writers, after round58's) new text 55 of 57 and intent 48 of 60;
round60 (60 by three writers, after round59's) new text 43 of 43 and intent 48 of 60;
round61 (60 by three writers, after round60's) new text 53 of 53 and intent 46 of 60.
The floors are a little under what was measured, so a retrained zone model may move a case or two, not a class.
"""

from __future__ import annotations

import pytest
from probekit import Score, cases, judge, score

from mailflow.core.kinds import Request

# Measured when the floors were set (zones / intent): dev 72/72, 74/74; held 67/67, 73/73; fresh 35/35, 37/37;
# round6 169/173, 189/206; round7 134/134, 128/134; round8 98/98, 97/102; round9 78/79, 82/82; round10 78/79, 79/80;
# round11 79/79, 78/80; round12 76/78, 79/80; round13 75/75, 78/78; round14 65/66, 73/78; round15 76/76, 78/78; round16
# 69/70, 76/78; round17 72/72, 76/78; round18 71/74, 77/78; round19 74/76, 76/78; round20 51/51, 60/60; round21 58/58,
# 75/75; round22 74/75, 71/75; round23 74/74, 73/75; round24 49/52, 72/75; round25 70/71, 74/75; round26 71/74, 72/75
# round27 74/74, 73/75; round28 74/74, 74/75; round29 57/60, 59/60; round30 60/60, 59/60; round31 60/60, 58/60; round32 49/52, 57/60; round33 57/58, 56/60; round34 57/57, 60/60; round35 57/57, 59/60; round36 59/60, 59/60; round37 60/60, 58/60; round38 58/58, 56/60; round39 59/60, 57/60; round40 57/60, 55/60; round41 59/60, 58/60; round42 57/60, 52/60; round43 58/60, 54/60; round44 57/60, 55/60; round45 59/60, 56/60; round46 58/60, 51/60; round47 54/59, 49/60; round48 57/59, 57/60; round49 60/60, 54/60; round50 56/57, 55/60; round51 57/60, 59/60; round52 45/46, 50/60; round53 57/60, 49/60; round54 56/59, 53/60; round55 59/59, 59/60; round56 56/58, 52/60; round57 51/59, 53/60; round58 50/54, 49/60; round59 56/57, 54/60; round60 43/43, 56/60; round61 53/53, 58/60 (the cases a split misses: tests/probekit.py --failures
# --split round19).
FLOORS = {"dev": (0.95, 0.95), "held": (0.95, 0.95), "fresh": (0.94, 0.94), "round6": (0.93, 0.89),
          "round7": (0.96, 0.91), "round8": (0.97, 0.91), "round9": (0.96, 0.97),
          "round10": (0.96, 0.96), "round11": (0.96, 0.94), "round12": (0.94, 0.94), "round13": (0.96, 0.97),
          "round14": (0.96, 0.90), "round15": (0.97, 0.97), "round16": (0.96, 0.94),
          "round17": (0.97, 0.93), "round18": (0.94, 0.94),
          "round19": (0.95, 0.94), "round20": (0.97, 0.96), "round21": (0.96, 0.96), "round22": (0.96, 0.92),
          "round23": (0.96, 0.94), "round24": (0.92, 0.93), "round25": (0.97, 0.96),
          "round26": (0.94, 0.94), "round27": (0.97, 0.95), "round28": (0.97, 0.96),
          "round29": (0.93, 0.94), "round30": (0.96, 0.95),
          "round31": (0.96, 0.94), "round32": (0.92, 0.91), "round33": (0.96, 0.91),
          "round34": (0.96, 0.95), "round35": (0.96, 0.93), "round36": (0.96, 0.95),
          "round37": (0.96, 0.95), "round38": (0.96, 0.91),
          "round39": (0.95, 0.93), "round40": (0.93, 0.89),
          "round41": (0.96, 0.94), "round42": (0.91, 0.85),
          "round43": (0.94, 0.88), "round44": (0.93, 0.89),
          "round45": (0.96, 0.9), "round46": (0.95, 0.83),
          "round47": (0.89, 0.80), "round48": (0.94, 0.92),
          "round49": (0.96, 0.85), "round50": (0.96, 0.88),
          "round51": (0.93, 0.95), "round52": (0.95, 0.78),
          "round53": (0.93, 0.78), "round54": (0.93, 0.85),
          "round55": (0.96, 0.95), "round56": (0.94, 0.84),
          "round57": (0.84, 0.86), "round58": (0.9, 0.8),
          "round59": (0.96, 0.86), "round60": (0.97, 0.9),
          "round61": (0.97, 0.93)}


@pytest.fixture(scope="module")
def scores() -> dict[str, Score]:
    verdicts = [judge(c) for c in cases()]
    return {split: score([v for v in verdicts if v.case.split == split]) for split in FLOORS}


@pytest.mark.parametrize("split", sorted(FLOORS))
def test_probe_new_text_is_found(scores: dict[str, Score], split: str) -> None:
    """The new text members typed (no quote, signature, disclaimer or footer) is found at the split's floor."""
    right, total = scores[split].zones
    assert right / total >= FLOORS[split][0], f"{split}: {right}/{total}"


@pytest.mark.parametrize("split", sorted(FLOORS))
def test_probe_replies_mean_what_members_meant(scores: dict[str, Score], split: str) -> None:
    """What each reply means, in the context of the request it answers, is read at the split's floor."""
    right, total = scores[split].intent
    assert right / total >= FLOORS[split][1], f"{split}: {right}/{total}"


def test_probe_automatic_mail_is_never_a_reply() -> None:
    """Out-of-office, delay reports and bounces in the probe are all told apart from members' replies."""
    wrong = [v.case.name for v in map(judge, cases()) if v.case.kind != "reply" and not v.kind_ok]
    assert not wrong


def test_probe_covers_every_request_members_answer() -> None:
    """Every request a person may answer has replies in the probe; the members' and chair's in both splits."""
    splits: dict[Request, set[str]] = {}
    for case in cases():
        splits.setdefault(case.answers, set()).add(case.split)
    assert set(splits) == set(Request) - {Request.DESK}       # the desk's answers: tests/test_desk_mail.py
    for request in (Request.INVITATION, Request.UPDATE, Request.AGENDA, Request.FOCUS, Request.PACKET,
                    Request.DAY_OF, Request.MINUTES, Request.DIGEST, Request.WELCOME, Request.NOTICE):
        assert {"dev", "held"} <= splits[request], request
