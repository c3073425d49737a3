"""Guards on an answer while it streams: a model that starts repeating itself, or that copies our own
prompt instead of answering, is stopped before the reader sees the loop or the echo grow.

Both are found by comparing words (lower case, citation markers and surrounding punctuation left
out, so "[1]" against "[2]" or a moved full stop does not hide a repeat):
- loop: the answer's last `LOOP_WORDS` words already occurred, in that order, earlier in it. Twelve
  words are most of a Dutch sentence (about fifteen on average): an answer repeats a short phrase
  ("per jaar", "bij een volledige werkweek van 40 uur") or a list's frame ("Je hebt recht op …"),
  not twelve words in a row, while a loop repeats whole sentences or paragraphs. The repeat is cut
  off; what came before it (the first time round, with its citations) is the answer.
- echo: the answer's last `ECHO_WORDS` words stand, in that order, in our instructions or in the
  prompt's own framing ("Vraag: <the question>", "Eerder in dit gesprek:", the earlier questions of
  a follow-up), or the whole of a framing line shorter than that ("Je bent Vraagbaak"). Eight words
  of a rule are a copy, not a coincidence; the one sentence we ask the model to copy (the not-found
  reply) is left out. An answer that opens with the whole question is an echo too (small models
  repeat it and stop), and so is a transcript: a role label ("Medewerker:", "Vraagbaak:", "User:",
  "Assistant:", …) where a turn would begin (the start, a new line, after a finished sentence), or
  a chat template's own markers ("<|im_start|>", "[INST]"). Only a finished sentence written before
  the echo is kept; otherwise nothing is, and the engine quotes the best passage.

Nothing is shown that could still become part of a loop or an echo: the guard holds back the longest
run of last words that matches earlier text or the prompt (usually none or a word or two), and lets
it go as soon as the next word breaks the match.

An answer must also say something (Grounding): a word or number of the passages that is not one of
the question's own words nor of our prompt's ("Je bent vraag van de vraag "Hoeveel vakantiedagen heb
je?"" says nothing). Until it has, nothing of it is shown (the not-found reply apart, once whole);
an answer that never does is no answer, and the engine quotes the best passages instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, Sequence

from bot.answering.prompts import INSTRUCTIONS, LABELS, NOT_FOUND
from language.matching import forms_in
from language.questions import telling_words

LOOP_WORDS = 12
ECHO_WORDS = 8
MIN_FRAMING_WORDS = 2  # a framing line shorter than ECHO_WORDS is an echo only when copied whole
MIN_QUESTION_WORDS = 3  # an answer opening with a question this long, whole, repeats it
# Who speaks in a transcript: our prompt's labels and the roles of chat templates, in both languages.
ROLE_LABELS = frozenset({label.rstrip(":").lower() for labels in LABELS.values()
                         for label in (labels["user"], labels["assistant"], labels["question"])}
                        | {"user", "assistant", "system", "human", "gebruiker", "assistent", "systeem"})

_WORD = re.compile(r"\S+")
_MARKER = re.compile(r"\[[^\]]*\]")
_EDGE_PUNCTUATION = ".,;!?\"'`()*_«»“”‘’-–—>#"
_SENTENCE_END = re.compile(r"[.!?](\s*\[[^\]]*\])*[\"')\]]*\s*$|\][\s.]*$")
_TURN_START = re.compile(r"(^|\n|[.!?:][\"')\]]*\s)\s*$")  # what may stand before a speaker's label
_CHAT_MARKUP = re.compile(r"<\|[a-z_]+\|>|\[/?INST\]|</?s>", re.IGNORECASE)


@dataclass(frozen=True)
class GuardStop:
    """Why the guard stopped the answer, and the model's text that is kept."""

    reason: Literal["loop", "echo"]
    kept: str


def normalized(word: str) -> str:
    """A word as the guard compares it; "" for what is not a word (a citation marker, a bullet)."""
    return _MARKER.sub("", word).strip(_EDGE_PUNCTUATION).lower()


_NOT_FOUND_WORDS = [tuple(w for w in map(normalized, _WORD.findall(reply)) if w) for reply in NOT_FOUND.values()]


class Grounding:
    """Whether an answer says something of its passages: a telling word or number of theirs (an
    inflected form counts, language/matching.py) that is not one of the question's words (in any
    form) nor of our prompt's framing (instructions, labels, role names). Passages in another
    language than the question cannot be compared word for word: then any telling word beyond the
    question's and the prompt's counts."""

    def __init__(self, passages: Sequence[str], *, question: str = "", framing: Sequence[str] = (),
                 same_language: bool = True) -> None:
        self._passage_words = {w for text in passages for w in telling_words(text)}
        self._question_words = set(telling_words(question))
        self._prompt_words = {w for line in framing for w in telling_words(line)} | ROLE_LABELS
        self._same_language = same_language
        self._told_before: dict[str, bool] = {}  # an answer repeats its words; each is looked up once

    @classmethod
    def for_question(cls, question: str, language: str, passages: Sequence[str], *,
                     earlier_questions: Sequence[str] = (), same_language: bool = True) -> "Grounding":
        """The grounding of an answer to `question` from `passages` (their text, without labels)."""
        return cls(passages, question=question, framing=prompt_framing(question, language, earlier_questions),
                   same_language=same_language)

    @property
    def same_language(self) -> bool:
        """The passages are in the question's language (their words can be compared with an answer's)."""
        return self._same_language

    def tells(self, word: str) -> bool:
        """`word` (as the guard compares it: normalized()) says something of the passages."""
        return any(self._told(part) for part in telling_words(word))

    def holds(self, text: str) -> bool:
        """The text says something of the passages."""
        return any(self.tells(normalized(word)) for word in _WORD.findall(text))

    def _told(self, word: str) -> bool:
        if word not in self._told_before:
            self._told_before[word] = self._says_of_passages(word)
        return self._told_before[word]

    def _says_of_passages(self, word: str) -> bool:
        if word in self._prompt_words or word in self._question_words:
            return False
        if not word.isdigit() and forms_in(word, self._question_words):
            return False
        if not self._same_language:
            return True
        return word in self._passage_words or (not word.isdigit() and bool(forms_in(word, self._passage_words)))


class AnswerGuard:
    """Fed the model's text in pieces; gives back what is safe to show, and stops at a loop or echo.

    `feed()` returns text that can be shown now; once `stopped` is set, the generation should be
    cancelled and nothing more fed. `finish()` returns the rest when the model stopped by itself.
    `text` is the model's text as kept (cut before a loop or an echo).
    """

    def __init__(self, framing: Sequence[str] = (), *, question: str = "", loop_words: int = LOOP_WORDS,
                 echo_words: int = ECHO_WORDS, grounding: Grounding | None = None) -> None:
        self._grounding = grounding  # None: shown as it comes, whether it says anything or not
        self._grounded = grounding is None
        self.loop_words = loop_words
        self.echo_words = echo_words
        words = tuple(w for w in map(normalized, _WORD.findall(question)) if w)
        self._question = words if len(words) >= MIN_QUESTION_WORDS else ()
        self.stopped: GuardStop | None = None
        self._raw = ""
        self._released = 0
        self._scanned = 0  # characters of _raw already split into words
        self._starts: list[int] = []  # where each compared word starts in _raw
        self._words: list[str] = []
        # Runs of 1..loop_words words seen so far (a run is recorded once its last word is there), and
        # runs of 1..echo_words words of the prompt's lines; whole lines shorter than that apart.
        self._seen: set[tuple[str, ...]] = set()
        self._prompt_runs: set[tuple[str, ...]] = set()
        self._short_lines: set[tuple[str, ...]] = set()
        for line in framing:
            words = tuple(w for w in map(normalized, _WORD.findall(line)) if w)
            for size in range(1, echo_words + 1):
                self._prompt_runs.update(words[i:i + size] for i in range(len(words) - size + 1))
            if MIN_FRAMING_WORDS <= len(words) < echo_words:
                self._short_lines.add(words)
        self._short_sizes = sorted({len(line) for line in self._short_lines})
        self._repeat = 0  # how many last words repeat earlier text
        self._echo = 0  # how many last words stand in the prompt

    @classmethod
    def for_question(cls, question: str, language: str, *, earlier_questions: Sequence[str] = (),
                     **options) -> "AnswerGuard":
        """The guard for an answer to `question` (a follow-up: after `earlier_questions`), against the
        prompt that build_messages() makes."""
        return cls(prompt_framing(question, language, earlier_questions), question=question, **options)

    @property
    def text(self) -> str:
        return self.stopped.kept if self.stopped is not None else self._raw

    def feed(self, piece: str) -> str:
        """Text that is safe to show now ('' while it might be the start of a loop or an echo)."""
        if self.stopped is not None:
            return ""
        self._raw += piece
        end = len(self._raw)
        while not self._raw[end - 1:end].isspace() and end > self._scanned:
            end -= 1  # the last word may not be finished
        self._scan(end)
        return self._release()

    def finish(self) -> str:
        """The rest of the text, once the model stopped by itself."""
        if self.stopped is None:
            self._scan(len(self._raw))
        if self.stopped is None and (self._grounded or self._declines()):
            rest, self._released = self._raw[self._released:], len(self._raw)
            return rest
        return self._release()

    # --- matching ------------------------------------------------------------------------------
    def _scan(self, end: int) -> None:
        for match in _WORD.finditer(self._raw, self._scanned, end):
            if self._transcript(match):
                return
            word = normalized(match.group())
            if word:
                self._add(match.start(), word)
                if self.stopped is not None:
                    return
        self._scanned = max(self._scanned, end)

    def _transcript(self, match: re.Match) -> bool:
        """A speaker's label where a turn begins, or a chat template's markup: stop before it."""
        raw = match.group()
        label = raw.lstrip(_EDGE_PUNCTUATION).rstrip("*_")
        speaker = label.endswith(":") and label[:-1].lower() in ROLE_LABELS and \
            bool(_TURN_START.search(self._raw[:match.start()]))
        if not speaker and not _CHAT_MARKUP.search(raw):
            return False
        self._stop_echo(match.start())
        return True

    def _stop_echo(self, start: int) -> None:
        before = self._raw[:start].rstrip()
        self.stopped = GuardStop("echo", before if _SENTENCE_END.search(before) else "")

    def _add(self, start: int, word: str) -> None:
        if not self._grounded:
            assert self._grounding is not None
            self._grounded = self._grounding.tells(word)
        self._words.append(word)
        self._starts.append(start)
        runs = [tuple(self._words[-size:]) for size in range(1, min(len(self._words), self.loop_words) + 1)]
        # A run that ends here repeats earlier text when it was seen ending at an earlier word; a run
        # is only longer than one that repeats when that one repeats too, hence counting from short up.
        self._repeat = next((size for size, run in enumerate(runs) if run not in self._seen), len(runs))
        self._seen.update(runs)
        self._echo = next((size for size, run in enumerate(runs[:self.echo_words]) if run not in self._prompt_runs),
                          min(len(runs), self.echo_words))
        if self._repeat >= self.loop_words:
            self.stopped = GuardStop("loop", self._raw[:self._starts[-self.loop_words]].rstrip())
            return
        whole_line = next((size for size in self._short_sizes if size <= self._echo
                           and tuple(self._words[-size:]) in self._short_lines), 0)
        echo = self._echo if self._echo >= self.echo_words else whole_line
        if not echo and self._question and tuple(self._words) == self._question:
            echo = len(self._words)  # the answer so far is the question, whole
        if echo:
            self._stop_echo(self._starts[-echo])

    def _declines(self) -> bool:
        """The answer so far begins with the whole not-found reply: shown as written (the engine turns
        it into the refusal with the documents to try)."""
        return any(tuple(self._words[:len(reply)]) == reply for reply in _NOT_FOUND_WORDS)

    def _release(self) -> str:
        """Text up to the longest run of last words that still matches earlier text or the prompt;
        nothing while the answer has said nothing."""
        if not self._grounded and not self._declines():
            return ""
        if self.stopped is not None:
            end = max(len(self.stopped.kept), self._released)
        else:
            held = max(self._repeat, self._echo)
            end = self._starts[-held] if held else self._scanned
        ready, self._released = self._raw[self._released:end], max(end, self._released)
        return ready


def prompt_framing(question: str, language: str, earlier_questions: Sequence[str] = ()) -> list[str]:
    """The lines of our prompt that an answer must not copy: the instructions in either language
    (less the not-found reply, which the model is asked to copy) and who they say the model is, the
    labels around the question, and a follow-up's earlier questions as the prompt shows them."""
    labels = LABELS[language]
    instructions = [part for lang, text in INSTRUCTIONS.items() for part in text.split(NOT_FOUND[lang])]
    identities = [text.split(",", 1)[0] for text in INSTRUCTIONS.values()]  # "Je bent Vraagbaak"
    earlier = [f"{labels['user']}: {text.strip()}" for text in earlier_questions]
    return [*instructions, *identities, f"{labels['question']} {question.strip()}", labels["history"],
            labels["no_passages"], *earlier]
