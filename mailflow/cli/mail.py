"""`mailflow parse`, `preview` and `send-test`: what mailflow reads and what it would send."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from mailflow.cli import base
from mailflow.cli.base import EXIT_CONFIG, EXIT_OK, now
from mailflow.core.kinds import MessageKind

# Every kind the daemon sends, spelled as everywhere else (`send-test` is its own command).
PREVIEW_KINDS = tuple(kind.value for kind in MessageKind if kind is not MessageKind.SEND_TEST)
DESCRIPTIONS = {
    "parse": "Show what mailflow understands of message files: kind, new text, attachments, RSVP, commands; "
             "with --request, what each means as a reply to that kind of message. Offline, no schedule file needed.",
    "preview": "Render exactly the message the daemon would send (same bytes, dated when it would go) for any "
               "kind it sends: the steps, the addendum, the digest and handover, the cancellation, the welcome, "
               "the notices to members and the alerts to staff; to stdout or files.",
    "send-test": "Check the SMTP settings by sending one plain message; prints the server's reply.",
}


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    parse = commands.add_parser("parse", help="show what mailflow understands of message files (no config needed)",
                                description=DESCRIPTIONS["parse"])
    parse.add_argument("--json", action="store_true", help="one JSON object per file per line")
    parse.add_argument("--explain", action="store_true",
                       help="print each body line's zone and the features that weighed most for it")
    parse.add_argument("--request", type=_message_kind, metavar="KIND", default=None,
                       help="read each file as a reply to a message of this kind (invitation, call-for-updates, "
                            "reminder, agenda-draft, day-of-reminder, minutes-request, minutes-digest...) "
                            "and show what it means")
    parse.add_argument("files", nargs="+", metavar="FILE", help="RFC 5322 message files (.eml)")
    parse.set_defaults(handler=run_parse)

    preview = commands.add_parser("preview", parents=[common], help="render exactly the message the daemon would send",
                                  description=DESCRIPTIONS["preview"])
    preview.add_argument("kind", metavar="KIND", choices=PREVIEW_KINDS, help=", ".join(PREVIEW_KINDS))
    preview.add_argument("--meeting", metavar="YYYY-MM-DD", help="the meeting (default: the next one)")
    preview.add_argument("--to", "--member", dest="to", metavar="EMAIL",
                         help="the recipient: a member, the chair, a staff address or a minutes recipient "
                              "(default: the first who would receive it, e.g. the chair for the agenda draft)")
    preview.add_argument("--eml", type=Path, metavar="PATH", help="write the message (.eml) here")
    preview.add_argument("--html", type=Path, metavar="PATH", help="write its HTML part here")
    preview.set_defaults(handler=run_preview)

    send_test = commands.add_parser("send-test", parents=[common], help="check the SMTP settings by sending one message",
                                    description=DESCRIPTIONS["send-test"])
    send_test.add_argument("email", metavar="EMAIL", help="where to send the test message")
    send_test.set_defaults(handler=run_send_test)


def run_parse(args: argparse.Namespace) -> int:
    from mailflow.mail_in.replies.report import parse_command

    if args.explain:
        from mailflow.mail_in.replies.zones.explain import explain_files

        return explain_files(args.files, sys.stdout)
    return parse_command(args.files, args.json, sys.stdout, request=args.request)


def _message_kind(text: str) -> MessageKind:
    try:
        return MessageKind.parse(text)
    except ValueError:
        known = ", ".join(kind.value for kind in MessageKind)
        raise argparse.ArgumentTypeError(f"unknown message kind {text!r}; expected one of: {known}") from None


def run_preview(args: argparse.Namespace) -> int:
    from mailflow.app.preview import PreviewError, preview

    config = base.load_config(args)
    try:
        made = preview(config, args.kind, now(args, config), meeting_key=args.meeting, to=args.to)
    except PreviewError as exc:
        print(f"mailflow: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    for note in made.notes:
        print(f"mailflow preview: {note}", file=sys.stderr)
    others = len(made.recipients) - 1
    print(f"mailflow preview: {args.kind} to {made.recipients[0]}"
          + (f" (and {others} other{'s' if others != 1 else ''}: --to picks one)" if others else ""), file=sys.stderr)
    if args.eml:
        args.eml.write_bytes(made.raw)
    if args.html:
        args.html.write_text(made.html, encoding="utf-8")
    if not args.eml and not args.html:
        sys.stdout.buffer.write(made.raw)
        sys.stdout.flush()
    return EXIT_OK


def run_send_test(args: argparse.Namespace) -> int:
    from mailflow.adapters.send_test import send_test_command

    config = base.load_config(args)
    return send_test_command(config, args.email, now(args, config))
