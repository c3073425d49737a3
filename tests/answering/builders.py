"""Small builders for answering tests: hits as the retriever returns them."""

from __future__ import annotations

from knowledge.models import Chunk, Hit


def make_hit(text: str, *, doc_id: str = "hr/verlof.md", title: str = "Verlof", headings=("Verlof",),
             relevance: float = 0.8, rank: int = 1, ordinal: int = 0, collection: str = "bedrijf") -> Hit:
    chunk = Chunk(id=f"{collection}:{doc_id}#{ordinal}", doc_id=doc_id, collection=collection, title=title,
                  headings=tuple(headings), text=text, ordinal=ordinal, content_hash="h")
    return Hit(chunk=chunk, score=relevance, rank=rank, relevance=relevance)


class ScriptedGenerator:
    """A Generator that answers with texts queued by `enqueue()`, and records what it was asked."""

    model_name = "scripted"
    n_ctx = 4096

    def __init__(self) -> None:
        self.replies: list[str] = []
        self.requests: list = []

    def enqueue(self, text: str) -> None:
        self.replies.append(text)

    def submit(self, request):
        from bot.answering.llm import Generation

        self.requests.append(request)
        generation = Generation(request)
        text = self.replies.pop(0) if self.replies else ""
        for word in text.split(" "):
            generation.emit(word + " ")
        generation.stats.prompt_tokens = sum(len(m["content"].split()) for m in request.messages)
        generation.stats.completion_tokens = len(text.split())
        generation.finish()
        return generation

    def count_tokens(self, text: str) -> int:
        return len(text.split())

    def queue_length(self) -> int:
        return 0

    def close(self) -> None:
        pass


class RecordingGenerator:
    """The real generator, with a record of the requests that reached it."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.model_name = inner.model_name
        self.n_ctx = inner.n_ctx
        self.requests: list = []

    def submit(self, request):
        self.requests.append(request)
        return self.inner.submit(request)

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)

    def queue_length(self) -> int:
        return self.inner.queue_length()

    def close(self) -> None:
        pass
