"""What one clause says, whatever it answers: the phrase tables (English and Canadian French).

Each table is matched on a folded clause (see ``clauses.fold``); a phrase counts only when the
words before it leave the sender as its subject ("patients skip appointments" is no skip).
"""

from __future__ import annotations

import enum
import re

from mailflow.mail_in.replies.alternatives import Alternatives
from mailflow.mail_in.replies.clauses import EMOJI, MONTH_EN, WORD, Clause, Lazy, Phrases, without_lead_in


class Said(enum.Enum):
    """The kinds of clause the meaning of a reply is built from."""

    NO_UPDATE = "no_update"        # "nothing to report this month"
    PASS = "pass"                  # "I'll pass this time": no to whatever this cycle asked
    AWAY = "away"                  # "I'm on leave until June"
    AWAY_THEN = "away_then"        # "I'll be away that week": away when the meeting is
    UNSUBSCRIBE = "unsubscribe"
    UNDO = "undo"
    DONE = "done"                  # "my action item is done"
    COURTESY = "courtesy"          # thanks, greetings, sign-offs, a name
    PROMISE = "promise"            # "I'll send it Friday", "noted"
    ATTACHED = "attached"          # "please find attached"
    EXCUSE = "excuse"              # "it's been a hectic month" (only next to a no)
    MISSENT = "missent"            # "I think this was meant for my predecessor", "the PDF won't open": about the mail itself
    LEAVE_LATER = "leave_later"    # "after the February meeting, please take me off": leaving, but not yet (asked)
    SAME = "same"                  # "same as last month": last month's update again, or nothing new? (asked)
    POINTED = "pointed"            # "+1 to what Luis said", "yes to the first, no to the second": the answer is in the
                                   # words it points to, someone else's or a list's (asked)
    STAY = "stay"                  # "I never meant to leave", "gardez-moi sur la liste": staying on (undoes a leaving)
    SENT_BEFORE = "sent_before"    # "Didn't I already send this?", "the update itself stays as is": the update sent before holds


# what an unsubscribe asked for someone else names after its verb ("please unsubscribe my colleague Dr. Haddad")
_NOT_ME = (r"(?! (?:my |our |her\b|him\b|them\b|dr\.? |mr\.? |ms\.? |mrs\.? |mme |the following|this (?:person|member|address)|"
           r"[\w.+-]+@))")
_LIST = (r"(?:list|lists|mailing|mailings|emails?|e-mails?|distribution|group|cop|community|communications|messages|"
         r"listserv|mail|liste|listes|envois?|courriels?|groupe|communaute|cdp)\b")


def _phrases(*patterns: str) -> Phrases:
    return Phrases(*patterns)


_TABLES: tuple[tuple[Said, Phrases], ...] = (
    (Said.UNSUBSCRIBE, _phrases(
        rf"^unsubscribe(?: me)?(?: please)?$|^please unsubscribe\b{_NOT_ME}|\bunsubscribe me\b",
        r"\b(?:i|i'd|i would|i want|i wish|i'd like|i would like|i need) (?:like |want |wish |need )?to "
        r"(?:unsubscribe|opt out|be removed|leave (?:the|this) (?:list|group|cop|community))",
        rf"\b(?:remove|take|drop|delete|strike|unsubscribe) me (?:off|from)(?: of)? (?:this |the |your |these |that |all |"
        rf"any |future |mailflow's )?(?:[\w-]+ ){{0,2}}{_LIST}",
        r"^(?:please )?(?:remove|take) me off$|^(?:please )?remove me$|"
        r"\bplease (?:remove|take) me off\b(?! (?:for|from|the (?:agenda|draft|call|meeting|presenter|speaker|presentation|"
        r"focus|roundtable|round table|schedule|panel|slot|lineup|line-up|rotation)|as |this|that|item))",
        r"\b(?:remove|delete) my (?:name|email|e-mail|address|email address) from\b",
        r"\b(?:i|i'd|we) (?:no longer|don't|do not) (?:want|wish|need) to (?:receive|get|be on)\b",
        r"^(?:please )?stop (?:sending me|emailing me|sending these|these emails|the emails)\b",
        r"^(?:please )?opt me out\b|^opt(?:-| )out(?: please)?$|^(?:please )?stop(?: please)?$",
        rf"\bopt me out\b|\b(?:kindly|please|pls) unsubscribe\b{_NOT_ME}|\b(?:stop|quit) (?:sending me|emailing me|mailing me)"
        r"(?: (?:these|this|them|those|(?:the |your |all |any |such )?(?:e-?mails?|messages|mail|updates|reminders|"
        r"invitations|notifications)\b)|\W*$)",
        r"\b(?:i|i'd|i would|i want|i wish|i'd like|i would like|i need) (?:like |want |wish |need )?to stop "
        r"(?:receiving|getting)(?: (?:these|this|them|those|it|(?:the |your |all |any |cop |such )?(?:e-?mails?|messages|mail|"
        r"updates|reminders|invitations|notifications)\b)|$)|"
        r"\b(?:i'm|i am) (?:no longer|not) interested in (?:receiving|getting|these|this list)\b",
        r"\bi(?:'m| am) (?:leaving|withdrawing from|stepping (?:down|away) from) (?:the|this|our) "
        r"(?:cop|community|group|list|mailing list)\b",
        r"\bdesabonne[rz]?(?:-moi| moi)?\b|\bdesinscri(?:re|vez|s|vez-moi)\b|\bdesinscrivez-moi\b",
        rf"\b(?:retire[rz]?|enleve[rz]?|supprime[rz]?|raye[rz]?)(?:-moi| moi)? (?:de|des|du) (?:la |votre |cette |vos |"
        rf"ces |l')?(?:[\w-]+ ){{0,2}}{_LIST}",
        r"\b(?:veuillez|svp|merci de|pourriez-vous|pouvez-vous) me (?:retirer|desinscrire|desabonner|enlever|rayer)\b",
        rf"\b(?:retire[rz]?|enleve[rz]?|supprime[rz]?|raye[rz]?) (?:mon nom|mon adresse(?: courriel)?|mon courriel) "
        rf"(?:de|des|du) (?:la |votre |cette |vos |ces |l')?(?:[\w-]+ ){{0,2}}{_LIST}",
        r"\bje (?:veux|voudrais|souhaite|desire|aimerais) (?:me desabonner|me desinscrire|etre retiree? |"
        r"ne plus recevoir|quitter (?:la|cette) liste)",
        r"\bje ne (?:veux|souhaite|desire) plus recevoir\b|^ne plus (?:recevoir|m'envoyer)\b",
        # in indirect words: "there's no need to keep sending the CoP mail to me", "pas besoin de continuer à m'envoyer"
        r"\b(?:there's|there is|you have|you've got) no (?:need|reason) to (?:keep |continue )?(?:sending|send|emailing|"
        r"email|mailing)(?: (?:the|these|this|any|all|our|cop|community|sdh|list|group|future|more|further))*"
        r"(?: (?:mail|e-?mails?|messages|invitations|updates|notices|reminders))? to me\b",
        r"\b(?:pas besoin|inutile|plus besoin) de (?:continuer a |plus )?m'envoyer\b|"
        # "il n'est plus nécessaire de m'envoyer les courriels", "no longer necessary to send me the CoP mail"
        r"\b(?:n'est plus|plus) (?:necessaire|utile) de (?:continuer a )?m'envoyer\b|"
        r"\bno longer (?:necessary|needed|any need) (?:for you )?to (?:keep |continue )?(?:send|sending|email|emailing) me\b",
    )),
    (Said.UNDO, _phrases(
        r"^(?:please )?undo(?: (?:that|this|it|my (?:last|previous) (?:reply|answer|email|e-mail|message|update|"
        r"response)|last|please))?(?: please)?$",
        # (what it took back named: "please disregard my approval from earlier today", "ignore my last email"; or the
        # one they sent: "Please disregard the update I sent last week")
        r"^(?:please )?(?:cancel|ignore|disregard|delete|retract|withdraw) (?:that|this|it|my (?:(?:last|previous|"
        r"earlier|prior|first) )?(?:reply|answer|email|e-mail|message|update|response|rsvp|note|approval|go-ahead)|"
        r"(?:the|that) (?:reply|answer|email|e-mail|message|update|response|rsvp|note|approval) (?:i|that i) "
        r"(?:sent|gave|wrote)|the (?:approval|go-ahead) i gave)\b",
        r"^(?:i )?sent (?:you )?(?:the|a) wrong (?:one|version|update|email|file|message)\b",
        r"^(?:please )?(?:disregard|ignore|cancel)(?: (?:that|this|it))?(?: please)?$",
        r"^scratch that\b|^never mind my (?:last|previous) (?:email|message|reply)\b|^(?:i )?changed my mind$",
        r"^(?:i )?(?:sent|replied|answered|responded)(?: (?:that|this|it))? (?:by mistake|in error|too (?:soon|quickly)|"
        r"to the wrong)\b|^wrong (?:email|reply|message|thread)\b|^oops,? wrong\b",
        r"^annule[rz]?(?: (?:ma|mon) (?:derniere|dernier|precedente?) (?:reponse|message|courriel))?"
        r"(?: s\.?v\.?p\.?| s'il vous plait| merci)?$",
        r"^(?:veuillez |svp |merci d')?(?:ignorer|ignorez|oubliez|annulez|annuler) (?:mon|ma|ce|cette|le) "
        r"(?:(?:dernier|derniere|precedent|precedente) )?(?:message|courriel|reponse|envoi|approbation|mise a jour)\b",
        r"^veuillez ignorer$|^envoye par erreur\b|^erreur de ma part\b|^j'ai change d'avis$|"
        # "Merci de ne pas en tenir compte", "Ne tenez pas compte de mon dernier courriel"
        r"^(?:merci de |veuillez |svp |s'il vous plait,? )?(?:ne pas (?:en )?tenir compte|n'en tenez pas compte|"
        r"ne tenez pas compte)(?: de (?:mon|ma|ce|cette|le|la) (?:(?:dernier|derniere|precedent|precedente) )?"
        r"(?:message|courriel|reponse|envoi))?(?: (?:svp|s'il vous plait|merci))?$|"
        r"^j'ai envoye (?:la|le) mauvaise? (?:version|fichier|courriel|message|update|mise a jour)\b",
        r"^(?:pouvez-vous|pourriez-vous|peux-tu|pourrais-tu|merci de|merci d') ?(?:l'|le |la )?(?:annuler|ignorer)\b|"
        # "Pourriez-vous défaire tout ça s.v.p.?"
        r"^(?:pouvez-vous|pourriez-vous|peux-tu|pourrais-tu|merci de|svp) (?:defaire|defaites) (?:tout ca|tout cela|ca|"
        r"cela|ma (?:derniere )?reponse|mon (?:dernier )?courriel)\b|"
        r"^(?:defaire|defaites|defais) (?:tout ca|tout cela|ca|cela|ma (?:derniere )?reponse|mon (?:dernier )?courriel)\b|"
        r"^(?:can|could) you (?:please )?(?:undo|cancel|ignore|disregard) (?:that|this|it|my (?:last|previous) "
        r"(?:reply|answer|email|e-mail|message|update))\b",
    )),
    (Said.STAY, _phrases(
        r"^(?:but |no,? |non,? )?(?:i )?(?:never|didn't|did not|don't|do not) (?:mean|meant|want|wanted|ask|asked|intend|"
        r"intended) (?:for you )?to (?:leave|unsubscribe|quit|be (?:removed|unsubscribed|taken off))\b",
        r"^(?:please )?(?:keep|leave) me (?:on|in) (?:the |your |this )?(?:list|mailing list|group|cop|community)\b",
        r"^i (?:want|would like|'d like|wish|mean|meant) to (?:stay|remain) (?:on (?:the |this |your )?(?:list|mailing list)|"
        r"in (?:the|this) (?:group|cop|community)|a member)\b",
        r"^je n'ai (?:jamais|pas) (?:voulu|demande a|demande de|souhaite|eu l'intention de) (?:quitter|me desabonner|"
        r"me desinscrire|partir|etre retiree?)\b|^je ne (?:voulais|veux) pas (?:quitter|me desabonner|me desinscrire)\b",
        r"^(?:svp |s'il vous plait,? )?gardez-moi (?:sur|dans) (?:la |votre |le )?(?:liste|groupe|communaute)\b|"
        r"^merci de me garder (?:sur|dans) (?:la |votre |le )?(?:liste|groupe|communaute)\b",
        r"^je (?:veux|voudrais|souhaite|tiens a|desire|aimerais) rester (?:membre|sur la liste|dans le groupe|"
        r"dans la communaute|inscrite?)\b",
    )),
    (Said.AWAY_THEN, _phrases(
        r"^(?:i'll|i will|i'm going to|i am going to) be (?:away|out of (?:the )?(?:office|country|town|province)|"
        r"on vacation|on holidays?|travell?ing|at a conference|off)(?: (?:that|then|on the|on \w+day|at that time|"
        r"during)\b.*)?$",
        r"^(?:i'm|i am) (?:away|on vacation|travell?ing|off|out|out of town) (?:that|then|on the|on \w+day|at that time)\b",
        r"^je (?:serai|vais etre) (?:en vacances|en conge|en deplacement|a l'exterieur|en voyage)$",
        r"^je (?:suis|serai|vais etre) (?:en vacances|en conge|en deplacement|a l'exterieur|en voyage|absente?) "
        r"(?:ce jour-la|cette semaine-la|a ce moment-la|a cette date|le \d+|mardi|lundi|mercredi|jeudi|vendredi)\b",
    )),
    (Said.AWAY, _phrases(
        # (the word alone, as the answer to "No update this month, or away?": "Away - I'm doing a locum until the 15th")
        r"^(?:away|absente?)$",
        # (a time away announced: "Heads up that I'm on sabbatical from Feb 1 to April 30")
        r"^(?:(?:a |just a |quick )?heads[- ]up(?: that)?,? |just so you know,? )?"
        r"(?:i'm|i am|i'll be|i will be|i'm currently|i am currently|currently|i've been|i have been)? ?(?:off )?"
        r"(?:away|off|on leave|on (?:maternity|mat|parental|paternity|pat|medical|sick|stress|educational|study|compassionate|"
        r"bereavement|extended|personal) leave|(?:on|in) vacations?|on holidays?|travell?ing|out of (?:the )?"
        r"(?:office|country|province)|on sabbatical|off work) "
        # (where, on the way: "I am in vacations in Portugal with my family until 20 of January")
        r"(?:(?:in|at|to|with|visiting) [\w' .-]{1,50}? )?"
        r"(?:until|till|til|through|thru|for (?:the|a|two|three|several|\d)|from|this|next|all|during|the rest|"
        r"starting|as of|until further|on and off|mid|end|early|\d)",
        r"^(?:i'm|i am|i'm currently|currently) (?:off )?on (?:maternity|mat|parental|paternity|pat|medical|sick|stress|educational|"
        r"study|compassionate|bereavement|extended|personal) leave\b|^(?:i'm|i am) on sabbatical\b",
        r"^(?:i'm|i am|i'll be|i will be|i) (?:starting|beginning|going on|taking|heading on|off on|leaving on|start|begin|"
        r"go on) (?:a |an |my )?"
        r"(?:(?:maternity|mat|parental|paternity|medical|sick|extended|personal|study|\w+-month|\d+-week) )?"
        r"(?:leave|sabbatical)\b",
        # (not back within the day: "won't be back in cell range until after 12" is a time of day, no time away)
        r"^(?:i |and )?(?:won't|will not|wont) be back (?:until|till|til|before|in)\b"
        r"(?!(?: [\w-]+){0,3} (?:until |till |til |before )?(?:after |around |about )?(?:\d{1,2}(?:[:h]\d{2})?(?: ?[ap]\.?m\b)?"
        r"(?!\w)|noon|lunch|midi))",
        r"^(?:i'm|i am|i'll be|i will be) out (?:this|next|for the|all|the whole) (?:month|week|cycle|session)\b",
        r"^je (?:suis|serai|vais etre|suis presentement|suis actuellement) (?:en conge|en vacances|absente?|"
        r"a l'exterieur|hors du bureau|en deplacement|en voyage|en arret de travail)"
        r"(?: (?:de maternite|de paternite|parental|de maladie|sans solde))? "
        r"(?:jusqu|pour (?:les|la|le|\d|deux|trois|quelques)|pendant|du \d|des le|a partir|tout le|toute la|\d)",
        r"^je (?:suis|serai) en (?:conge|arret) (?:de maternite|de paternite|parental|de maladie|sans solde)\b|"
        r"^je (?:suis|serai) en (?:conge|vacances) (?:des fetes|de noel|d'ete|annuel) (?:jusqu|du \d|a partir|pour)",
        # somewhere else until a date: "I'm still in Ottawa with my parents until the 15th"
        r"^(?:i'm|i am|i'll be|i will be) (?:still |away |out )?(?:in|at|up in|down in|over in|back in) "
        r"(?!clinic\b|the or\b|surgery\b|a meeting\b|meetings\b|work\b|the office\b)[a-z][\w' .-]{1,40}? "
        r"(?:until|till|til|through) (?:the )?(?:\d{1,2}(?:st|nd|rd|th)\b|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"
        r"[a-z]*\.? \d|next (?:week|month)|mid-|the end of|early (?:next|in)|(?:monday|tuesday|wednesday|thursday|friday)"
        r"(?: the \d| next|,))",
        r"^en conge (?:de maternite|de paternite|parental|de maladie)\b",
        # leaving on leave: "Je pars en congé de maternité ce vendredi", "je prends congé jusqu'en mars"
        r"^je (?:pars|partirai|vais partir|prends|prendrai|commence) (?:en |un |mon |ma )?(?:conge|vacances|arret de travail)"
        r"(?: (?:de maternite|de paternite|parental|de maladie|sans solde|sabbatique))?\b",
    )),
    (Said.NO_UPDATE, _phrases(
        # the update already recorded taken out: "please take my update out for this month", "retirez ma mise à jour"
        r"^(?:please |could you |can you |kindly )?(?:take|pull|leave) my (?:roundtable )?update out\b|"
        r"^(?:please |could you |can you |kindly )?(?:remove|withdraw|drop|delete) my (?:roundtable )?update\b|"
        r"^(?:merci de |svp |pourriez-vous |pouvez-vous )?(?:retirer|enlever|supprimer|retirez|enlevez|supprimez) ma "
        r"mise a jour\b",
        r"^no (?:real |big |major |new |significant |proper )?updates?(?: (?:from me|for me|this (?:month|time|round|cycle|meeting)|for (?:this|the) "
        r"(?:month|meeting|cycle)|to (?:report|share)|on my end|on my side|at this time|for now|right now|"
        r"from (?:us|our [\w'-]+|[\w'-]+)|for " + MONTH_EN + r"))*$",
        r"^(?:i have |i've |we have |we've |there's |there is |there was |there's been |there has been |have |i've got |"
        r"we've got )?(?:got )?nothing (?:new |much |significant |major )?"
        r"(?:to (?:report|share|add|update|say)|this (?:month|time)|from me|new|on my end|on my side|for now|"
        # (where from: "there was nothing new from North Shore this month anyway")
        r"(?:from|at|in) (?:us|our (?:[\w'-]+ ){0,2}[\w'-]+|[A-Za-z][\w'-]*(?: [\w'-]+)?) this (?:month|time|round|cycle))\b",
        r"^(?:i|we) (?:don't|do not) have (?:an?|any) (?:roundtable )?(?:update|updates|news)\b|"
        r"^(?:i|we) (?:won't|will not|can't|cannot) (?:have|be (?:sending|submitting|giving|sharing)|send|submit|give|share) "
        r"(?:(?:an?|any|my|our) )?(?:roundtable )?(?:update|updates|news)(?! (?:until|till|before|by|ready|later|tomorrow|"
        r"next))\b|"
        r"^(?:i|we) (?:don't|do not) have anything (?:new |much )?to (?:report|share|add)\b|"
        # "Je ne pense pas pouvoir vous envoyer de mise à jour ce mois-ci"
        r"^je ne (?:pense|crois) pas (?:pouvoir|etre en mesure d[e'] ?) ?(?:vous )?(?:envoyer|faire parvenir|transmettre|"
        r"partager) (?:de |une |ma )?(?:mise a jour|update)\b|"
        # no strength for it: "I don't have it in me to write an update this time"
        r"^(?:i|we) (?:don't|do not|can't|cannot) (?:have it in (?:me|us)|find the (?:time|energy)) to (?:write|send|do|"
        r"put together|pull together) (?:an?|my|our|the) (?:roundtable )?update\b|"
        r"^(?:i|we) have no (?:update|updates|news)\b|"
        # nothing for the roundtable: "I won't have anything for the roundtable this time"
        r"^(?:i|we) (?:won't|will not|don't|do not|didn't|did not) have (?:anything|much) (?:new |ready )?(?:for|to share at|"
        r"to share for|to bring to) (?:the |this month's |our )?(?:roundtable|round table|round-table|update)\b|"
        # the roundtable named before it: "On the roundtable, I won't have anything for it this time"
        r"^(?:i|we) (?:won't|will not) have anything (?:new )?for it this (?:time|month)\b|"
        # (or with no subject: "Nothing for the roundtable this time")
        r"^(?:(?:i've|i have|we've|we have) (?:got )?)?nothing (?:new |ready )?(?:for|to share at) (?:the |this month's )?"
        r"(?:roundtable|round table|round-table)\b|"
        r"^(?:je n'ai|nous n'avons|je n'aurai|nous n'aurons) (?:donc |malheureusement |vraiment |probablement )?rien "
        r"(?:de neuf |de nouveau )?pour (?:le |la )?(?:tour de table|"
        r"table ronde)\b|"
        # "il n'y aura pas de mise à jour de ma part ce mois-ci", "pas de mise à jour de notre part"
        r"^(?:il n'y aura |il n'y a )?(?:pas de|aucune) (?:mise a jour|update|nouvelles)(?: (?:de ma|de notre) part| pour moi)?"
        r"(?: (?:ce mois-ci|cette fois-ci|cette fois|pour (?:le|la) (?:tour de table|table ronde)))*$",
        r"^not much (?:new )?(?:to (?:report|share)|this (?:month|time)|going on)\b|^no news\b|^nothing$|"
        # nothing from one's place: "Nothing from North Shore for the roundtable this month"
        r"^(?:(?:there's|there is|we have|i have|we've got) )?nothing (?:new |much )?from (?:[\w'-]+ ){1,3}?"
        r"(?:for (?:the |this month's |our )?(?:roundtable|round table|round-table|update)|this (?:month|time|round|cycle))\b",
        r"^(?:(?:et )?(?:comme|puisque|vu que) )?(?:je n'ai |nous n'avons |il n'y a )?(?:encore |pas encore )?rien "
        r"(?:de concret (?:a (?:partager|signaler|rapporter))?|encore )?(?:a signaler|de neuf|"
        r"a rapporter|a partager|de nouveau|"
        r"a ajouter|pour moi|de (?:mon|notre) cote|ce mois-ci|cette fois-ci|a dire|pour (?:le |la )?(?:tour de table|"
        r"table ronde))\b",
        r"^je n'(?:enverrai|aurai) (?:donc |pas )?(?:pas )?(?:de |d')(?:mise a jour|update)\b|"
        r"^(?:je n'ai |nous n'avons )?(?:pas|aucune?) (?:de |d')?(?:mise a jour|mises a jour|nouvelles?|nouveautes?|"
        r"updates?|"
        r"update|nouveau|grand-chose (?:de neuf|a signaler|a dire))\b",
        r"^pas grand-chose (?:de neuf|a signaler|a dire|a rapporter)\b|^n/?a(?: (?:this month|for me|from me|ce mois-ci))?$|"
        r"^(?:nada|zilch|nothing|rien|rien du tout)(?: (?:for |pour )?(?:this|ce|cette) (?:month|time|round|mois(?:-ci)?|"
        r"fois(?:-ci)?))?(?: from me| pour moi| de ma part)?$|"
        r"^(?:no (?:changes?|news|progress)|nothing (?:has )?changed)(?: (?:since|from) (?:last|the last) "
        r"(?:month|time|meeting|update))?$|"
        r"^(?:pas de|aucun) changements?(?: depuis le mois dernier)?$|"
        r"^(?:all|it's been|it has been|things are|things have been|c'est) (?:quiet|slow|calme|tranquille)"
        r"(?: (?:on our end|on my end|here|this month|de mon cote|ce mois-ci))*$",
    )),
    (Said.SAME, _phrases(
        r"^(?:(?:it's|it is|mine is|my update is|our update is) )?(?:the )?(?:same as|idem que|pareil que|pareil comme|meme chose que) "
        r"(?:last (?:month|time|meeting)|before|my last (?:update|one)|le mois dernier|le mois passe|la derniere fois)"
        r"(?: (?:sorry|really|honestly|again|desolee?|merci|thanks))?$|"
        r"^(?:same|idem|pareil|ditto|meme chose)(?: (?:again|here|for me|pour moi))?$",
    )),
    # an answer whose content is in the words it points to: someone else's ("+1 to what Luis said", "same as Priya",
    # "what she said", "même chose que Priya", "ditto Tom's answer"), or the items of a list, by their place ("yes to the
    # first, no to the second", "both", "oui pour la première", "non aux deux")
    (Said.POINTED, _phrases(
        r"^(?:\+ ?1|plus one|same|idem|pareil|ditto|likewise|meme chose|me too|moi aussi)(?: (?:to|for|on|as|with|que|comme))?"
        r" (?:what |ce que |ce qu'|whatever )?(?!last\b|before\b|le mois\b|la derniere\b|my\b|here\b|for me\b|pour moi\b|again\b|"
        r"the (?:same|month|last)\b)(?:[a-z][\w'-]*)(?: [a-z][\w'-]*)?(?: (?:said|says|wrote|did|answered|replied|offered|"
        r"suggested|proposed|mentioned|shared|raised|described|a dit|a ecrit|a repondu|a propose|a suggere)"
        r"(?: below| above| ci-dessous| plus bas)?|'s(?: (?:answer|reply|note|message|point|idea|suggestion|offer|comment))?)?"
        r"(?: (?:re|about|on|regarding|sur|concernant)\b.{0,60})?$",
        r"^(?:what|ce que|ce qu') ?(?:[a-z][\w'-]*) (?:said|says|wrote|a dit|a ecrit)$",
        # the words alone: "+1", "Me too!!", "Moi aussi", "Same on my end" (an echo of whatever it sits under)
        r"^(?:(?:yes|yep|oui|same|idem|pareil) )?(?:\+ ?1|plus one|me too|moi aussi|moi de meme|(?:pour|for) moi aussi|"
        r"(?:for|pour) me (?:too|as well)|(?:same|meme chose|pareil) (?:on my end|on my side|de mon cote|de mon bord|ici))"
        r"(?: (?:finalement|aussi|too|as well|then|alors))?$",
        # agreement with a person, whose words are in the quote: "D'accord avec Sam.", "I agree with Luis"
        r"^(?:i |we )?(?:fully |totally |completely |entierement |tout a fait )?(?:agree|agreed|concur|(?:je suis |suis )?"
        r"d'accord) (?:with|avec) (?!the (?:agenda|draft)|l'ordre du jour|le projet)[a-z][\w'-]*(?: [a-z][\w'-]*)?$",
        # what the sender wrote elsewhere, pointed to: "What I wrote to Priya about the 12th goes for me too", "see my reply
        # to Sam from this morning", "please use Devon's text below as is"
        r"^(?:what|ce que) .{1,60} (?:goes|applies|counts|holds|vaut|s'applique) (?:for|to|pour|a) (?:me|moi)"
        r"(?: too| as well| aussi)?$|"
        r"^(?:please )?(?:see|cf|voir|voyez) (?:my|our|mon|ma|notre) (?:reply|email|e-mail|message|note|answer|response|"
        r"courriel|reponse) (?:to|a|au|sent to|envoyee? a) .{1,60}$|"
        r"^(?:please )?(?:use|take|keep|see|prenez|utilisez) (?:[a-z]+'s|your|his|her|their|the|my|our|le|la|son|sa|votre) "
        r"(?:text|note|"
        r"update|version|draft|words|wording|numbers|texte|version|mise a jour) (?:below|above|ci-dessous|plus bas)"
        r"(?: as is| tel quel| telle quelle)?$",
        # agreement with changes the quote holds: "I agree with both of Tom's changes below", "d'accord avec ses suggestions"
        r"^(?:i |we )?(?:agree|concur|(?:i'm|i am|we're|we are) fine|(?:je suis |suis )?d'accord) (?:with|avec) "
        r"(?:both of |all of |all |both |les deux )?(?:[a-z]+'s|his|her|their|those|these|the|ses|ces|les) "
        r"(?:changes|edits|suggestions|points|ideas?|proposals?|comments|changements|suggestions|modifications|idees?)"
        r"(?: below| above| ci-dessous| plus bas)?$",
        # a proposal taken up by pointing at it: "let's do that", "let's do exactly that", "go with your version", "let's go
        # with Dana's idea", "on fait ça"
        r"^(?:(?:let's|let us|we'll|we can|on|please) )?(?:do|go with|take|use|fait|part avec|prend|allons-y avec) "
        r"(?:exactly |just )?(?:that|this|it|those|these|ca|cela|(?:[a-z]+'s|your|his|her|their|my|votre|sa|son) (?:idea|"
        r"suggestion|plan|proposal|version|text|wording|draft|idee|proposition|texte))"
        r"(?: (?:one|idea|suggestion|plan|proposal|then|alors|as is|tel quel))?(?: [a-z]+)?$",
        # a list's items taken together or by their place: "Both work for me", "Yes to all three", "Oui pour les deux
        # premières", "the first two"
        r"^(?:(?:yes|yep|oui|ok|okay|fine|agreed|d'accord|approved?|go ahead)(?: (?:to|for|on|with|pour|a|aux?))? )?"
        r"(?:both(?: of (?:those|these|them))?|les deux|(?:all|tous|toutes|les|the)(?: of)? (?:them|three|two|four|five|3|2|4|"
        r"5|trois|deux|quatre|cinq)|"
        r"(?:the |les |la |le )?(?:first|last|premiers?|premieres?|derniers?|dernieres?) (?:two|three|2|3|deux|trois))"
        r"(?: (?:first|last|premiers?|premieres?|derniers?|dernieres?))?(?: (?:changes|edits|suggestions|points|ones|items|"
        r"questions|modifications|changements))?(?: (?:work|works|are fine|sound good|look good|conviennent|vont)"
        r"(?: (?:for me|pour moi))?)?$",
        r"^(?:(?:yes|yep|no|nope|oui|non|ok|okay|agreed|d'accord|fine)(?: (?:to|for|on|pour|a|au|aux))? "
        r"(?:the |la |le |les )?(?:first|second|third|last|both|1st|2nd|3rd|premiere?|deuxieme|seconde?|troisieme|derniere?|deux)"
        r"(?: (?:one|ones|question|questions|point|points|item|items|suggestion|suggestions))?|"
        r"(?:the |la |le |les )?(?:first|second|third|both|1st|2nd|3rd|premiere?|deuxieme|seconde?|troisieme|deux)"
        r"(?: (?:one|question|point|item|suggestion))? ?[:,-]? (?:yes|no|oui|non))$",
    )),
    (Said.PASS, _phrases(
        # (the subject left out, as a phone's reply does: "Have to skip today, sorry")
        r"^(?:i'll |i will |i'm going to |i am going to |i'll have to |(?:i |we )?have to |(?:i |we )?need to |"
        r"(?:i |we )?(?:got to |gotta )|we'll |we will |"
        r"going to |gonna |i'd like to |i think i'll |please |(?:could|can|would) you (?:please )?)?"
        r"(?:skip|pass|sit out|sit this one out)"
        # ("skip me for this month's roundtable": the month named as the roundtable's)
        r"(?: on)?(?: me)?(?: (?:for|on) me)?(?: (?:for )?(?:this|that|the|my|today's|this month's|this week's|"
        r"tomorrow's)? ?(?:one|month|time|round|cycle|turn|update|"
        r"roundtable|session|now|meeting|call|today|tomorrow)){0,2}(?: for me(?: (?:this|that) (?:month|time|round|cycle|meeting))?)?"
        # the month's roundtable named: "Please skip me for the January roundtable"
        r"(?: for (?:the |this |our )?" + MONTH_EN + r" (?:roundtable|round table|"
        r"meeting|session|update|cycle))?(?: (?:for|in|this) (?:jan(?:uary)?|feb(?:ruary)?|march|april|may|june|july|aug(?:ust)?|"
        r"sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)(?: and (?:probably |maybe |likely |possibly )?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|"
        r"dec)[a-z]*)?(?: too| as well)?)?(?: please| thanks| thank you| thx| ty| merci| sorry| desolee?)?(?:,? (?:since|because|as) .+)?$",
        r"^(?:i'm |i am )?(?:skipping|passing)(?: on)?(?: (?:this|the|my))? (?:month|time|round|cycle|turn|update|one)\b|"
        # the roundtable named: "Skipping the roundtable this month since I'm chairing"
        r"^(?:i'm |i am |i'll be |i will be )?(?:skipping|passing on|sitting out) (?:the |my |this month's )?"
        r"(?:roundtable|round table|round-table)(?: update)?(?: (?:this|for this) (?:month|time|round|cycle))?\b|"
        r"^(?:you can|you could|feel free to|go ahead and|please just|just|please to) skip me\b",
        r"^(?:i'll |i will |i'm going to )?sit (?:this one|this round|this month) out\b",
        # off for this cycle only, not off the list: "please take me off for this month"
        r"^(?:(?:could|can|would) you |please |just )*(?:take|leave|drop) me (?:off|out)(?: (?:the|your) (?:list|roster|"
        r"roundtable))? (?:for )?(?:this|the|that) (?:month|time|round|cycle|one)\b",
        r"^je (?:vais )?(?:passe|passer|saute|sauter|m'abstiens|m'abstenir)(?: mon tour| pour cette fois| ce mois-ci|"
        r" pour ce mois(?:-ci)?| pour janvier| pour fevrier| ce coup-ci|"
        r" cette fois(?:-ci)?| pour (?:la |le )?(?:table ronde|tour de table|mise a jour)(?: de ce mois(?:-ci)?)?)*$",
        r"^pas (?:cette fois(?:-ci)?|ce mois(?:-ci)?)$",
        # off for this cycle only: "merci de me retirer pour ce mois-ci"
        r"^(?:(?:merci de |svp |veuillez |pourriez-vous |pouvez-vous )?me (?:retirer|sauter|passer)|"
        r"(?:svp |s'il vous plait,? )?(?:retirez|enlevez|sautez|passez)-moi) (?:pour|de) (?:ce mois(?:-ci)?|"
        r"cette fois(?:-ci)?|cette rencontre|la table ronde(?: de ce mois(?:-ci)?)?)\b",
    )),
    (Said.DONE, _phrases(
        r"^(?:done|all done|completed?|fait|c'est fait|termine|terminee)$|"
        # one's own among others': "Mine's finished", "mine is done too"
        r"^(?:mine's|mine is|mine has been) (?:now |already )?(?:done|finished|complete|completed|closed)\b|"
        r"^c'est (?:fait|termine) pour (?:le point|l'action|l'item|le suivi|la tache)\b",
        r"^(?:(?:and|also|oh and|et) )?(?:my |the |our )?action(?: item)?(?: (?:from|for|of) (?:the )?[\w-]+(?: meeting)?)?"
        r"(?:\s+\(?#?\d+\)?(?: (?:from|for|of) (?:the )?[\w-]+(?: meeting)?)?)?\s+(?:is )?(?:already |now )?"
        r"(?:done|complete|completed|finished|closed)\b|"
        r"^(?:item |number )?#?\d{1,3} (?:is )?(?:done|complete|completed|finished|closed)(?: now| already| too| btw| by the way|"
        r" fyi| as well| at last| finally)*$|"
        r"^(?:item|number|#) ?\d{1,3} (?:is )?(?:done|complete|completed|finished|closed)\b",
        r"^(?:i )?(?:completed|finished|closed|done with|did) my action(?: item)?\b|"
        r"^(?:i've|i have) (?:completed|finished|closed|done) (?:action|item) #?\d+\b",
        r"^(?:i've|i have) (?:done|completed|finished|closed) (?:my|the) action(?: item)?\b",
        r"^(?:mon |ma )?(?:action|suivi|tache)(?:\s+\(?#?\d+\)?)?\s+(?:est )?(?:deja )?(?:faite?|terminee?|completee?)\b",
        # "Le point 7 est fait", "l'item 3 est terminé"
        r"^(?:le |l')?(?:point|item|suivi|action|point de suivi) (?:no |n° ?|#)?\d{1,3} (?:est |a ete )?(?:deja )?"
        r"(?:faite?|terminee?|completee?|ferme)\b",
        # "so you can close #7", "please mark action 3 as done"
        r"^(?:so )?(?:you can |please |feel free to )?(?:close|mark|tick off|check off) (?:off )?(?:action |item )?#?\d{1,3}"
        r"(?: (?:as )?(?:done|complete|completed|closed|off))?$",
        # the item named before in its sentence ("Priya did item 1 for me, so that one can be closed")
        r"^(?:so )?(?:that|this|it|that one|this one|that item|this item|that action|the item|the action|(?:action |item )"
        r"?#?\d{1,3}) (?:can|could) (?:now )?(?:be (?:closed|marked (?:as )?(?:done|complete|completed)|ticked off|"
        r"checked off|crossed off|taken off)|come off(?: the list)?)\b|"
        # the item it answers named as "that one" ("Sent it out this morning, so that one's done", typed under the item)
        r"^(?:so |and )?(?:that one|this one|that item|this item|that action|this action|that task|this task)"
        r"(?:'s| is| has been| was| can be marked) (?:now |all |already |officially )?(?:done|complete|completed|finished|"
        r"closed|taken care of|ticked off|checked off)\b|"
        r"^(?:ce point|cette action|ce suivi|cette tache|celui-ci|celle-ci|celui-la|celle-la) (?:est|a ete) (?:maintenant |"
        r"deja )?(?:fait|faite|termine|terminee|complete|completee|regle|reglee)\b|"
        r"^(?:ce point|cette action|ce suivi|cette tache|le point \d{1,3}|l'action \d{1,3}) (?:peut|pourra) (?:donc )?etre "
        r"(?:ferme|fermee|clos|close|retire|retiree|coche|cochee|marque comme (?:fait|faite|termine|terminee))\b",
    )),
    (Said.ATTACHED, _phrases(
        r"^(?:(?:please|pls|plz|kindly) )?(?:find|see) (?:attached|enclosed|the attached|my update attached|our)\b|"
        r"^attached (?:is|are|please|"
        r"you'll|you will|my|our|the)\b|^(?:here is|here's|here are|voici) (?:my|our|the|ma|mon|notre|nos|la|le)? ?"
        r"(?:update|report|"
        r"document|poster|slides?|presentation|file|brochure|mise a jour)\b|^(?:(?:my )?update|report|slides?|minutes|"
        r"poster|file|document)? ?attached$|^see attached\b|^(?:could|can) you (?:please )?use this (?:version|one|text)"
        r"(?: instead)?$|^(?:please )?use this (?:version|one|text)(?: instead)?$|^(?:here is|here's) (?:the |my )?"
        r"(?:correct|corrected|updated|new|right|revised) (?:version|update|text|one)\b|^(?:my|our) (?:update|report|mise a jour) is attached\b|^(?:here are|voici) (?:the )?(?:minutes|notes|le proces-verbal|"
        r"le compte rendu)\b",
        r"\bci-joint\b|\bci-jointe?s?\b|\ben piece jointe\b|^voir (?:la )?piece jointe\b",
    )),
    (Said.SENT_BEFORE, _phrases(
        # the update (or the answer) already sent: "Didn't I already send this?", "I already replied to the first email
        # with our piece", "I sent mine last week", "j'ai déjà envoyé ma mise à jour" (not "we already sent the forms to
        # the clinics": news)
        r"^(?:didn't|did not|haven't|have not|but|well|hmm|oh|i think|pretty sure|i'm pretty sure)?,? ?(?:i|we) "
        r"(?:'ve |have )?(?:already|previously) (?:sent|send|replied|reply|responded|submitted|answered|emailed|shared)"
        r"(?: (?:it|this|that|mine|ours|my update|our update|my piece|my reply|my roundtable update|you my update))?"
        r"(?: (?:in|on|last|earlier|before|to|with|a|the other)\b.*)?$|"
        r"^(?:i|we) (?:sent|submitted|emailed|shared) (?:it|this|mine|my update|our update|that|my piece|ours) "
        r"(?:already|last week|earlier|before|on the \d{1,2}(?:st|nd|rd|th)?|on \w+day)\b|"
        r"\b(?:did|didn't|did not) (?:you|it|my update|my reply|my email|that) (?:get|receive|come through|arrive|reach)\b|"
        # "I replied to the first email on December 30 with my introduction and a short update"
        r"^(?:i|we) (?:replied|responded|wrote back) to (?:the|your) (?:first |earlier |last |original |previous )?(?:email|"
        r"e-mail|message|mail|call|invitation|request)\b.*\b(?:update|introduction|reply|answer)\b|"
        r"\bif (?:it|that|my (?:update|reply|email)) (?:didn't|did not|hasn't|has not) (?:come through|arrive|reach)\b|"
        # sent again: "Resending in case this didn't go through the first time", "sending it again in case"
        r"^(?:i'm |i am |just )?(?:resending|re-sending|sending (?:this|it|my reply|my update) again)\b|"
        r"\bin case (?:it|this|that|my (?:update|reply|email|answer)) (?:didn't|did not|hasn't|has not|never) "
        r"(?:go|come|get|went|came|got) through\b|"
        r"^(?:j'|je |nous )(?:vous )?(?:l'|les )?(?:ai|avons) deja (?:envoye|transmis|repondu|soumis|partage)e?s?"
        r"(?: (?:ma|mon|notre) (?:mise a jour|update|reponse))?(?: (?:le|la|a|au|hier|la semaine)\b.*)?$|"
        r"\b(?:avez-vous|vous avez) (?:bien )?recu (?:ma|mon|notre) (?:mise a jour|update|reponse|courriel)\b",
        # the file the update sent before spoke of: "sorry, forgot the attachment! Here is the pilot summary I mentioned",
        # "j'avais oublié la pièce jointe"
        r"^(?:i )?(?:forgot|forgotten) (?:the |my |to (?:attach|include) (?:the |my )?)?(?:attachment|file|pdf|document|"
        r"summary|slides|report)\b|^here (?:is|are) the (?:[\w'-]+ ){0,3}(?:i|we) (?:mentioned|promised|talked about|"
        r"referred to)\b|^(?:j'ai |j'avais )?oublie (?:la piece jointe|le fichier|de joindre)\b|"
        r"^voici (?:le|la|les) (?:[\w'-]+ ){0,3}(?:promise?s?|mentionnee?s?|dont je (?:vous )?parlais)\b",
        # the update sent holds: "The update itself stays as is", "my update stands", "no change to my update", "keep my
        # update as is", "ma mise à jour reste telle quelle"
        r"^(?:the|my|our) (?:roundtable )?update (?:itself )?(?:stays|stands|remains|is unchanged|doesn't change|"
        r"does not change|can stay)\b|^(?:please )?(?:keep|leave) (?:my|our|the) (?:roundtable )?update (?:as is|as it is|"
        r"unchanged|the same)\b|^no changes? (?:to|in) (?:my|our|the) (?:roundtable )?update\b|"
        r"^(?:ma|notre|la) mise a jour (?:elle-meme )?(?:reste|demeure) (?:telle quelle|la meme|inchangee)\b|"
        r"^(?:mon|notre|l') ?update (?:reste|demeure) (?:tel quel|le meme|inchange)\b",
    )),
    (Said.MISSENT, _phrases(
        r"\b(?:meant|intended) for (?:my |our |someone|somebody|another|the previous|a different|the former|the other|"
        r"an? (?:internal|other|different)|the wrong)\b",
        # sent from the wrong mailbox, or meant for another group: "I replied from Dr. Bennett's mailbox by mistake", "that
        # answer was meant for Dr. Lau's committee, not this CoP"
        r"\b(?:replied|answered|sent (?:it|this|that)?) ?from (?:the wrong|(?:(?:dr|mr|ms|mrs)\.? )?[\w.'-]+'s|my colleague's|"
        r"another) (?:mailbox|inbox|account|address|email)\b|"
        r"\b(?:meant|intended) for (?:(?:dr|mr|ms|mrs)\.? )?[\w.'-]+'s (?:committee|group|team|meeting|list|network|clinic|"
        r"board|practice)\b",
        r"\b(?:the )?(?:wrong|incorrect) (?:person|address|email address|e-mail address|recipient|contact)\b",

        r"\bmy predecessor\b|^(?:i'm|i am) new (?:in|to) (?:the|this|my) (?:role|position|job)\b|"
        r"^(?:i have|i've) (?:just )?(?:taken over|stepped into|replaced)\b",
        r"\bdestine a (?:mon|ma) (?:predecesseur|predecesseure|predecessrice)\b|\bmauvaise (?:personne|adresse)\b|"
        r"\b(?:etait|est) destinee? a (?:mon|ma|mes|notre|nos|un|une|quelqu'un|l'autre|une autre)\b|"
        r"\b(?:ne vous |ne t')(?:etait|est) pas destinee?\b|\b(?:wasn't|was not|isn't|is not) (?:meant|intended) for you\b|"
        r"^(?:il|elle|ce (?:courriel|message|mail)(?:-la)?|ca) (?:etait|est) pour (?:mon|ma|mes|un|une|notre|nos) "
        r"(?:collegues?|adjointe?|assistante?|equipe|personnel|conseil)\b|"
        r"^je suis nouvelle? (?:dans|a) (?:le|ce|mon) poste\b",
        # the mail itself went astray: "I may have replied to the wrong email", "I think I got this by mistake"
        r"\b(?:replied|responded|answered|wrote|written|sent (?:it|this|that|my \w+)) (?:to|on|in) the wrong "
        r"(?:email|e-mail|message|thread|address|chain)\b|\b(?:got|received|getting|receiving) (?:this|it|these) by "
        r"mistake\b|\b(?:j'ai )?recu (?:ce message|ce courriel|ceci|cela) par erreur\b|"
        # "je me suis trompée de fil", "je me suis trompé de courriel", "mauvais fil"
        r"\bje me suis trompee? de (?:fil|courriel|message|destinataire|conversation|adresse|groupe)\b|"
        r"\b(?:mauvais fil|mauvaise conversation|mauvais courriel)\b",
        # what came with it does not work: "The pilot summary PDF attached to the agenda won't open", "I can't open the
        # attachment", "le lien ne fonctionne pas", "je n'arrive pas à ouvrir le fichier"
        # (looked for anywhere, behind its words' test: a pattern led by any words would be tried on every clause)
        r"\b(?:attachment|attached file|pdf|file|document|link|slides?)(?: [\w'-]+){0,6} (?:won't|doesn't|does not|"
        r"will not|isn't|is not|wouldn't) (?:open|load|work|download|display)\b|"
        r"^(?:i )?(?:can't|cannot|couldn't|could not|am unable to|i'm unable to) (?:seem to )?(?:open|download|access|view) "
        r"(?:the |your |this )?(?:[\w'-]+ ){0,3}?(?:attachment|attached|pdf|file|document|link|slides)\b|"
        r"^(?:le|la|ce|cette) (?:fichier|piece jointe|lien|pdf|document)(?: [\w'-]+){0,4} ne (?:s'ouvre|fonctionne|marche|"
        r"s'affiche) pas\b|^je n'arrive pas a (?:ouvrir|telecharger) (?:le|la) (?:fichier|piece jointe|pdf|document|lien)\b|"
        # ... or is not there: "the packet says the resource map is attached but I can't find it on my phone", "the PDF
        # seems to be missing", "je ne trouve pas la pièce jointe"
        r"^(?:the |your |this )?(?:packet|agenda|email|e-mail|message|mail|invitation|digest) (?:says|said|mentions|lists) "
        r"(?:that )?(?:[\w'.-]+ ){1,8}(?:is|was|are|were) (?:attached|included|enclosed)$|"
        r"^(?:i )?(?:can't|cannot|couldn't|could not|don't|do not) (?:seem to )?(?:find|see|locate) (?:(?:it|them)(?= (?:on my "
        r"(?:phone|ipad|tablet|laptop|computer)|in the (?:email|e-mail|message|packet|agenda|mail)|attached|anywhere)\b)|"
        r"(?:the|your|this|that) (?:[\w'-]+ ){0,3}?(?:attachment|attached file|pdf|document|map|slides|file))\b|"
        r"\b(?:attachment|attached file|pdf)s? (?:is |are |was |were )?(?:seems? to be |appears? to be )?"
        r"(?:missing|not attached|not there|not included)\b|"
        r"^je ne (?:trouve|vois) pas (?:la piece jointe|le fichier|le document|le pdf|la carte|les diapos)\b",
        # who reads the mailbox for now: "covering the PMH support inbox while Sam is off", "minding Grace's inbox"
        r"^(?:i'm |i am )?(?:covering|minding|monitoring|checking|looking after|watching|managing) (?:the |[\w'-]+'s )?"
        r"(?:[\w'-]+ ){0,3}(?:inbox|mailbox|email|e-mail|mail)\b",
        # where the mail should go from now on: "my email will change to ...", "please use my new address", "mon adresse
        # courriel change"
        r"\bmy (?:e-?mail|email address|e-mail address|address) (?:will change|is changing|changes|has changed|will be)\b|"
        r"\b(?:use|update|change) (?:my|to my) (?:new )?(?:e-?mail|email address|address|contact)\b|\bmy new (?:e-?mail|email "
        r"address|address) (?:is|will be)\b|\bmon (?:adresse|courriel)(?: courriel)? (?:change|va changer|sera|a change)\b|"
        r"\bma nouvelle adresse(?: courriel)? (?:est|sera)\b|"
        # the move itself and what becomes of the old address: "Our Division is moving to a new email domain", "The old one
        # will forward for a few months", "please update the list when you get a chance"
        r"\b(?:moving|switching|changing|migrating) (?:over )?to (?:a )?new (?:e-?mail|email) (?:domain|address|system|provider)\b|"
        r"^(?:the |my |our )?old (?:one|address|e-?mail|email address|domain) will (?:still )?(?:forward|redirect|work|"
        r"keep working)\b|^(?:please |pls |could you |can you )?update (?:the|your) (?:list|mailing list|records|"
        r"distribution list|contact list)\b",
    )),
    (Said.PROMISE, _phrases(
        # (what it waits for may come first: "if our survey results are back by Wednesday I'll send you a few lines")
        r"^(?:(?:if|once|when|as soon as) [^,]{1,80}?,? )?"
        # (or expected: "They expect to send them tomorrow morning", "we plan to circulate them Friday")
        r"(?:i'll|i will|will|i'm going to|i am going to|i shall|we'll|we will|(?:i|we|they) (?:expect|plan|hope|intend) to|"
        r"(?:he|she) (?:expects|plans|hopes|intends) to) (?:still |also |just )?(?:try to )?"
        # (after doing something to it first: "I'll clean them up tonight and send the minutes in first thing tomorrow")
        r"(?:[a-z]+ (?:them|it|these|this|those)(?: up| over| out)?(?: tonight| today| first| quickly)? and )?"
        r"(?:send|resend|re-send|get|forward|share|"
        r"reply|respond|follow up|get back|write|circulate|email|submit|have)\b.{0,60}"
        r"(?:later|soon|tomorrow|shortly|by \w+|next week|this week|before|after|after that|afterwards|asap|monday|tuesday|wednesday|"
        r"thursday|friday|weekend|tonight|in a (?:bit|few|day)|update|something|it|you|(?:the )?deadline|(?:the )?cut-?off|"
        # an introduction promised (to the welcome): "will send a proper intro once I'm back at my desk"
        r"intro|introduction|"
        # a meeting named as the time: "I'll send a short intro before the February one"
        r"(?:before|after|ahead of) (?:the |our |next |this )?[\w'-]+(?: (?:one|meeting|session|call))?|"
        r"(?:a few|a couple of|some) (?:lines|words|sentences|notes))"
        r"(?: (?:morning|afternoon|evening|night|at the latest|latest))?"
        # ... what comes with it ("tomorrow morning with the recording link")
        r"(?: (?:with|along with|together with) (?:the |a |an |our |my )?[\w' -]{1,40})?"
        # ... and what it waits for ("once our steering committee has met", "when I have the numbers")
        r"(?:,? (?:once|when|after|as soon as|if|because|since|after|so) .*)?$",
        # the update named first, as a writer of English as a second language may put it: "Update I will send after holiday"
        r"^(?:the |my )?update,? i (?:will|'ll|shall) (?:send|share|submit)\b|"
        r"^(?:update|more|details|my update) to follow\b|^(?:my |the |our )?update (?:is )?(?:coming|on (?:its|the) way)\b|^(?:working|still working) on it\b|^on it$|^will do$|"
        r"^stay tuned\b|^noted$|^(?:got|received) it\b|^(?:well )?received\b|^message received\b|^bien recu\b|"
        r"^c'est note\b|^je m'en occupe\b|^je vous (?:reviens|reviendrai|envoie|enverrai|ferai parvenir)\b|"
        r"^a suivre\b|^(?:i'll|i will|will) let you know\b|^je vous tiens au courant\b|^(?:not yet|pas encore)\b|"
        r"^(?:i )?(?:don't|do not) have (?:them|it|the minutes|my update|an update) (?:ready )?yet\b|"
        r"^je ne (?:les|l')ai pas encore\b|^(?:i have|i've got|just|one|a) (?:a |one )?(?:quick |small )?questions?$|"
        r"^(?:quick |small )?questions?$|^(?:j'ai )?une (?:petite )?question$",
        # the minutes from someone else: "Sam's doing the minutes this time", "so he should have them to you tomorrow",
        # "Sam will write up the minutes when he's back on Monday",
        # "c'est Sam qui rédige le compte rendu"
        # (looked for anywhere, behind its words' test: "minutes" or "notes")
        r"\b(?:'s|is|will be|'ll be|'re|are) (?:doing|writing|writing up|typing up|taking|handling|preparing|drafting|sending|"
        r"putting together|pulling together|taking care of) (?:the |this month's )?(?:minutes|notes)\b|"
        r"\b(?!(?:i|we)\b)[\w-]+(?: will|'ll| is going to) (?:write up|write|send|do|prepare|draft|circulate|share|"
        r"put together|pull together) (?:the |this month's )?(?:minutes|notes)\b|"
        r"\b(?:the )?(?:minutes|notes) (?:will|should|are going to) (?:come|be coming) from\b|"
        # "Sam took the notes yesterday, not me", "He said he'd have the minutes over to you by end of day"
        r"\b(?!(?:i|we)\b)[\w-]+ took (?:the )?(?:minutes|notes)\b|"
        r"^(?:he|she|they) said (?:he|she|they)(?:'d| would| will|'ll) (?:have|send|get) (?:the )?(?:minutes|notes|them) "
        r"(?:over |out )?(?:to you)?",
        r"^(?:so |and )?(?:he|she|they) (?:should|will|'ll|is going to|are going to) (?:have|get|send) "
        r"(?:them|it|those) (?:to you|out|over)\b|^c'est [\w'-]+ qui (?:fait|redige|prepare|envoie|enverra) (?:le compte "
        r"rendu|les notes|le proces-verbal)\b",
        # something may come later: "I might have something to share", "we may have an update next week"
        r"^(?:i|we) (?:might|may|should|will|'ll|could) (?:have|send) (?:something|an update|a (?:short |quick )?"
        r"update|news|more)(?: (?:to share|to report|for you|later|soon|next week|by \w+))*$|"
        r"^(?:j'aurai|j'aurais|nous aurons) peut-etre (?:quelque chose|une mise a jour)\b|"
        # deferrals: "let me think about it", "I'll get back to you", "I need to check with Dr. Chen first"
        r"^let me (?:think|check|confirm|get back|look into|find out|see|talk|ask|consult|circle back|sleep on)\b|"
        r"^(?:i'll|i will|will|i need to|i have to|i must|i want to|i'd like to) (?:think (?:about|it)|mull|"
        r"get back to you|circle back|check (?:with|first|and)|confirm (?:with|first|and)|talk to|consult)\b|"
        r"^(?:laissez-moi|je vais|je dois|il faut que je) (?:y )?(?:reflechir|verifier|confirmer|consulter|"
        r"en parler|vous revenir)\b",
        # the introduction kept for the meeting: "I'd rather introduce myself at the meeting itself"
        r"^(?:i'd|i would) (?:rather|prefer to|like to) introduce myself (?:at|in|during) (?:the )?(?:meeting|call|session|"
        r"roundtable|person)\b|^(?:i'll|i will) introduce myself (?:at|in|during) (?:the )?(?:meeting|call|session|"
        r"roundtable|person)\b|^je (?:me presenterai|prefererais me presenter) (?:a|lors de|pendant) la (?:rencontre|reunion)\b",
        # the minutes announced, not sent: "Sam will send the minutes tomorrow", "minutes to follow"
        r"^(?:[\w'-]+ ){0,3}(?:will|'ll|is going to|are going to|am going to) (?:send|share|circulate) (?:out )?"
        r"(?:the |our )?(?:written |full |final |draft |formal )?(?:minutes|notes|meeting notes)\b|"
        r"^(?:[\w'-]+ ){0,3}(?:is|are|am|'m|'s) (?:writing up|finishing|preparing|working on|drafting|typing up) (?:the |our )?"
        r"(?:written |full |final |draft )?(?:minutes|notes)\b|"
        r"^(?:the )?(?:written |full |final )?(?:minutes|notes) (?:will follow|to follow|are coming|coming)\b|"
        r"^(?:i've|i have|i) (?:asked|told) (?:[\w'-]+ ){1,3}to (?:write|type|send|circulate|put) (?:these|them|the minutes|"
        r"it|the notes) (?:up|out|around)?\b|^(?:[\w'-]+ ){0,3}(?:enverra|va envoyer|enverrai|vais envoyer|partagera|fera circuler) le "
        r"(?:compte rendu|proces-verbal)\b|^(?:le )?(?:compte rendu|proces-verbal) (?:suivra|a suivre|viendra)\b|"
        r"^(?:i'll|i will|i'm going to|i am going to) leave (?:the |our )?(?:minutes|notes|write-up) (?:to|with) \w+|"
        r"^(?:je vous laisse|je laisse (?:a )?\w+) (?:le compte rendu|le proces-verbal|les notes)\b",
    )),
)
_COURTESY = (
    (Lazy(r"^(?:and |et |also |aussi )?(?:happy|merry|joyeux|joyeuse|bonne|bon) (?:thanksgiving|holidays?|new year|christmas|"
          r"easter|long weekend|canada day|summer|fete|fetes|action de grace|annee|vacances|ete|weekend|long week-end)\b"), 12),
    # a wish for the season or the year: "and all the best to you and the team for 2027!", "meilleurs voeux pour 2027"
    (Lazy(r"^(?:and |et |also |aussi )?(?:all the best|best wishes|warm(?:est)? wishes|wishing (?:you|everyone|all)|"
          r"meilleurs voeux|tous mes voeux|mes meilleurs voeux)\b.*\b(?:new year|holidays?|season|20\d\d|year ahead|"
          r"nouvelle annee|fetes|annee)\b"), 16),
    (Lazy(r"^(?:thanks|thank you|thx|ty|tyvm|merci|many thanks|much appreciated|appreciated|appreciate it|"
                r"cheers|thank u|mille mercis|un gros merci|merci beaucoup|merci bien)\b(?! to\b)"), 14),
    (Lazy(r"^(?:hi|hello|hey|dear|good (?:morning|afternoon|evening|day)|greetings|bonjour|bonsoir|salut|allo|"
                r"cher|chere|chers|cheres)\b"), 5),
    (Lazy(r"^(?:best|regards|kind regards|warm regards|warmly|sincerely|cordialement|salutations|bien a vous|"
                r"a bientot|take care|talk soon|all the best|bonne (?:journee|semaine|fin de semaine|soiree)|"
                r"have a (?:good|great|nice|wonderful|lovely) (?:day|week|weekend|evening|one)|amities)\b"), 6),
    (Lazy(r"^(?:hope|i hope|j'espere|en esperant) (?:you|you're|this|all|everyone|that|que|vous|tout)\b"), 10),
    (Lazy(r"^(?:great|perfect|wonderful|excellent|awesome|fantastic|super|parfait|genial|formidable|lovely|"
                r"nice|cool|fabulous|merveilleux|tres bien|sounds (?:good|great|perfect)|will do|noted|good|"
                r"got it|ok|okay|d'accord|entendu|bravo|congrats|congratulations|felicitations)\b"), 3),
    (Lazy(r"^(?:sorry|so sorry|desolee?|apologies|my apologies|oops|pardon|excusez-moi|my bad)$"), 2),
    (Lazy(r"^(?:that's all|that is all|nothing else|nothing more|rien d'autre|c'est tout)(?: from me| for now| for me| de ma part|"
          r" pour moi| pour l'instant)?$"), 5),
    (Lazy(r"^(?:i|she|he|they|elle|il) (?:say|says|said|is|am|are|'s|'m|dit|est) (?:very |so |really )?(?:sorry|desolee?)$"), 5),
    (Lazy(r"^(?:(?:toutes )?mes excuses|my apologies|apologies|sorry) (?:a|to) [\w'-]+(?: [\w'-]+)?$"), 5),
    (Lazy(r"^(?:sorry|apologies|my apologies|desolee?|toutes mes excuses) (?:for|about|pour) (?:the |my |ce |le |mon |la )?"
                r"(?:delay|late|delayed|slow|retard|oversight|noise|confusion|mix-?up|spam|extra (?:email|message)|"
                r"double (?:email|message)|duplicate|bruit|mélange|melange)\b"), 10),
    (Lazy(r"^(?:looking forward|look forward|i look forward|au plaisir|hate to miss|see you soon|a la prochaine)\b"), 14),
    # praise of what we sent, and of the work behind it: "really helpful to have everyone's updates in one place",
    # "l'ordre du jour est très complet", "Appreciate all the work that goes into pulling this together!"
    # (what is praised named: "it's really helpful to have the navigator in clinic" is news)
    (Lazy(r"^(?:really |very |super |so )?(?:helpful|useful) to (?:have|see|get|read) (?:everyone's|everybody's|all the|"
          r"all of the|the) (?:updates|notes|summaries|information)\b|"
          r"^(?:the (?:packet|agenda|draft|minutes|summary|digest|notes|package) (?:is|are|was|were|looks?)|l'ordre du jour est|"
          r"le compte rendu est) (?:really |very |super |so |tres |vraiment )?(?:helpful|useful|complete|thorough|clear|"
          r"great|excellent|complet|utile|clair|bien fait|parfait)\b"), 14),
    (Lazy(r"^(?:i |we )?(?:appreciate|really appreciate|j'apprecie|nous apprecions) (?:all )?(?:the|your|this|le|votre) "
          r"(?:work|effort|efforts|time|travail)\b"), 14),
)
_NAME = Lazy(r"^(?:[A-ZÀ-Ý][\w.'-]*\.?|dr\.?|Dr\.?|Dre?\.?)(?:\s+[A-ZÀ-Ý][\w.'-]*\.?){0,3}"
                   r"(?:,?\s+(?:MD|CCFP|FCFP|FRCPC|PhD|RN|NP|MSc|MPH|MBA|MHA|BSc|MSW|RSW|OT|PT|RD|CPA)\b[\s,]*)*$")
_EXCUSE = Lazy(
    r"\b(?:busy|hectic|crazy|swamped|slammed|chaotic|overwhelmed|a lot going on|short[- ]staffed|on leave|sick|ill|"
    r"vacation|holidays?|away|travell?ing|clinic|on call|conflict|appointment|conference|family|moving|move|"
    r"occupee?|debordee?|chargee?|conge|malade|vacances|rush|fou|folle|rough|tough|packed|stretched|stressful|intense|"
    r"insane|nuts|brutal|full plate|epuisante?|intense)\b"
)


# A word one of which every match of an unanchored alternative holds whole (tests/test_replies_floating_words.py
# holds each alternative to it): a clause holding none is not searched for them (most clauses hold none).
_UNSUBSCRIBE_WORDS = frozenset("""
unsubscribe i we me my je desabonne desabonner desabonnez desinscrire desinscrivez desinscris retire retirer retirez
enleve enlever enlevez supprime supprimer supprimez raye rayer rayez besoin inutile necessaire utile
""".split())
_READ_WORDS = frozenset("ci piece meant intended wrong incorrect predecessor destine destinee mauvaise mistake erreur "
                        "did didn if avez email mail address adresse courriel contact attachment pdf file document link "
                        "slide slides minutes notes mailbox inbox account trompe trompee mauvais".split())
_OPEN_READ_WORDS = frozenset("done complete completed finished closed can could send share circulate minutes notes compte "
                             "proces".split())

# read first, on the whole clause
_UNSUBSCRIBE = Phrases(*dict(_TABLES)[Said.UNSUBSCRIBE].patterns, floating_words=_UNSUBSCRIBE_WORDS)
_READ_AFTER_LEAD_IN = tuple((kind, table) for kind, table in _TABLES if kind is not Said.UNSUBSCRIBE)
# Every alternative of those tables in one: most clauses are content that none of them reads, and
# one look tells so (the tables are tried one by one, in order, only when it finds something).
# (its anchored alternatives that may start with any character, "#7 is done", "that one can be closed", "Sam will send
# the minutes", "elle enverra le compte rendu", "# 7 done", each hold one of _OPEN_READ_WORDS:
# tests/test_replies_open_words.py)
_ANY_READ_AFTER_LEAD_IN = Phrases(*(pattern for _, table in _READ_AFTER_LEAD_IN for pattern in table.patterns),
                                  floating_words=_READ_WORDS, open_words=_OPEN_READ_WORDS)


_ONE_MEETING = Lazy(
    r"\s*(?:for|from|pour) (?:the |this |that |next |our |la |cette |le )?(?:[\w'-]+ )?(?:meeting|session|call|month|"
    r"rencontre|reunion|seance|mois)\b|\s*(?:for|pour) (?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|janv|fev|avr|"
    r"mai|juin|juil|aout|sept)[a-z]*\b")


# a courtesy as it is texted, at the end: "pls", "plz", "thx", "ty", "stp"
_TEXTED_COURTESY = (" pls", " plz", " pls!", " thx", " ty", " stp", " svp", ",pls")
_TRAILING_TEXTED = re.compile(r"[\s,]+(?:pls|plz|thx|ty|stp|svp)!?$")
_TRAILING_EMOJI = re.compile(f"[\\s{EMOJI}\ufe0f]+$")


_HYPOTHETICAL = re.compile(r"\b(?:if|in case|unless|when|si|au cas ou|lorsque)\b")


def said(clause: Clause) -> Said | None:
    """What the clause is, of the kinds in ``Said``; None for anything else (content, answers, commands)."""
    text = clause.folded if clause.folded[-1:].isascii() else _TRAILING_EMOJI.sub("", clause.folded)
    if text.endswith(_TEXTED_COURTESY):
        text = _TRAILING_TEXTED.sub("", text)        # "skip me this month pls", "undo plz": the words before it
    match = _UNSUBSCRIBE.search(text, clause.tokens)
    if match and not _negated(text[:match.start()]) and not _ONE_MEETING.match(text, match.end()):
        if LATER_ON.search(text[:match.start()]) or _LATER_AFTER.search(text, match.end()):
            return Said.LEAVE_LATER     # "after that please take me off", "take me off the list after the February meeting"
        return Said.UNSUBSCRIBE         # ("take me off the list for the January meeting" declines that one)
    rest = without_lead_in(text)          # each run of word characters of ``rest`` is one of the clause's
    if _ANY_READ_AFTER_LEAD_IN.search(rest, clause.tokens):
        for kind, pattern in _READ_AFTER_LEAD_IN:
            if (found := pattern.search(rest)) is not None:
                if kind is Said.MISSENT and found.start() and _HYPOTHETICAL.search(rest, 0, found.start()):
                    continue            # "... if the main link doesn't work for him": what may happen, not what did
                return kind
    return Said.COURTESY if courtesy(clause) else None


# a later time named after the words of leaving: "take me off the list after the February meeting", "... à partir de mars"
_MONTH_NAMES = (r"(?:january|february|march|april|may|june|july|august|september|october|november|december|janvier|fevrier|"
                r"mars|avril|mai|juin|juillet|aout|septembre|octobre|novembre|decembre)")
# (a month named, or the next: "after this month" and "after this month's meeting" are now, this cycle being the last)
_LATER_AFTER = re.compile(rf"\b(?:after|apres) (?:the |le )?\d{{1,2}}(?:st|nd|rd|th|er)?\b|"    # "after the 12th", "après le 12"
                          rf"\b(?:after|apres) (?:this|that|today's|tomorrow's|this month's|next month's|our next|the next|"
                          rf"the upcoming|cette|la prochaine) (?:meeting|session|call|one|rencontre|reunion|seance)\b|"
                          rf"\b(?:after|apres) (?:the |our |la |le )?(?:{_MONTH_NAMES}|next)(?:'s)? (?:meeting|session|month|"
                          rf"cycle|rencontre|reunion)\b|\b(?:apres la|apres le) (?:rencontre|reunion) d[e'] ?{_MONTH_NAMES}\b|"
                          rf"\b(?:after|apres|from|starting|as of|at the end of|a partir de|des) (?:the )?(?:end of )?"
                          rf"{_MONTH_NAMES}\b")
LATER_ON = re.compile(r"\b(?:after (?:that|this|the|my|our|\w+)|from (?:april|march|may|june|july|the|next)|"
                       r"at the end of|once (?:i|my|the)|apres (?:la|le|ca|cela)|"
                       # (not now: "à partir de maintenant", "as of today", "starting now")
                       r"(?:starting|as of|a partir d[eu']|des (?:le|la))\b(?! ?(?:now|today|immediately|right away|this week|"
                       r"maintenant|aujourd'hui|tout de suite|ce jour|cette semaine)\b))")


def _negated(head: str) -> bool:
    return bool(re.search(r"\b(?:not|never|no need)\b|n't\b|\b(?:dont|ne)\b", head))


# All the courtesy patterns in one, to tell at one look that a clause starts with none of them.
_ANY_COURTESY = Alternatives(pattern.source for pattern, _ in _COURTESY)


# who writes, introduced by name ("this is Mei-Ling from Dr. Bennett's office", "c'est Julie du bureau du Dr Gagnon"):
# the name capitalised as written ("c'est bien l'heure du Pacifique?" introduces nobody)
_INTRODUCED = re.compile(r"^(?:[Tt]his is|[Ii]t's|[Ii]t is|[Ii]ci|[Cc]'est) [A-ZÀ-Ý][\w'’-]*(?: [A-ZÀ-Ý][\w'’-]*)?,? "
                         r"(?:from|at|with|de|du|au|chez) [^,;?]+$")


def courtesy(clause: Clause) -> bool:
    """Thanks, a greeting, a sign-off, good wishes, or who writes: no content and no request."""
    if clause.folded.startswith(("this is ", "it's ", "it is ", "ici ", "c'est ")) and clause.words <= 10 \
            and _INTRODUCED.match(clause.text):
        return True
    if ":" in clause.folded or not _ANY_COURTESY.match(clause.folded):
        return False
    words = clause.words
    return any(words <= most and pattern.match(clause.folded) for pattern, most in _COURTESY)


def name(clause: Clause) -> bool:
    """A bare name ("Dana", "Dr. Amara Singh, MD"), as under a sign-off."""
    return clause.words <= 5 and bool(_NAME.match(clause.text.strip(" ,.-–—")))


def excuse(clause: Clause) -> bool:
    """A short reason for saying no ("it has been a hectic month"): not an update next to a skip."""
    return clause.words <= 14 and bool(_EXCUSE.search(clause.folded))


def words(text: str) -> int:
    return len(WORD.findall(text))


# A question to the organisers ("is it OK if I send it Monday?", "could you resend the slides?") asks something
# of them; a question to the members ("has anyone tried ride vouchers?") is part of an update.
_TO_ORGANISERS = Lazy(
    r"^(?:(?:can|could|would|will|may|should|shall) (?:you|i|we)|(?:is|would) (?:it|that) (?:be )?(?:ok|okay|alright|"
    r"all right|possible|fine)|"
    r"(?:are|do|will|did|have) we (?:still )?(?:meet|meeting|have|on|going|skip|skipping|get)|is (?:the|our|this) "
    r"(?:meeting|session|call|cop) (?:still )?(?:on|happening|going ahead|in person)|"
    r"(?:when|where|what time|how) (?:is|are|do|does|should|can|will|would)|(?:when|where|how)'s |what(?:'s)? happened to |"
    r"(?:is|will|are) (?:the|there|this|that|it)|"
    # what the meeting decided, for one who missed it: "What was decided about ...?", "Qu'est-ce qui a été décidé ?"
    r"what (?:was|were|did we|got) (?:decided|agreed|discussed|said)|qu'est-ce qu(?:i|e|')|"
    # which of our messages, or of the sender's, is meant: "which reply is this about?", "was that my answer to the invite?"
    r"which (?:reply|email|e-mail|message|mail|answer|one) (?:is|are|was|were|do|did|does)|(?:was|were) (?:that|this|it) "
    r"(?:my|the|your)|"
    r"do (?:you|i|we) (?:still |really |actually |even |just )?(?:need|have|want|speak|send|present|say|talk)|"
    r"does (?:it|this|that|the update|my update) (?:need|have) to|what(?:'s| is) the (?:deadline|link|date|time|room)|"
    r"(?:did|have|has) (?:you|anyone on your end|the team) (?:get|got|receive|received|see|seen)|"
    # what someone else knows or has, which staff can check: "does Aisha know she's up first?"
    r"(?:does|did|has|is) (?!anyone\b|anybody\b|everyone\b|any\b)[\w'-]+ (?:know|realize|realise|remember|have|"
    r"already|still|plan|got)|"
    r"(?:did|has|didn't|hasn't) (?:it|my update|that|my email|my reply) (?:not )?(?:come through|arrive|arrived|get through|"
    r"reach you|go through)|"
    r"est-ce que (?:je|vous|nous|on|la|le|ca|cela|c'est|ma|mon|mes|notre|nos|les|l')|est-ce qu'(?:on|il|elle|ils|elles)|"
    r"est-ce (?:correct|ok|possible|grave|un probleme) (?:si|que)|"
    r"(?:pouvez|pourriez)-vous|puis-je|(?:quand|ou|a quelle heure) "
    r"(?:est|a lieu|aura lieu)|(?:l'|les? |la )?(?:avez|aviez|auriez)-vous)\b"
)
_TO_MEMBERS = Lazy(r"\b(?:anyone|anybody|any of you|others|other members|everyone|folks|colleagues|members|"
                   r"quelqu'un|d'autres|les membres)\b")


# A question to the organisers that asks to know or to check, not to change the agenda ("Can you confirm Amrit has
# co-host rights?", "Est-ce qu'Amrit a les droits pour partager son écran?", "Is Room 201 confirmed?")
_ASKS_TO_KNOW = Lazy(
    r"^(?:(?:can|could|would|will) you (?:please |just |also )?(?:confirm|check|double[- ]?check|verify|see if|find out|let (?:me|us) know|"
    r"tell (?:me|us)|make sure|remind)|(?:is|are|does|do|did|has|have|will) (?!we\b|you\b)[\w'-]+|est-ce (?:que|qu')|"
    r"(?:pouvez|pourriez)-vous (?:me |nous )?(?:confirmer|verifier|dire)|(?:a|as)-t-(?:il|elle))\b")


def asks_to_know(clause: Clause) -> bool:
    """A question to the organisers that asks to know or to check something, no change (see ``_ASKS_TO_KNOW``); a
    question that asks to move, put or change something asks a change ("est-ce qu'on pourrait mettre la présentation
    avant le tour de table?")."""
    if _CHANGES_SOMETHING.search(clause.folded):
        return False
    return to_organisers(clause) and _ASKS_TO_KNOW.match(without_lead_in(clause.folded)) is not None \
        or (clause.question and clause.folded.startswith("est-ce"))


# the video call's setup, which staff see to and the agenda does not hold: "Could you make her a co-host on the video
# call?", "can you send Priya the link?", "pourriez-vous lui donner les droits d'hôte?"
_CALL_SETUP = Lazy(r"\b(?:co-?hosts?|host (?:rights|privileges|controls)|hosting rights|breakout rooms?|waiting room|"
                   r"screen[- ]?shar(?:e|ing)|share (?:my|her|his|their|the) screen|(?:zoom|teams|video|meeting|call) link|"
                   r"send (?:her|him|them|me|[a-z]+) the (?:link|invite|invitation)|admit (?:her|him|them)|dial-in|passcode|"
                   r"coanimat(?:eur|rice)|droits d'hote|lien (?:zoom|teams|de la rencontre|de la reunion|video))\b")
_AGENDA_WORDS = Lazy(r"\b(?:agenda|items?|topics?|presenter|presentation|order|slot|minutes|ordre du jour|points?|sujets?)\b")


def asks_call_setup(clause: Clause) -> bool:
    """A question to the organisers about the call's setup (co-host rights, the link, breakout rooms): something staff
    do, no change to the draft."""
    return clause.question and _CALL_SETUP.search(clause.folded) is not None \
        and _AGENDA_WORDS.search(clause.folded) is None and not _CHANGES_SOMETHING.search(clause.folded)


_CHANGES_SOMETHING = Lazy(r"\b(?:(?:we|you|on|tu|vous) (?:could |can |pourrait |pourrais |pourriez )?(?:move|swap|switch|put|"
                          r"reorder|rearrange|shorten|mettre|changer|deplacer|inverser|raccourcir|modifier|remplacer|"
                          r"ajouter|enlever|retirer|placer|passer)|(?:pourrait|pourrais|pourriez|could|can) (?:mettre|"
                          r"deplacer|inverser|move|swap|put|switch|changer|change|placer|passer))\b")


_STAFF_CHECK = Lazy(r"^(?:can|could|would|will) you (?:please |just |also )?(?:confirm|check|double[- ]?check|verify|"
                   r"make sure|let me know|tell me)\b")


def to_organisers(clause: Clause) -> bool:
    """A question the organisers are asked, not one put to the group."""
    if not clause.question:
        return False                    # (asked of every clause of an update's content: most ask nothing)
    asked = without_lead_in(clause.folded)
    asked = asked[3:] if asked.startswith(("or ", "ou ")) else asked   # "..., or do I just speak to it?"
    # ("everyone" named in what staff are asked to check is no question to the group: "can you confirm the updated
    # invite went to everyone?")
    return bool(_TO_ORGANISERS.match(asked)) and (
        not _TO_MEMBERS.search(clause.folded) or _STAFF_CHECK.match(asked) is not None)
