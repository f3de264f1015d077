"""The labels members write before an instruction ("Focus: ...", "Remove: item 3", "Suggestion pour la prochaine
fois : ..."), and a cheap test that a text can hold one before its colon is searched."""

from __future__ import annotations

import re

from mailflow.core.intent import IntentKind
from mailflow.mail_in.replies.clauses import Lazy

LABELS: tuple[tuple[IntentKind, str], ...] = (
    (IntentKind.SUGGEST, r"suggest|suggestion|suggestions|topic suggestion|suggested topic|topic idea|future topic|"
                         r"idea for a future meeting|suggestion for a future meeting|suggestion for future meetings|"
                         r"suggestion de sujet(?: pour (?:une|la) (?:prochaine|future) (?:rencontre|reunion))?|sujet suggere|"
                         r"proposition de sujet|idee de sujet|"
                         r"suggestion pour une (?:prochaine|future) rencontre|"
                         r"for (?:a |the )?(?:future|next|upcoming) (?:meeting|session)s?|"
                         r"(?:one |a |my |another )?(?:suggestion|idea)s? for (?:next time|the next meeting|future meetings?)|"
                         r"for next time|(?:une |ma )?(?:suggestion|idee) pour la prochaine fois|pour la prochaine fois|"
                         r"(?:a |an |one |another )?(?:good |possible |potential )?(?:topic|idea|suggestion)s? for "
                         r"(?:a |the |our )?(?:future|next|upcoming|later) (?:meeting|session|discussion)s?|"
                         r"(?:un |une )?(?:sujet|idee)s? pour (?:une|la|les) (?:prochaine|future)s? "
                         r"(?:rencontre|reunion)s?"),
    (IntentKind.FOCUS, r"focus|focus topic|topic|theme|sujet|sujet principal|focus du mois|theme du mois|"
                       r"sujet vedette|focus presentation|sujet de la presentation|theme de la presentation|"
                       r"topic of the presentation|presentation topic"),
    (IntentKind.PRESENTER, r"presenter|presenters|speaker|speakers|guest speaker|presented by|presentateur|"
                           r"presentatrice|conferencier|conferenciere|presente par|presentee par"),
    (IntentKind.ADD, r"add|add item|add to agenda|add to the agenda|new item|ajouter|ajout|a ajouter|point a ajouter"),
    (IntentKind.REMOVE, r"remove|remove item|drop|delete|take off|retirer|supprimer|enlever|a retirer|point a retirer"),
    (IntentKind.NOTE, r"note|remarque|nb|n\.b|"
                      # "and a note for members please:", "une petite note pour les membres :"
                      r"(?:and |et |with |avec )?(?:a |one |une )?(?:short |quick |brief |petite |courte )?note (?:for|to|pour|aux) "
                      r"(?:the |les )?(?:members|membres|group|groupe)(?:,? (?:please|svp|s'il vous plait))?"),
    (IntentKind.ACTION, r"action|actions|action item|action items|action point|action points|ai|todo|to do|to-do|a faire|"
                        r"suivi|suivis|next steps|"
                        r"prochaines etapes|points de suivi|elements de suivi|actions a suivre|taches"),
    (IntentKind.RECORDING, r"recording|recording link|video|video link|enregistrement|lien de l'enregistrement|"
                           r"lien vers l'enregistrement|lien video|zoom recording|replay"),
    (IntentKind.DONE, r"done|fait|termine|terminee|action done|completed action"),
)
LABEL = Lazy(
    r"(?<![\w'])(?:" + "|".join(f"(?P<{kind.name}>{pattern})" for kind, pattern in LABELS)
    + r")(?:\s*\(s\))?\s*[*_]*\s*:(?!//)\s*[*_]*"
)
# The last word (run of word characters) of every alternative of LABELS: a label ends with one, then maybe
# "(s)", spaces, '*' or '_', then its colon (tests/test_replies_labels_prefilter.py holds every alternative to it).
LAST_WORDS = frozenset("""
action actions add agenda ajout ajouter b by conferencier conferenciere delete discussion discussions do done drop
enlever enregistrement etapes faire fait focus fois idea item items link meeting meetings mois nb note off par
presentateur presentation presentatrice presenter presenters principal recording remarque remove rencontre rencontres
replay retirer reunion reunions session sessions ai point points speaker speakers steps suggere suggest suggestion suggestions suivi
suivis suivre sujet supprimer taches termine terminee theme time todo topic vedette video members membres group
groupe please svp plait
""".split())
_LAST_WORD = re.compile(r"\w+\Z")


def may_hold_label(folded: str) -> bool:
    """Whether a label of LABELS can end at one of the colons of ``folded`` (a folded text): the word before
    the colon, past the spaces, '*', '_' and "(s)" a label may have after it, is the last word of a label.
    A colon followed by "//" ends no label. Most lines with a colon ("Challenge: ...", "Sent: ...", a time)
    are told at once, without a scan of every label at every position."""
    at = folded.find(":")
    while at >= 0:
        if not folded.startswith("//", at + 1):
            head = folded[:at].rstrip().rstrip("*_").rstrip()
            if head.endswith("(s)"):
                head = head[:-3].rstrip()
            word = _LAST_WORD.search(head)
            if word is not None and word.group(0) in LAST_WORDS:
                return True
        at = folded.find(":", at + 1)
    return False
