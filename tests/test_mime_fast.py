"""The fast MIME path gives exactly the stdlib feedparser's tree, or declines and leaves the message to it."""

from __future__ import annotations

import email.parser
import itertools
import random
import re
from email import policy
from email.message import Message
from pathlib import Path

import pytest

from mailflow.mail_in.replies import largebodies, mime
from mailflow.mail_in.replies.largebodies import Part

TESTS = Path(__file__).parent
MAIL_FOLDERS = (TESTS / "messages", TESTS / "replies", TESTS / "probe_cases")


def reference(data: bytes) -> Message:
    """The stdlib's answer: BytesFeedParser with our part class, compat32, the whole message at once."""
    parser = email.parser.BytesFeedParser(Part, policy=policy.compat32)
    parser.feed(data)
    return parser.close()


def tree(message: Message) -> dict[str, object]:
    """Everything the parser leaves on a part (class, headers, payloads, preamble, epilogue, defects...)."""
    state = dict(vars(message))
    state["class"] = type(message)
    state["defects"] = [(type(defect), defect.args) for defect in message.defects]
    payload = state["_payload"]
    if isinstance(payload, list):
        state["_payload"] = [tree(part) for part in payload]
    return state


def agrees(data: bytes) -> bool:
    """True when the fast path took the message (and its tree is the feedparser's); False when it declined."""
    fast = mime.parse(data, Part)
    if fast is None:
        return False
    assert tree(fast) == tree(reference(data)), data[:400]
    return True


def crlf(text: str) -> bytes:
    return text.replace("\n", "\r\n").encode("utf-8")


HEAD = "From: Ana <ana@example.org>\nTo: cop@example.org\nSubject: Re: report\nMIME-Version: 1.0\n"
PLAIN = HEAD + "Content-Type: text/plain; charset=utf-8\n\nYes, I'll be there.\n\n> quoted\n"
ALTERNATIVE = (HEAD + 'Content-Type: multipart/alternative;\n boundary="==alt=="\n\n'
               "--==alt==\nContent-Type: text/plain\n\nYes.\n\n"
               "--==alt==\nContent-Type: text/html\n\n<p>Yes.</p>\n--==alt==--\n")
NESTED = (HEAD + "Content-Type: multipart/mixed; boundary=outer\n\nThis is a multi-part message.\n"
          "--outer\nContent-Type: multipart/alternative; boundary=outer_1\n\n"
          "--outer_1\nContent-Type: text/plain\n\nSee the report.\n"
          "--outer_1\nContent-Type: text/html\n\n<p>See the report.</p>\n\n--outer_1--\n\n"
          "--outer\nContent-Type: application/pdf; name=r.pdf\nContent-Transfer-Encoding: base64\n\n"
          "JVBERi0xLjQK\nJSVFT0YK\n--outer--\nepilogue line\n")
WRITTEN = {
    "plain": PLAIN,
    "alternative": ALTERNATIVE,
    "nested with preamble and epilogue": NESTED,
    "no headers in a part": HEAD + "Content-Type: multipart/mixed; boundary=b\n\n--b\n\nbare part\n--b--\n",
    "empty body": HEAD + "\n",
    "empty part body": HEAD + "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\n--b--",
    "close delimiter at the very end": ALTERNATIVE.rstrip("\n"),
    "folded and odd fields": ("From: a@example.org\nSubject:   leading blanks\n\tand a tab line\n  \n"
                              "X-Empty:\nX-Blank:   \nX-Colon: a: b: c\nX-Trailing: value   \n"
                              "Content-Type: text/plain\n\nbody\n"),
    "envelope line": "From ana@example.org Mon Jan  1 00:00:00 2027\n" + PLAIN,
    "delimiters with blanks": ALTERNATIVE.replace("--==alt==\n", "--==alt== \t\n").replace("--==alt==--", "--==alt==--  "),
    "boundary-like lines inside parts": (HEAD + 'Content-Type: multipart/mixed; boundary="b.c+d"\n\n'
                                         "--b.c+d\n\n--b.c+dx\n--b.c+d--x\n-- b.c+d\ntext --b.c+d\n"
                                         "--bXc+d\n--b.c+d\n\nsecond\n--b.c+d--\n--b.c+d\nafter close\n"),
    "digest of plain parts": (HEAD + "Content-Type: multipart/digest; boundary=d\n\n"
                              "--d\nContent-Type: text/plain\n\none\n--d\nContent-Type: text/plain\n\ntwo\n--d--\n"),
    "multipart with 8bit transfer encoding": NESTED.replace("boundary=outer\n", "boundary=outer\n"
                                                            "Content-Transfer-Encoding: 8bit\n"),
    "empty boundary": HEAD + 'Content-Type: multipart/mixed; boundary=""\n\n--\n\nx\n----\n',
    "headers only": HEAD,
    "the last header line has no line end": HEAD + "X-Folded: a\n b",
    "a status that ends without a line end": "Content-Type: message/delivery-status\n\nAction: failed\n\nStatus: 5.1.1",
    "a part ends inside its headers": (HEAD + "Content-Type: multipart/mixed; boundary=b\n\n"
                                       "--b\nContent-Type: text/plain\n--b--\n"),
    "attached message": (HEAD + "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nSee below.\n"
                         "--b\nContent-Type: message/rfc822\n\nSubject: inner\n\ninner body\n--b--\n"),
    "attached multipart message": (HEAD + "Content-Type: multipart/mixed; boundary=b\n\n--b\n"
                                   "Content-Type: message/rfc822\n\nSubject: inner\n"
                                   "Content-Type: multipart/alternative; boundary=i\n\n--i\n\nplain\n--i--\nend\n\n--b--\n"),
    "a message that is a message": "Content-Type: message/rfc822\n\nSubject: inner\n\ninner body\n",
    "digest of messages": (HEAD + "Content-Type: multipart/digest; boundary=d\n\n--d\n\nSubject: one\n\nfirst\n"
                           "--d\n\nSubject: two\n\nsecond\n\n--d--\n"),
    "delivery status": (HEAD + "Content-Type: multipart/report; report-type=delivery-status; boundary=b\n\n"
                        "--b\nContent-Type: text/plain\n\nYour mail could not be delivered.\n"
                        "--b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.org\n"
                        "Arrival-Date: Mon, 4 Jan 2027\n\nFinal-Recipient: rfc822; x@example.org\nAction: failed\n"
                        "Status: 5.1.1\n\n--b\nContent-Type: message/rfc822\n\nSubject: yours\n\nhello\n--b--\n"),
    "delivery status with empty blocks": (HEAD + "Content-Type: multipart/report; boundary=b\n\n--b\n"
                                          "Content-Type: message/delivery-status\n\n\nReporting-MTA: dns; x\n\n\n"
                                          "Action: failed\n--b\nContent-Type: message/delivery-status\n\n--b--\n"),
    "epilogue of a nested multipart is empty": (HEAD + "Content-Type: multipart/mixed; boundary=o\n\n--o\n"
                                                "Content-Type: multipart/alternative; boundary=i\n\n--i\n\na\n--i--\n--o--\n"),
}


@pytest.mark.parametrize("name", sorted(WRITTEN))
@pytest.mark.parametrize("eol", ["\n", "\r\n"])
def test_written_messages_take_the_fast_path_with_the_same_tree(name: str, eol: str) -> None:
    """Each written message, with LF or CRLF line ends, is parsed by the fast path into the feedparser's tree."""
    assert agrees(WRITTEN[name].replace("\n", eol).encode("utf-8"))


def test_non_ascii_header_bytes_are_kept_as_the_feedparser_keeps_them() -> None:
    """Raw 8-bit and invalid UTF-8 bytes in headers come out as the same surrogate-escaped text."""
    data = crlf(PLAIN).replace(b"Re: report", b"Re: r\xc3\xa9sum\xe9 \xff")
    assert agrees(data)


DECLINED = {
    "bare CR in a header": PLAIN.replace("Subject: Re: report", "Subject: Re:\rX-Evil: report"),
    "bare CR before a delimiter": ALTERNATIVE.replace("Yes.\n\n--==alt==", "Yes.\n\r--==alt=="),
    "bare CR ending a delimiter line": ALTERNATIVE.replace("--==alt==\nContent-Type: text/html",
                                                          "--==alt==\rContent-Type: text/html"),
    "no close delimiter": ALTERNATIVE.replace("--==alt==--\n", ""),
    "no start delimiter": HEAD + "Content-Type: multipart/mixed; boundary=b\n\nno parts\n",
    "close delimiter first": HEAD + "Content-Type: multipart/mixed; boundary=b\n\n--b--\n",
    "two delimiters in a row": ALTERNATIVE.replace("--==alt==\nContent-Type: text/html",
                                                   "--==alt==\n--==alt==\nContent-Type: text/html"),
    "the last header line ends in a bare CR": HEAD + "X-Last: a\r",
    "header line without a colon": PLAIN.replace("MIME-Version: 1.0", "MIME-Version 1.0"),
    "first header line is a continuation": " folded\n" + PLAIN,
    "field without a name": PLAIN.replace("MIME-Version: 1.0", ": 1.0"),
    "envelope line inside the headers": PLAIN.replace("To: cop", "From ana\nTo: cop"),
    "multipart without a boundary": HEAD + "Content-Type: multipart/mixed\n\n--b\n\nx\n--b--\n",
    "multipart in base64": NESTED.replace("boundary=outer\n", "boundary=outer\nContent-Transfer-Encoding: base64\n"),
    "a status block that holds a multipart": (HEAD + "Content-Type: multipart/report; boundary=b\n\n--b\n"
                                              "Content-Type: message/delivery-status\n\nContent-Type: multipart/mixed; "
                                              "boundary=c\n\n--b--\n"),
    "outer delimiter inside an inner multipart": NESTED.replace("<p>See the report.</p>\n",
                                                                "<p>See the report.</p>\n--outer\n"),
}


@pytest.mark.parametrize("name", sorted(DECLINED))
def test_constructs_not_recognised_go_to_the_feedparser(name: str) -> None:
    """A message with a defect, a bare CR or an unfinished part is declined, and parse() gives the feedparser's tree."""
    data = crlf(DECLINED[name])
    assert mime.parse(data, Part) is None
    assert tree(largebodies.parse(data)) == tree(reference(data))


def test_nesting_deeper_than_the_limit_is_declined() -> None:
    """Multiparts nested up to MAX_DEPTH are fast; one level more goes to the feedparser."""
    def nested(depth: int) -> bytes:
        body = "\nhello\n"
        for level in range(depth):
            body = f"Content-Type: multipart/mixed; boundary=b{level}\n\n--b{level}\n{body}\n--b{level}--\n"
        return crlf(HEAD + body)

    assert agrees(nested(mime.MAX_DEPTH))
    assert mime.parse(nested(mime.MAX_DEPTH + 1), Part) is None


def variants(data: bytes, rng: random.Random) -> list[bytes]:
    """Damaged copies: truncations, bytes changed to line ends, dashes and blanks, lines dropped or doubled,
    delimiter lines of the message's boundaries, empty lines and envelope lines put in anywhere."""
    out = [data[:cut] for cut in range(0, len(data), 7)]
    lines = data.splitlines(keepends=True)
    boundaries = re.findall(rb'boundary="?([^";\r\n]*)', data) or [b"b"]
    for _ in range(150):
        at = rng.randrange(len(data))
        out.append(data[:at] + rng.choice([b"\r", b"\n", b"\r\n", b"-", b"--", b" ", b"\t", b":", b"\xff"])
                   + data[at + rng.choice([0, 1]):])
        drop = rng.randrange(len(lines))
        out.append(b"".join(lines[:drop] + lines[drop + 1:]))
        out.append(b"".join(lines[:drop] + [lines[drop]] + lines[drop:]))
        inserted = rng.choice([b"--" + rng.choice(boundaries) + rng.choice([b"", b"--", b" ", b"--\t", b"x"]), b"",
                               b"From x", b"X: y", b" folded"]) + rng.choice([b"\n", b"\r\n", b"\r", b""])
        out.append(b"".join(lines[:drop] + [inserted] + lines[drop:]))
    return out


@pytest.mark.parametrize("name", ["alternative", "nested with preamble and epilogue", "boundary-like lines inside parts",
                                  "folded and odd fields", "delivery status", "attached multipart message"])
@pytest.mark.parametrize("eol", ["\n", "\r\n"])
def test_damaged_variants_agree_or_are_declined(name: str, eol: str) -> None:
    """Truncated and damaged copies of a message are either declined or parsed into the feedparser's tree."""
    data = WRITTEN[name].replace("\n", eol).encode("utf-8")
    results = [agrees(variant) for variant in variants(data, random.Random(f"{name}{eol!r}"))]
    assert any(results) and not all(results)    # both ways were exercised


def mail_files() -> list[Path]:
    return sorted(path for folder in MAIL_FOLDERS for path in folder.rglob("*")
                  if path.is_file() and path.suffix in (".eml", ".txt"))


def test_every_mail_file_of_the_tests_agrees() -> None:
    """Every message file under tests/ agrees or is declined; each one the feedparser reads without a defect takes the fast path."""
    declined_clean = []
    for path in mail_files():
        data = path.read_bytes()
        parts = list(reference(data).walk())
        clean = not any(part.defects for part in parts)
        if not agrees(data) and clean:
            declined_clean.append(path.name)
    assert declined_clean == []


def test_large_runs_set_aside_keep_the_fast_path_and_the_tree() -> None:
    """A message with a base64 body over the set-aside size parses through the fast path to the stdlib's tree."""
    letters = b"QUJD" * 19
    body = b"\r\n".join([letters] * 500)
    data = crlf(HEAD + "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nSee it.\n"
                "--b\nContent-Type: application/pdf\nContent-Transfer-Encoding: base64\n\n") + body + b"\r\n--b--\r\n"
    aside = largebodies.set_aside(data, threshold=10_000)
    assert aside.runs
    assert mime.parse(largebodies._fed(aside), Part) is not None
    parsed = largebodies.parse(data, threshold=10_000)
    expected = reference(data)
    pdf = parsed.get_payload()[1]
    assert pdf.get_payload(decode=True) == expected.get_payload()[1].get_payload(decode=True) == b"ABC" * 19 * 500
    assert tree(parsed.get_payload()[0]) == tree(expected.get_payload()[0])


FEEDPARSER_DELIMITER = re.compile(r"(?P<sep>--B)(?P<end>--)?(?P<ws>[ \t]*)(?P<linesep>\r\n|\r|\n)?$")


def test_delimiter_lines_are_read_as_the_feedparser_pattern_reads_them() -> None:
    """Every line of up to five characters after the separator is a close delimiter, a delimiter or text, as the stdlib's pattern says."""
    rests = ["".join(letters) for size in range(6) for letters in itertools.product("- \tx\r", repeat=size)]
    checked = 0
    for rest in rests:
        for ending in ("", "\n", "\r\n"):
            line = rest + ending
            if "\r" in line.removesuffix("\r\n"):
                continue                    # a bare CR: the fast path declines (tested above)
            found = FEEDPARSER_DELIMITER.match("--B" + line)
            expected = None if found is None else found.group("end") is not None
            assert mime._delimiter_kind(line) == expected, repr(line)
            checked += 1
    assert checked > 1000


def random_part(rng: random.Random, depth: int, boundaries: list[str]) -> str:
    """A random part: a leaf, a multipart (boundaries often prefixes of their parents'), an attached message or a status."""
    eol = "\n"
    kind = rng.choice(["leaf", "leaf", "multipart", "multipart", "message", "status"] if depth < 4 else ["leaf"])
    if kind == "leaf":
        body = eol.join(rng.choice(["text", "", "--", "-- ", "> quoted", "x: y", " folded", "--" + rng.choice(boundaries)
                                    + rng.choice(["x", " y", "-"])]) for _ in range(rng.randrange(4)))
        return f"Content-Type: text/plain{eol}{eol}{body}"
    if kind == "message":
        return f"Content-Type: message/rfc822{eol}{eol}Subject: inner{eol}" + random_part(rng, depth + 1, boundaries)
    if kind == "status":
        blocks = (eol * rng.randrange(1, 3)).join(f"Action: failed{eol}Status: 5.{n}.1" for n in range(rng.randrange(1, 3)))
        return f"Content-Type: message/delivery-status{eol}{eol}{blocks}{eol * rng.randrange(2)}"
    boundary = rng.choice(boundaries) + rng.choice(["", "_1", "x", "--", "'()+,./:=?"])
    subtype = rng.choice(["mixed", "alternative", "digest", "related"])
    parts = [random_part(rng, depth + 1, boundaries + [boundary]) for _ in range(rng.randrange(1, 4))]
    preamble = rng.choice(["", f"preamble{eol}", f"{eol}"])
    epilogue = rng.choice(["", eol, f"epilogue{eol}", f"--{boundary}{eol}"])
    delimiter = eol + f"--{boundary}" + rng.choice(["", " ", "\t "]) + eol
    return (f'Content-Type: multipart/{subtype}; boundary="{boundary}"{eol}{eol}{preamble}--{boundary}{eol}'
            + delimiter.join(parts) + f"{eol}--{boundary}--{rng.choice(['', '  '])}{eol}{epilogue}")


def test_random_trees_take_the_fast_path_with_the_same_tree() -> None:
    """Random nestings of multiparts, attached messages and delivery statuses, with LF or CRLF, give the feedparser's
    tree; each one it reads without a defect takes the fast path."""
    rng = random.Random(2027)
    declined_clean = 0
    for _ in range(400):
        text = HEAD + random_part(rng, 0, ["b", "=_b", "----=_Part"])
        data = text.replace("\n", rng.choice(["\n", "\r\n"])).encode("utf-8")
        if not agrees(data) and not any(part.defects for part in reference(data).walk()):
            declined_clean += 1
    assert declined_clean == 0


def test_parameters_read_as_the_stdlib_reads_them_and_follow_a_changed_field() -> None:
    """``Part.get_param`` remembers what it read of a field's value: every part of every mail file here gives the
    stdlib's charset, filename, boundary and format, and a field set anew is read anew."""
    asked = [("charset",), ("format",), ("boundary",), ("name",), ("report-type",),
             ("filename", None, "content-disposition"), ("filename", None, "Content-Disposition", False),
             ("absent", "fallback")]
    for path in mail_files():
        data = path.read_bytes()
        for ours, theirs in zip(largebodies.parse(data).walk(), email.message_from_bytes(data).walk(), strict=True):
            for args in asked:
                assert ours.get_param(*args) == theirs.get_param(*args), (path.name, args)
            assert ours.get_filename() == theirs.get_filename(), path.name
            assert ours.get_content_charset() == theirs.get_content_charset(), path.name
    part = largebodies.parse(b'Content-Type: text/plain; charset="utf-8"\r\n\r\nhello\r\n')
    assert part.get_content_charset() == "utf-8"
    part.replace_header("Content-Type", "text/plain; charset=iso-8859-1")
    assert part.get_content_charset() == "iso-8859-1"
    part.set_param("charset", "windows-1252")
    assert part.get_content_charset() == "windows-1252"
    del part["Content-Type"]
    assert part.get_content_charset() is None and part.get_param("charset", "none") == "none"
