"""How an answer is put together: the document text in the prompt, curated answers, the answer cache."""

from __future__ import annotations

from dataclasses import dataclass

from bot.settings.fields import Area, setting


@dataclass(frozen=True)
class Answering(Area):
    """Answering: how much document text goes into a prompt, curated answers and the answer cache."""

    context_budget_tokens: int = setting(
        240, "VRAAGBAAK_CONTEXT_BUDGET_TOKENS",
        "Tokens of document text put into a prompt: the selected sentences (VRAAGBAAK_SENTENCE_SELECTION), "
        "or whole passages without it (then 1000 was the default). Smaller means a faster first token on a "
        "CPU (bench/README.md: 240 selected tokens cited the gold document as often as 1000 whole-passage "
        "tokens, with half the prompt).")
    sentence_selection: bool = setting(
        True, "VRAAGBAAK_SENTENCE_SELECTION",
        "Put only the sentences of the retrieved passages that answer the question into the prompt "
        "(with their list lead-ins, table headers and neighbours), and show the best one at once as a "
        "quote. false: whole passages, as many as fit in the budget.")
    cache_size: int = setting(
        256, "VRAAGBAAK_ANSWER_CACHE_SIZE", "Answers kept for repeated questions (0: off).")
    curated_answers: bool = setting(
        True, "VRAAGBAAK_CURATED_ANSWERS",
        "Serve curated answers (`vraagbaak answers add`) to questions close enough to theirs, without the model.")
    curated_min_similarity: float = setting(
        -1.0, "VRAAGBAAK_CURATED_MIN_SIMILARITY",
        "Least cosine similarity of a question to a curated one (after their words agree). Below 0: the value "
        "calibrated for the embedding model (bench/curated.py).")
