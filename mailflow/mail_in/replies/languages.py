"""Whether a reply is written in a language mailflow reads (English or French).

The community writes in English and French, and every phrase table reads those two. A reply in another language
("Sí, ahí estaré el 12", a few lines in Gurmukhi, Tagalog mixed with English) is not guessed at, nor recorded as
an update nobody at the meeting can read: it is asked about. A text is read as English or French when enough of its
words are among the most common words of those languages (function words, and the words of this community's
mail); names, numbers and links count for neither.
"""

from __future__ import annotations

from mailflow.mail_in.replies.clauses import WORD, fold

# The most common words of English and French (folded: no accents), and the words of this community's mail. A word
# shared with another language ("de", "la", "en") is fine: the share is what tells.
_COMMON = frozenset("""
a about above after again all also am an and any are as at back be because been before being below between both but
by can can't cannot could couldn't did didn't do does doesn't don't down during each few for from further get got had
has have having he her here hers him his how i i'd i'll i'm i've if in into is isn't it it's its just let's like me
more most my myself no nor not now of off ok okay on once only or other our ours out over own please same she should
so some such than thank thanks that that's the their them then there these they this those through to too under
until up very was we we'll we're we've were what when where which while who whom why will with won't would yes you
you'll you're your yours sorry hi hello dear best regards cheers team everyone all meeting meetings update updates
session call agenda item items minutes next month week today tomorrow time join attend attending there available
sure great good well new work working clinic clinics patients patient our division care health support program
happy looking forward see send sent attached file link number skip away leave list
le la les l' un une des de du d' et ou mais donc or ni car je j' tu il elle on nous vous ils elles me moi te toi se
lui leur leurs mon ma mes ton ta tes son sa ses notre nos votre vos ce cet cette ces qui que qu' quoi dont ou
est sont etre ai as a avons avez ont avoir fait faire pas ne n' plus tres bien bon bonne merci bonjour salut oui non
pour par avec sans sur sous dans en au aux chez entre vers depuis pendant avant apres aussi encore deja toujours
jamais rien tout tous toute toutes peu beaucoup comme si quand comment pourquoi parce serai sera pourrai peux veux
dois rencontre reunion mise jour semaine mois prochaine prochain ordre point suivi membres merci cordialement
""".split())
# Common words of the other languages members may write in (Spanish, Portuguese, Italian, German, Dutch, Tagalog),
# none of them an English or French word: two of them, as many as the English and French ones, tell another language.
_OTHER = frozenset("""
el los las una unos estoy estare estaremos estar ahi aqui gracias pero muy para con esta este esto hola saludos
tambien porque cuando donde nosotros ustedes usted reunion proxima semana puedo podre hoy manana nao sim obrigado
obrigada estarei vou voce tambem muito ola ciao grazie sono sara della delle questo questa ich und nicht danke
komme gerne der die das ist bin wir sie ein eine auf mit fur heute morgen leider ik niet dank het een ben
ako sa ng mga po kaya salamat ang hindi oo naman siya kami tayo ninyo lang rin din na ba
""".split())
_HEAD = 400            # characters: enough of a reply to tell its language
_MIN_WORDS = 3         # shorter texts ("omw", "Ok 👍") tell nothing
_LATIN = 0x250         # letters below it are Latin (English, French and the languages above)


def may_be_foreign(text: str, tokens: list[frozenset[str]]) -> bool:
    """A cheap first look (``tokens``: the runs of word characters of each clause): letters outside ASCII, or a word of
    another language."""
    return not text.isascii() or any(not runs.isdisjoint(_OTHER) for runs in tokens)


def foreign(text: str) -> bool:
    """The reply is written in a language other than English and French (its first ``_HEAD`` characters): mostly in
    another script (Gurmukhi, Chinese, Arabic...), or holding as many common words of another language as of those."""
    head = text[:_HEAD]
    letters = [ch for ch in head if ch.isalpha()]
    if len(letters) >= 8 and sum(1 for ch in letters if ord(ch) < _LATIN) < len(letters) / 2:
        return True
    words = [word for word in WORD.findall(fold(head)) if not word[0].isdigit()]
    if len(words) < _MIN_WORDS:
        return False
    other = sum(1 for word in words if word in _OTHER)
    if other < 2:
        return False
    common = sum(1 for word in words if word in _COMMON or word.split("'")[0] + "'" in _COMMON)
    return other >= common
