"""The set phrases in which members say whether they come ("count me in", "send my regrets", "put me down as a
maybe", "I'll be 5 minutes late", "I have to leave at 12:30", "I'll confirm by Friday"), English and French, matched on
a clause folded and without its lead-in (``rsvp.attendance`` reads them, and the verbs around them)."""

from __future__ import annotations

from mailflow.mail_in.replies.clauses import MONTH_EN, Phrases

# the answer changed: "could you change my answer to maybe?", "please put me back down as attending", "pourriez-vous
# changer ma réponse pour « peut-être »?"
_CHANGED_EN = (r"^(?:(?:could|can|would|will) you |please |pls |kindly )*(?:change|switch|update|set|make) (?:my (?:answer|"
               r"response|rsvp|reply|attendance)|me) (?:to|as|into) (?:a |an )?[\"“«]? ?")
_CHANGED_FR = (r"^(?:(?:pourriez|pouvez)-vous |svp |merci de |veuillez )*(?:changer|modifier|mettre) ma (?:reponse|"
               r"participation|presence) (?:pour|a|en) (?:un |une )?[\"“«]? ?")
# asked for as a favour: "can you put me down as a maybe for the 12th?"
_ASKED = r"(?:(?:could|can|would|will) you (?:please |pls )?|please |pls |kindly )*"
# and in French: "mettez-moi comme « peut-être »", "inscrivez-moi comme absente", "notez-moi présent"
_ASKED_FR = (r"^(?:(?:pouvez|pourriez)-vous |svp |merci de |veuillez )*(?:mettez|mettre|inscrivez|inscrire|notez|noter|"
             r"marquez|marquer)-?moi (?:comme |en |pour (?:un |une )?)?\"? ?")
# fine, said of the day with no subject: "Should be fine", "should be ok for the 12th" (a yes; a maybe on a condition)
_FINE = r"^should be (?:fine|ok|okay|good|doable|no problem)(?: for me| for (?:tuesday|the \d{1,2}(?:st|nd|rd|th)?|that day))?"
_MONTHS_EN_FR = (r"(?:january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|"
                 r"apr|jun|jul|aug|sep|sept|oct|nov|dec|janvier|fevrier|mars|avril|mai|juin|juillet|aout|septembre|octobre|"
                 r"novembre|decembre|janv|fevr|avr|juil)")
ACCEPT_PHRASES = Phrases(
    # there already, as the meeting starts: "I'm on the link but it says waiting for the host", "I've been in the waiting
    # room since noon", "Je suis sur le lien depuis midi", "je reste en ligne en attendant"
    r"^(?:i'm|i am|i've been|i have been)(?: already| now| still)? (?:on|in|logged (?:in|on)(?: to)?|connected to|"
    r"dialled in to|dialed in to|sitting in) (?:the (?:link|call|meeting|video ?call|video link|waiting room|lobby)|zoom|"
    r"teams)(?! (?:list|invite|invitation|details|info|information|for|with|about)\b)\b|"     # ("I'm on call": on duty)
    r"^(?:i've|i have) (?:already )?(?:joined|logged (?:in|on)|dialled in|dialed in)(?! (?:the )?(?:list|group|cop|community|"
    r"team|board|committee)\b)\b|"
    r"^je suis (?:deja |maintenant )?(?:sur le lien|connectee?|en ligne|dans la salle d'attente|dans la (?:rencontre|"
    r"reunion)|sur (?:zoom|teams|l'appel))\b|^je reste (?:en ligne|connectee?|sur le lien)\b|"
    # a miss denied: "I'm not going to miss it", "I won't miss this one"
    r"^(?:i'm |i am )?not (?:going to|gonna) miss (?:it|this(?: one)?|the meeting|today)\b|"
    r"^(?:i )?(?:won't|will not) miss (?:it|this(?: one)?|the meeting|today)\b|"
    # the day said to be clear: "I'm good for the 12th", "we're all set for Tuesday"
    r"^(?:i'm|i am|we're|we are) (?:all )?(?:good|ok|okay|fine|set|clear|free) for (?:the \d{1,2}(?:st|nd|rd|th)?|"
    r"(?:mon|tues|wednes|thurs|fri)day|that day|the meeting|this one|the date|it)\b|"
    # "I'll see everyone on Tuesday", "I'll see you all at noon" (the day it names is checked against the meeting's)
    r"^(?:i'll|i will|will) see (?:you|everyone|everybody|you all|all of you|the group)\b(?! (?:next|in|at the) "
    r"(?:month|time|one|" + MONTH_EN + r"))|"
    # the time kept for it: "I've blocked the time in my calendar", "je bloque le mardi à midi", "je l'ai mis à mon agenda"
    r"^(?:i've |i have |i )?(?:blocked|booked|saved)(?: off)? (?:the time|the date|the hour|the slot|that time|it|"
    r"the noon hour)(?: off)?\b(?!.*\b(?:in|on|into) (?:her|his|their|\w+'s) (?:calendar|agenda|schedule)\b)|^je (?:bloque|reserve|garde)\b.{0,40}\b(?:midi|heure|plage|rencontre|reunion)\b|"
    r"^je l'ai (?:mis|note|inscrit|bloque) (?:a|dans) mon (?:agenda|calendrier)\b|"
    # the sender among several who come: "Nous serons deux : moi-même et Sophie", "Two of us will be there"
    r"^(?:nous serons|on sera|nous y serons|on y sera) (?:la|presents?|presentes?|deux|trois|quatre|cinq|\d{1,2})\b|"
    r"^(?:(?:two|three|four|five|\d{1,2}) of us|we both|both of us|the (?:two|three|four) of us) (?:will|'ll|are going to|"
    r"plan to|can) (?:be there|attend|come|join|be joining|be attending|be on the call)\b|"
    r"^there(?:'ll| will) be (?:two|three|four|five|\d{1,2}) of us\b|"
    # dictated or typed on a phone: "yes all be there on the twelfth", "ill be there"
    r"^(?:(?:yes|yeah|yep|ok|okay|sure),? )?(?:all|ill|ile) be (?:there|joining|attending)\b|"
    # the date or time named as fine: "12th works", "noon PST works for me", "that date is fine"
    r"^(?:the )?(?:\d{1,2}(?:st|nd|rd|th)?|twelfth|that|this|the date|the time|(?:mon|tues|wednes|thurs|fri)day|noon)"
    r"(?: (?:date|time|day|pst|pt|pacific))? (?:works|is fine|is good|is ok|is okay|suits me)(?: for me| great| fine)?$|"
    # yes to the meeting named by its day: "Yes for the 17th 👍", "oui pour le 17"
    r"^(?:yes|yep|yeah|ok|okay|oui) (?:for|to|on|pour|le) (?:the |le )?\d{1,2}(?:st|nd|rd|th|er)?(?=\W*$)|"
    # ... or by its month and day ("Yes for Feb 9", "yes for the long session on February 9th", "oui pour le 9 février")
    rf"^(?:yes|yep|yeah|ok|okay|oui) (?:for|to|pour) (?:the (?:[a-z-]+ )?(?:session|meeting|one|call) on |"
    rf"la (?:rencontre|reunion|seance) du )?(?:the |le )?(?:{_MONTHS_EN_FR}\.? \d{{1,2}}(?:st|nd|rd|th)?|"
    rf"\d{{1,2}}(?:st|nd|rd|th|er)? (?:of )?{_MONTHS_EN_FR})(?: (?:session|meeting|one|call))?(?=\W*$)|"
    # a month for the day ("Yes for February!", "oui pour la rencontre de février"): the core checks it is the meeting's
    r"^(?:yes|yep|yeah|ok|okay|oui) (?:for|pour|to) (?:the |la rencontre de |la reunion de |la seance de )?"
    r"(?:january|february|march|april|may|june|july|august|september|october|november|december|janvier|fevrier|mars|"
    r"avril|mai|juin|juillet|aout|septembre|octobre|novembre|decembre)(?: (?:meeting|session|one|call|cop))?(?=\W*$)|"
    # joining, said as what one wants to get right: "(and) want to make sure I join at the right hour"
    r"^(?:i )?(?:want|wanted|need|just want|just wanted) to make sure (?:that )?i (?:join|dial in|call in|log in|log on|"
    r"get on|connect)\b|"
    # "Yes I'll be on!" (the call): on, and nothing after it
    r"^(?:(?:yes|yeah|yep|ok|okay|sure),? )?(?:i'll|i will|we'll|we will) be on$|"
    rf"{_CHANGED_EN}(?:yes|attending|accepted|coming|going|present)\b|{_CHANGED_FR}(?:oui|present|presente)\b|"
    r"^(?:i )?(?:can't|cannot|couldn't) not (?:come|attend|be there|make it|join)\b|"
    r"^je ne (?:le |la |l')?manquerais (?:ca |cela )?(?:pour rien|sous aucun pretexte)\b|^je ne manquerais pas (?:ca|cela)\b|"
    # "Pas question que je rate la première rencontre de l'année!", "No way I'm missing this one"
    r"^(?:(?:il n'est )?pas question|hors de question) que je (?:rate|manque)\b|"
    r"^no way (?:i'm|i am|i'd|i would|i'll|i will) (?:be )?(?:missing|miss)\b|"
    rf"^{_ASKED}(?:put|mark|list) me (?:back )?(?:down )?(?:as )?(?:a )?(?:yes|attending|present|coming)\b|"
    rf"{_ASKED_FR}(?:presente?|oui)\b|"
    r"\bcount me in\b|^(?:i )?can't wait\b|^i'?m in$|"
    # "I'm in for the 12th!", "I'm in for Tuesday": in, for the meeting (a day named is checked against its day)
    r"^i'?m in for (?:it|this one|that one|(?:the|this|that|our|tuesday's) (?:meeting|call|session|\d{1,2}(?:st|nd|rd|th)?)|"
    r"(?:mon|tues|wednes|thurs|fri)day|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.? \d{1,2}(?:st|nd|rd|th)?)$|"
    r"^(?:i've|i have|i) (?:just |already )?accepted (?:the|your) (?:calendar |meeting |outlook )?(?:invitation|invite)\b|"
    r"^j'ai (?:deja )?accepte (?:l'|votre )?(?:invitation|invitation de calendrier)\b|"
    # the calendar's word, or the sender there already in their mind: "My calendar says yes 🙂", "I'm definitely there"
    r"^my (?:calendar|agenda|schedule) says (?:yes|i'm free|i can|go)\b|^mon (?:agenda|calendrier) dit oui\b|"
    r"^(?:i'm|i am) (?:definitely |totally |absolutely |for sure |100% )?there(?: (?:on|for) (?:the \d{1,2}(?:st|nd|rd|th)?|"
    r"(?:mon|tues|wednes|thurs|fri)day|it|this one)| then)?$|"
    # fine, said of the day with no subject ("Should be fine unless clinic runs over"), or of the day named ("ça devrait
    # être correct pour mardi"): a yes, and the condition beside it makes it a maybe
    rf"{_FINE}$|"
    r"^(?:it|that|tuesday|the date|that date) should be (?:fine|ok|okay|good|doable) for (?:me|tuesday|"
    r"the \d{1,2}(?:st|nd|rd|th)?|that day)$|"
    r"^(?:ca|cela) devrait (?:etre correct|etre correcte|aller|etre ok|etre bon|fonctionner) pour (?:moi|mardi|lundi|mercredi|"
    r"jeudi|vendredi|le \d{1,2})$|"
    # "See everyone on the 12th"
    r"^(?:i'll |i will |we'll |we will |will )?(?:see|c) (?:everyone|everybody|all of you) (?:there|then|on|at|tomorrow|"
    r"today|soon|\w+day|in person)\b|"
    r"^(?:i'll |i will |we'll |we will |will )?(?:see|c) you (?:all |everyone |both |guys )?(?:there|then|on|at|tomorrow|"
    r"today|soon|\w+day|in person|"
    r"in (?:room|salle) \w+)\b|"
    r"\bcomptez sur moi\b|\bj'en serai\b|^je serai (?:en ligne|connectee?|sur zoom|sur teams|sur place|sur l'appel|a l'appel)\b|\bje confirme (?:ma presence|ma participation|que je serai)|"
    # what an answer meant, in French: "je voulais seulement confirmer ma présence le 9 février"
    r"^(?:je voulais |je souhaitais )?(?:seulement |juste |simplement )?confirmer (?:ma presence|ma participation|que je "
    r"serai)\b|"
    r"\bconfirm(?:ing)? (?:my )?(?:attendance|participation|presence)\b"
)
LATE_PHRASES = Phrases(       # attending, by the way: an RSVP only where attendance was asked
    r"^(?:on my way|omw|otw)\b|^(?:j'arrive|je suis en route)\b|"
    r"^(?:i'll|i will|i may|i might|might|may|will) be (?:a (?:few|couple of|bit|little) |(?:about |around |roughly |"
    r"approximately |maybe |~)?\d+(?:[-–]\d+| or \d+| to \d+)? )?"
    r"(?:minutes? |mins? |min )?late\b|"
    r"^running (?:a (?:bit|little|few minutes?) |(?:about |around |~)?\d+(?:-\d+)? ?(?:minutes?|mins?|min) |"
    r"a (?:bit|little) )?(?:late|behind)\b|"
    r"^je (?:serai|vais etre|vais arriver) (?:un peu )?en retard\b|"
    # "J'arriverai avec une dizaine de minutes de retard", "j'aurai quelques minutes de retard"
    r"^(?:j'arriverai|je vais arriver|j'aurai|je risque d'avoir|je risque d'arriver) (?:avec )?(?:un peu |quelques minutes |"
    r"une dizaine de minutes |une quinzaine de minutes |\d+ (?:a \d+ )?minutes |cinq minutes |dix minutes )?(?:de |en )retard\b"
)
# There for part of the meeting only (README: "a conflict for part of the meeting is tentative"): leaving before its
# end, or staying for one part of it; by the way too, so an RSVP only where attendance was asked. A few minutes
# late is still a yes (``LATE_PHRASES``).
_LEAVE = r"(?:leave|drop off|drop out|hop off|duck out|step out|head out|sign off|log off|jump off|slip out)"
_PART_OF = (r"(?:(?:a (?:bit|little|few minutes|tad) |slightly )?early|part ?way|half ?way|mid-?way|mid-?meeting|"
            r"before (?:the end|it ends|the meeting ends|the (?:roundtable|presentation|focus|discussion|break))|"
            r"(?:at|by|around|about|after|~) ?(?:\d|noon|half past|the (?:half|roundtable|presentation|focus|break|"
            r"first))|\d{1,2}[:.h]\d{2}\b)")     # (a bare clock time: "must leave 12.30")
_PART_ONLY = (r"(?:for (?:the )?(?:first|last|second|opening|final) (?:half|part|hour|\d+|few|couple|\w+ minutes)|"
              r"for (?:part|some|half) of (?:it|the (?:meeting|call|session|time))|for (?:the )?(?:roundtable|"
              r"presentation|focus|first \w+)|(?:until|till|til|up to) (?:\d|noon|half past))")
PARTIAL_PHRASES = Phrases(
    # ("maybe I need to leave before the end", as a writer of English as a second language may say it)
    rf"^(?:(?:maybe|perhaps|possibly) )?(?:i'll |i will |i'd |i would |i |we'll |we will |we )?"
    rf"(?:(?:probably|likely|unfortunately|still|maybe|perhaps|possibly) )?"
    rf"(?:have to |need to |must (?:to )?|need |will have to |will need to |'ll have to |'ll need to |may (?:have|need) to |"
    rf"might (?:have|need) to |gotta |got to |plan to |)?{_LEAVE} (?:right |just )?{_PART_OF}|"
    r"^(?:but )?only (?:for )?the (?:first|last|second|opening|final) (?:half|part|hour|\d+ minutes)$|"   # "Only the first half"
    rf"^(?:but )?(?:i |i'll |i will )?(?:can |could |will |'ll |)?only (?:be able to )?(?:stay|join|attend|be there|"
    rf"be on|make it|come|be present|be with you|dial in|call in)?(?: for| until| till)? ?(?:{_PART_ONLY}|part of it)|"
    # "I can do the first hour", "I'll catch the rest from the recording": there for one part of it
    rf"^(?:but )?(?:so )?(?:i |i'll |i will )?(?:can |could |will |'ll )?(?:only )?(?:do|manage|make|catch) (?:the |about the )?"
    rf"(?:first|last|opening|final) (?:half|part|hour|\d+|few|couple|\w+ minutes)\b|"
    r"^(?:i'll |i will |i can |i'll have to |i will have to )?(?:catch|watch|get) the rest (?:on|from|via|in|off) "
    r"(?:the )?(?:recording|video)\b|"
    # "I'll pop in for the first half", "je vais faire un saut pour la première demi-heure"
    # (popping in says it is brief: "join for the first 30 minutes only" stays a yes)
    rf"^(?:i'll |i will |i can |i could |i'm going to |i am going to )?(?:pop in|pop on|drop in|swing by|pop by) "
    rf"(?:for )?(?:the )?(?:first|opening) (?:half|part|hour|\d+ ?(?:minutes?|mins?)|few minutes|\w+ minutes)\b|"
    r"^je (?:vais |peux |pourrai |pourrais )?faire un saut(?: a la rencontre| a la reunion)? pour (?:la |le |les )?"
    r"(?:premiere|premier|premieres|premiers) (?:demi-heure|heure|partie|moitie|\d+ minutes|minutes)\b|"
    rf"^(?:i'll |i will |i can |i could |(?:he|she|they) will |(?:he|she|they)'ll )?(?:join|hop on|dial in|call in|log on|be on)"
    rf"(?: the (?:meeting|call|session))?(?: late,?)? (?:part ?way|half ?way|"
    rf"mid-?way|for the (?:second|last) (?:half|part|hour|\d+ ?(?:minutes?|mins?)|few minutes|\w+ minutes))\b|"
    # (the parts of the meeting, as in English below: "je vais donc manquer le tour de table")
    r"^je (?:(?:vais|risque de|devrai)(?: donc| probablement| sans doute)? manquer|manquerai|manque)(?: donc| probablement|"
    r" sans doute)? (?:la fin|le debut|une partie|"
    r"la derniere partie|la premiere partie|le tour de table|la presentation|la discussion)\b|"
    r"^i(?:'ll| will)? (?:miss|have to miss|need to miss) (?:the (?:end|start|beginning|first|last) (?:part|half|bit|\d+ minutes)?|"
    r"the (?:end|beginning|start|roundtable|round table|focus presentation|presentation|open discussion|discussion))\b|"
    r"^je (?:devrai|dois|vais devoir|vais|devrais|risque de|pourrais devoir|quitte|pars) ?(?:quitter|partir|m'absenter|dropper|"
    r"droper|decrocher|"
    r"me deconnecter|me retirer|)(?: la rencontre| la reunion| l'appel)? (?:plus tot|tot|avant la fin|vers|a \d|a midi|"
    r"a la demie|a la mi-temps|en cours de route|a mi-chemin|\d|apres (?:le|la) )|"
    r"^je ne (?:pourrai|peux|pourrais) (?:rester|etre la|etre presente?|assister|participer|me joindre)"
    r"(?: a la rencontre| a la reunion)? que\b|"
    r"^je (?:ne )?(?:pourrai|peux|pourrais) (?:seulement|uniquement) (?:rester|assister|participer|etre la|me joindre)\b"
)
DECLINE_PHRASES = Phrases(
    # "Ce sera non pour moi"; there only in thought: "I'll be there in spirit", "je serai avec vous en pensée"
    r"^(?:ce sera|c'est|ca sera) (?:un )?non\b|^(?:i'll|i will) be (?:there|with you(?: all)?) in spirit\b|"
    # "C'est impossible pour moi"; the meeting left to its recording: "Will catch the recording", "I'll watch the recording"
    r"^(?:c'est|ce sera|ca va etre|ca sera) (?:malheureusement )?impossible(?: pour moi)?(?: le \d{1,2}| ce jour-la| cette fois-ci)?$|"
    r"^(?:i'll |i will |will |i'll just |i will just )(?:catch|watch|view|listen to|catch up on|catch up with) "
    r"(?:the |it on the |it from the )?recording\b|^je (?:regarderai|visionnerai|ecouterai) l'enregistrement\b|"
    r"^je serai (?:la|avec vous) en (?:esprit|pensee)\b|"
    rf"{_CHANGED_EN}(?:no|not attending|not coming|declined|absent|regrets)\b|{_CHANGED_FR}(?:non|absente?)\b|"
    rf"^{_ASKED}(?:put|mark|list) me (?:back )?(?:down )?(?:as )?(?:a )?(?:no|not attending|absent|regrets)\b|"
    rf"{_ASKED_FR}(?:absente?|non)\b|"
    r"\bcount me out\b|^(?:my |with |please accept my |sincere |sending |send )?regrets\b|"
    # "Can't do this one, sorry", "I can't do the 12th"
    r"^(?:i )?(?:can't|cannot|can not|won't be able to|will not be able to) do (?:this one|that one|it|this time|"
    r"the \d{1,2}(?:st|nd|rd|th)?|that day|this month|(?:mon|tues|wednes|thurs|fri)day)\b|"
    # said as spoken in Québec and Acadie: "j'vas pas pouvoir être là le 12", "Finalement j'pourrai pas"
    r"^(?:(?:malheureusement|finalement|bon|ben) )*j'(?:vas|vais|pourrai|peux|serai) pas(?: (?:pouvoir|etre la|venir|"
    r"y aller|etre des votres|participer))?\b|"
    # prevented: "Empêchée aujourd'hui, désolée", "je suis empêché ce midi"
    r"^(?:je suis |je serai )?empechee?s?(?: (?:aujourd'hui|ce midi|ce matin|pour (?:aujourd'hui|mardi|la rencontre)|"
    r"malheureusement|finalement))?$|"
    # "have to bow out today", "I'm bowing out this time", "je dois me désister"
    r"^(?:(?:i|i'll|i will|i'm going to|i am going to) )?(?:have to |need to |must |'ll have to |gotta |going to )?"
    r"(?:bow|bowing) out\b|^(?:je )?(?:dois|vais devoir|vais) me desister\b|"
    r"^(?:(?:could|can|would) you |please )*(?:take|remove|drop|leave) me (?:off|from|out of) (?:the |your )?(?:list|"
    r"invite list|invitation list|attendee list|invitation|invite) (?:for|from) (?:the |this |that |next )?(?:[\w'-]+ )?"
    r"(?:meeting|session|call)\b|"
    # someone sent in the sender's place: "he'll sit in for me today", "Dana will attend on my behalf", "elle me
    # remplacera" (a colleague who only "might join in my place" leaves the answer open)
    # (the one sent named with who they are: "Kiran Dhaliwal from our team will join in my place")
    # (a title before the name, and the day between: "Dr. Sidhu will join today in my place")
    # (and with who they are between commas: "Nadia Petrov, our ED, will join in my place")
    r"^(?:he|she|they|(?:(?:dr|dre|mr|mrs|ms|prof)\.? )?[a-z][\w-]*(?: [a-z][\w'-]*){0,5}?"
    r"(?:, (?:our|my|the|their) [\w'.-]+(?: [\w'.-]+){0,4},)?)(?:'ll| will| is going to| are going to| is| are|(?: has| have)? offered to|"
    r"(?: has| have)? agreed to|'s offered to|'s agreed to) (?:sit|sitting|attend|attending|join|"
    r"joining|go|going|come|coming|cover|covering|stand|standing|be)(?: in)?(?: (?:there|on the call|the (?:meeting|call|"
    r"session)))?(?: (?:today|tomorrow|on (?:mon|tues|wednes|thurs|fri)day|on the \d{1,2}(?:st|nd|rd|th)?))? "
    r"(?:for me|in my place|in my stead|on my behalf|instead of me)\b|"
    r"^(?:(?:il|elle|[\w'-]+(?: [\w'-]+){0,3}(?:, (?:mon|ma|notre|nos|leur) [\w'.-]+(?: [\w'.-]+){0,4},)?) )?(?:assistera|participera|viendra|sera la|sera presente?|y sera|"
    r"y assistera|y participera|ira)"
    r"(?: a la (?:rencontre|reunion))? a ma place\b|"
    r"^(?:il|elle|(?:mon|ma|notre) [\w-]+|[a-z][\w-]*(?: [a-z][\w-]*){0,3}, (?:mon|ma|notre) [\w'.-]+(?: [\w'.-]+){0,4},|"
    r"[a-z][\w-]*) (?:me remplacera|va me remplacer|assistera a ma place|sera la a ma place|viendra a ma place|"
    r"participera a ma place)\b|"
    r"^(?:please )?(?:send|sending|accept|extend) my regrets\b|^i (?:send|extend|offer) my regrets\b|"
    # "je vous transmets mes regrets pour mardi", "veuillez accepter mes regrets", "mes regrets pour mardi"
    r"^(?:je (?:vous )?(?:transmets|envoie|presente|offre) |veuillez (?:accepter|recevoir) |toutes )?mes regrets\b|"
    r"^i (?:have|'ve got|ve got) (?:a |another )?(?:conflict|scheduling conflict|prior commitment|clash|"
    r"competing (?:meeting|commitment))|^i'?m double[- ]?booked\b|"
    r"^(?:i'll|i will|i'm going to|i am going to|i'll have to|i will have to|i have to|i must|i need to)? ?"
    r"miss (?:it|this|the meeting|today|tomorrow|this one|this month|this session|the \d{1,2}(?:st|nd|rd|th)?|"
    r"(?:this |next )?(?:mon|tues|wednes|thurs|fri)day|"
    # "so I'll miss my first meeting", "I'll miss the January session"
    r"(?:my|our|the) (?:first |next |(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]* )?(?:meeting|session|call|cop))\b|"
    r"^(?:i|i'll|i will|i must|i have to|i need to|i'll have to) (?:decline|bow out|send regrets)\b|"
    r"^(?:i |i'll |i will )?(?:have to|need to|must|gotta|got to) (?:bail|cancel)(?: out)?(?: (?:on you|for today|today|"
    r"for tomorrow|this time|after all))*$|^(?:i'm |i am )?(?:bailing|cancell?ing)(?: out)?(?: (?:on you|for today|today|"
    r"after all))*$|^je (?:dois|vais devoir|devrai) (?:annuler|me decommander|canceller|canceler|cancel)(?: (?:pour aujourd'hui|pour demain|"
    r"ma presence|ma participation|pour (?:la|cette) (?:rencontre|reunion)|finalement))*$|"
    r"^i'?m out(?: for (?:this one|that one|this month|this time|today|tuesday|the \d{1,2}(?:st|nd|rd|th)?))?$|"
    r"^out (?:for )?(?:this one|that one|this month|this time|today)$|^wish i could (?:attend|come|join|make it|be there)|"
    r"^je (?:dois|vais devoir|devrai) (?:decliner|m'absenter|me desister|manquer|m'excuser)|^je me desiste\b|^je manquerai\b|"
    r"^je vais manquer\b|^mes excuses pour (?:la|cette) (?:rencontre|reunion)|^je serai absente?$|"
    r"^je (?:serai|suis) absente? (?:a|pour|lors de|ce jour|cette|mardi|lundi|mercredi|jeudi|vendredi|le \d)|"
    r"^impossible pour moi\b|^(?:i )?(?:can't|cannot) make it$|"
    r"^(?:ce|ca) ne (?:sera|va etre|va pas etre) pas possible\b|^(?:ce|ca) ne sera pas possible\b|"
    r"^(?:it|that) (?:won't|will not) (?:be possible|work)(?: for me)?\b|"
    r"^(?:that|this|the) ?(?:time|date|day)? (?:doesn't|does not|won't|will not) work(?: for me)?\b|"
    r"^(?:i'll|i will|will|i'm going to) be (?:in clinic|in the or|on call|in surgery|at (?:a|the|another) (?![\w ]*\b(?:meeting|session|call|cop|event|roundtable|rencontre|reunion)\b)[\w '-]{1,60}|"
    r"travell?ing|out of (?:town|the country|province|office)|away|off|de garde)$|"
    r"^(?:i'm |i am |i will be |i'll be |je suis |je serai )?(?:unavailable|indisponible)\b|"
    r"^(?:i'm |i am )?double[- ]?booked\b|^something (?:came|has come|just came) up$|"
    # work that will not let go: "I can't get away at noon", "je ne pourrai pas me libérer mardi"
    r"^(?:i )?(?:can't|cannot|couldn't|won't be able to|will not be able to|am not able to|i'm not able to|am unable to|"
    r"i'm unable to|am not going to be able to|i'm not going to be able to) (?:get away|break away|step away|get free|"
    r"free myself|free up)\b(?! (?:from )?(?:the|this|our) (?:topic|issue|idea|question)\b)|"
    r"^je ne (?:pourrai pas|peux pas|pourrais pas|vais pas pouvoir|serai pas en mesure de) me liberer\b|"
    r"^(?:j'ai )?(?:un |eu un )?empechement(?: de derniere minute)?$"
)
# A conflict at the meeting's time, said as a plain fact ("I have a clinic visit in Cumberland that morning", "je suis de
# garde ce jour-là"): a no, unless the same reply says the sender comes anyway (``rsvp.stated_rsvps``: the reason
# for coming late, leaving early, or a caveat beside a yes).
CONFLICT_PHRASES = Phrases(
    r"^(?:i have|i've got|i'll have|i'm|i am|i'll be|j'ai|je suis|je serai) "
    r"(?!(?:at|to|a|au|on|in|for) (?:the|our|this|la|notre|cette) (?:cop |sdh |video |zoom |teams )?"
    r"(?:meeting|session|call|rencontre|reunion)\b)"
    r"(?:clinic|in clinic|on call|de garde|"
    r"en clinique|(?:an? |another |une |un |une autre |un autre )?(?:[\w'-]+ ){0,2}(?:clinic|meeting|appointment|"
    r"commitment|engagement|shift|call|conflict|conference|surgery|rounds|reunion|rendez-vous|clinique|conflit "
    r"d'horaire|committee|steering committee|comite))\b.*\b(?:on the \d{1,2}(?:st|nd|rd|th)?|le \d{1,2}|that (?:day|"
    r"afternoon|morning|evening|time|week)|then|at the same time|at that time|during the meeting|ce jour-la|"
    r"cet apres-midi-la|ce matin-la|a ce moment-la|en meme temps|a la meme heure|cette journee-la)\b"
)
TENTATIVE_PHRASES = Phrases(
    rf"{_CHANGED_EN}(?:maybe|tentative|possible)\b|{_CHANGED_FR}(?:peut-etre|incertaine?)\b|"
    rf"^{_ASKED}(?:put|mark|list) me (?:back )?(?:down )?(?:as )?(?:a )?(?:maybe|tentative|possible|probable)\b|"
    rf"{_ASKED_FR}(?:peut-etre|incertaine?|a confirmer)\b|"
    r"^(?:i'?m )?not sure(?: yet)?$|^(?:i'?m )?not sure (?:yet )?(?:if|whether) (?:i|i'll|i will|i can|i'd|we|we can)"
    r"(?: be able to| be)? (?:make it|come|attend|join|be there|be able|be free|be available|get away|get there|"
    r"manage|dial in|call in)\b|^(?:i'll|i will|will) (?:try|do my best)(?:$| (?:to|and) (?:make it|come|attend|join|"
    r"be there|be on|call in|dial in|get there|pop in|pop into|drop in|drop into|hop on|hop into|jump on|log on|swing by)\b|"
    r"(?: to)? (?:but|though|if|depending)\b)|"
    # (trying to come, not to send a few lines: "J'essaierai quand même d'envoyer quelques lignes")
    r"^(?:je vais essayer|j'essaierai)(?: quand meme| tout de meme| vraiment| de mon mieux)?(?:$| (?:de |d')(?:venir|assister|"
    r"participer|me joindre|me connecter|etre (?:la|presente?)|y (?:etre|assister|aller)|passer|me liberer)\b|"
    r" (?:mais|si|sans)\b)|"
    r"^(?:et )?(?:je ne suis )?pas (?:sure?|certaine?) de pouvoir (?:assister|venir|participer|etre la|me joindre)\b|"
    r"^je (?:vais tenter|tenterai) d[e'] ?(?:me joindre|venir|participer|assister|y (?:etre|assister|aller)|etre (?:la|presente?)|"
    r"passer)\b|"
    r"^je ne suis pas (?:certaine?|sure?|convaincue?) (?:de ne pas avoir|de pouvoir|si je (?:pourrai|peux|serai))\b|"
    r"^(?:i'm |i am )?not (?:sure|certain) (?:that )?i (?:won't|will not|don't|do not) have (?:a |another )?conflict\b|"
    r"^(?:i'll|i will) (?:confirm|let you know) (?:my )?(?:attendance|presence|if i can (?:make it|come|attend)|"
    r"whether i can (?:make it|come|attend))(?: (?:later|next week|this week|closer(?: to the (?:date|day|time))?|soon|"
    r"shortly|by \w+(?: \w+)?|on \w+|tomorrow|asap))?$|^(?:tentatively|provisionally) (?:yes|attending|in)\b|^a confirmer\b|^sous reserve\b|"
    # fine, but on a condition said with it: "Should be fine unless clinic runs over"
    rf"{_FINE},? (?:unless|if|as long as|provided|barring)\b"
)
# Answering later, with no word of what: a maybe only where attendance was asked ("I'll confirm by Friday" to the
# invitation; to the agenda draft it is about the agenda)
DEFERRED_PHRASES = Phrases(
    # (and as a writer of English as a second language says it: "I will see with my schedule", "I confirm you later")
    r"^(?:i'll|i will|i must|i need to|i have to) (?:see|check|look) (?:with|on|at|in) my (?:schedule|calendar|agenda)\b|"
    r"^i (?:confirm|will confirm|'ll confirm) (?:you|to you) (?:later|soon|tomorrow|next week)\b|"
    r"^(?:i'll|i will) confirm (?:later|closer|nearer|by|when|once|as soon)|"
    # "let me check and get back to you", "I'll get back to you on that", "je vérifie et je vous reviens"
    r"^let me (?:check|see|look into it|double-check)(?: (?:with \w+|my (?:schedule|calendar)|first))?"
    r" (?:and|&) (?:i'll )?(?:get back to you|let you know|confirm)\b|^(?:i'll|i will) get back to you(?: on (?:that|this|it))?$|"
    r"^je (?:verifie|vais verifier) et (?:je )?vous (?:reviens|confirme)\b|"
    r"^je (?:vous )?(?:confirmerai|confirme(?:rai)? plus tard|reviens (?:la-dessus|plus tard|d'ici \w+|demain|"
    r"bientot))\b|^(?:il )?faut que je (?:check|verifie|regarde|voie) (?:avec|si|mon)\b|"
    r"^(?:i'll|i will) (?:confirm|let you know)(?: (?:later|next week|this week|closer(?: to the (?:date|day|time))?|soon|"
    r"shortly|by \w+(?: \w+)?|on \w+|tomorrow|asap))?$"
)
# The meeting's month or day written off ("January's a write-off for me unfortunately"; the day is checked against the
# meeting's): a no where attendance was asked; beside a skip it is the skip's reason ("Skip me this month please – April
# is a write-off with locums").
WRITTEN_OFF_PHRASES = Phrases(
    r"^(?:" + MONTH_EN + r"|this month|this one|that day|tuesday|the \d{1,2}(?:st|nd|rd|th)?)(?:'s| is) (?:a |a total |a complete )?"
    r"write-?off\b"
)
