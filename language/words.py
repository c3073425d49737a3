"""Dutch and English word lists, each once, named for what the words are.

Usage, not data: none of these is taken from an evaluation set. The rooms beside this one
(tokens, matching, questions, sentences, detection) say what is done with them.
"""

from __future__ import annotations

# --- words without a subject: chat filler and function words --------------------------------------

# Chat filler, question words, verbs of asking and pronouns: how employees write a question
# ("hoe zit het eigenlijk met ...", "weet iemand even ..."). The index's Dutch analyser drops the
# Snowball stop words (de, het, hoe, ...) but not these.
DUTCH_FILLER = frozenset("""
eigenlijk nou even ff effe gewoon precies echt toch wel nog eens ergens iemand iets misschien
ongeveer zeg zeggen gezegd hoi hallo hey hee hé hoihoi dag goedemorgen goedemiddag bedankt dank
alvast vraag vraagje vragen vroeg weet weten wist iemand jullie jij je jou we wij ons onze mijn
ik me mij mn m'n zn z'n hun die dat deze dit het een de en of wat welke welk wie waar waarom
wanneer hoe hoeveel hoelang hoezo waarvoor waarmee waarover zit zitten staat staan gaat gaan
doe doen doet deed kan kun kunt kunnen mag mogen moet moeten moest wil wilt willen zou zouden
zal zullen heb hebt heeft hebben had ben bent is zijn was waren wordt worden word werd er
daar hier dan ook al maar zo heel erg best beetje graag snel eventjes ofzo enzo zoiets
iedereen elke elk alle allemaal precies nou ja nee oke oké ok okay kort zeg snap snappen
bedoel bedoelen bedoelt bedoeld klopt kloppen iemand weet
""".split())

# The English counterpart: function words, greetings and the filler of a chat question.
ENGLISH_FILLER = frozenset("""
the a an and of i you your my we our they them he she his her it its not no what how who where
when which why many much may might must can could would should will want is are am was were be
been do does did have has had get gets got there this that these those also for with at to from
about into as than or please hi hello hey thanks anyone someone actually just really exactly
tell know any some me us
""".split())

# What a full-text query leaves out of a question: in a BM25 sum every such word that happens to
# occur in a passage pulls it up.
FILLER_WORDS = DUTCH_FILLER | ENGLISH_FILLER

# Function words that mark a text as Dutch or as English (language detection counts them).
DUTCH_FUNCTION_WORDS = frozenset("""
de het een en van ik je jij u uw mijn wij we ons onze zij ze hij zijn haar niet geen wat hoe wie waar
wanneer welke welk waarom hoeveel mag moet kan kun kunt wil wordt worden word heb hebt heeft hebben ben
bent is er dit dat die deze ook voor met bij naar uit over onder tot om te aan op als dan nog maar of
graag krijg krijgt vind vinden zit staat gaat doe doet mogen moeten kunnen alle iets niets welke hoelang
""".split())

ENGLISH_FUNCTION_WORDS = frozenset("""
the a an and of i you your my we our they he she his her not no what how who where when which why many
much may must can could would should will want is are am was were be been do does did have has had get
gets find there this that these those also for with at to from about into as than or please it its
""".split())

FUNCTION_WORDS = DUTCH_FUNCTION_WORDS | ENGLISH_FUNCTION_WORDS

# Too general to be what a question is about, on top of the filler and function words: chat adverbs
# ("wat betekent dat ook alweer"), verbs of having and holding ("welke soorten kent / bevat het
# tekstblok": the subject is what is had), and the abbreviations of ABBREVIATIONS that stand for a
# preposition or a conjunction, as a chat writes them, without their full stops ("ivm", "mbt").
GENERIC_WORDS = frozenset("""
eigenlijk allemaal ergens iemand steeds zelf jullie onze mn vd alweer nogmaals
kent kennen bevat bevatten omvat omvatten
ivm mbt tav tov muv ipv obv icm zsm bijv evt incl excl etc enz oa
""".split())

# Prepositions, pronouns, verbs of getting and of being able, permission and duty: no subject on top
# of FILLER_WORDS. Not in it: negations (niet, geen), "zonder", and the verb particles that turn a
# verb around ("zet ik MFA aan" / "uit", "af").
LIGHT_WORDS = frozenset("""
bij door in met naar om op over per tot van voor te tegen na onder boven tussen sinds vanaf
als vd krijg krijgt krijgen kreeg kregen gekregen kun kunt kan kunnen ze zij hij haar hem men uw jouw zich
can get gets got in at for of to by with about within without against between through during upon onto
among across towards
mag mogen moet moeten may must
""".split())

# Negations and adverbs of degree, frequency and quantity: they say how much or how often, not what
# ("niet", "altijd", "meer"); an answer holding only these and a passage's connectives says nothing.
VAGUE_WORDS = frozenset("""
niet geen nooit altijd soms vaak meestal alleen slechts meer minder veel weinig zeer genoeg alles niets
beide ander andere anders gewoonlijk daarom
not never always sometimes often usually only more less very much enough everything nothing both other
""".split())

# --- what a question asks ------------------------------------------------------------------------

# A question word -> the kind of thing it asks for.
QUESTION_WORDS = {
    "hoeveel": "amount", "hoelang": "duration", "wanneer": "time", "waar": "place", "waarheen": "place",
    "wie": "person", "waarom": "reason", "hoe": "how", "wat": "what", "welke": "what", "welk": "what",
    "when": "time", "where": "place", "who": "person", "why": "reason", "how": "how", "what": "what",
    "which": "what",
}

# Permission or duty.
MODAL_VERBS = {"mag": "permission", "mogen": "permission", "may": "permission", "allowed": "permission",
               "moet": "duty", "moeten": "duty", "must": "duty"}

# Asking for an amount: a count, a price, a limit, a duration (whole words or phrases).
AMOUNT_QUESTIONS = ("hoeveel", "wat kost", "kost het", "kosten", "minimaal", "minimale", "maximaal", "maximale",
                    "hoe lang", "hoelang", "hoe groot", "hoe vaak", "per minuut", "per uur", "how many",
                    "how much", "how long", "how often", "minimum", "maximum")

# People counted whoever they are ("hoeveel mensen kwamen er"): a text names them by what they are
# (visitors, members, participants), so any number of them may answer.
PERSON_WORDS = frozenset("mensen personen man people persons".split())

# What a registration or account number is of ("kvk-nummer", "rekeningnummer"): such a number has
# six digits or more. Other numbers asked for (a house, article or room number) are short.
REGISTRATION_NUMBERS = frozenset("""
    kvk btw rsin bsn burgerservice iban rekening bankrekening giro handelsregister
""".split())

# Subject pronouns: after "hoeveel" and one word, they make that word the verb ("hoeveel ging het",
# "hoeveel denken we"), not what is counted.
SUBJECT_PRONOUNS = frozenset("ik je jij u we wij ze zij hij ie het men jullie".split())

# Numbers written as words.
NUMBER_WORDS = ("twee", "drie", "vier", "vijf", "zes", "zeven", "acht", "negen", "tien", "elf", "twaalf",
                "twintig", "dertig", "honderd", "duizend", "two", "three", "four", "five", "six", "seven",
                "eight", "nine", "ten", "hundred", "thousand")

# A short question that starts like this continues the previous one ("en voor parttimers?").
FOLLOW_UP_OPENERS = frozenset("en of maar ook dan dat die dit daar daarvoor daarbij and or but also then "
                              "that this those it".split())

# --- chat ----------------------------------------------------------------------------------------

# A greeting before a name ("Hoi Vraagbaak, ...").
GREETINGS = ("hoi", "hallo", "hey", "hi", "hé", "he", "beste", "dag")

# A reply made of these only thanks or agrees: it is not a question.
ACKNOWLEDGEMENTS = frozenset(
    "bedankt dank danku dankjewel je jij jullie u wel hartelijk super top prima oké ok oke okay "
    "fijn mooi helder duidelijk goed gelukt perfect thanks thank thx you great nice cool cheers yes ja nee "
    "klopt precies begrepen aha".split())

# --- sentences -----------------------------------------------------------------------------------

# A sentence starting with one of these leans on the sentence before it.
REFERRING_WORDS = frozenset("""
dit deze die dat daar daarom daarna daarvoor daarbij daarnaast daarmee daardoor daarin daarop
hierdoor hiervoor hierbij hiermee hierin hierna hij zij ze hun hen ook bovendien verder wel toch
maar want dus zo dan anders echter tevens eveneens vervolgens zij
this that these those it its they them then also but so however otherwise there such
""".split())

# Abbreviations a sentence does not end after (written without their last full stop).
ABBREVIATIONS = frozenset("""
bijv bv o.a e.a e.d ca nr vs enz evt incl excl max min mr mevr dhr drs ir ing prof dr etc e.g
i.e zgn resp m.b.t i.v.m t.a.v t.o.v m.u.v a.s jl vnl p.m z.s.m st
""".split())

# --- dates ---------------------------------------------------------------------------------------

# In the calendar's order.
DUTCH_MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
                "oktober", "november", "december")
ENGLISH_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
                  "october", "november", "december")
DUTCH_WEEKDAYS = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")
ENGLISH_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS = frozenset(DUTCH_MONTHS + ENGLISH_MONTHS)
WEEKDAYS = frozenset(DUTCH_WEEKDAYS + ENGLISH_WEEKDAYS)

# --- word forms ----------------------------------------------------------------------------------

# Separable verb prefixes: "uitbetaald" is "betaald", "meenemen" is "nemen" with "mee" ("ge": a
# past participle).
SEPARABLE_PREFIXES = ("terug", "mee", "uit", "op", "af", "aan", "in", "door", "over", "toe", "weg", "na", "bij",
                      "ge")
