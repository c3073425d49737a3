"""What the Slack listeners share, built once by `bot.slack.transport.app.register` and handed to each
listener module's `register(app, parts)` (Bolt injects its own arguments by name; ours come in
through this object, never through globals)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from slack_sdk import WebClient

from bot.slack.features.admins import AdminCheck
from bot.slack.transport.arrivals import ArrivalOrder, SeenEvents
from bot.slack.answer_flow.replying import Replier
from bot.slack.features.template_jobs import TemplateJobs
from bot.slack.answer_flow.viewing import ViewedChannels

if TYPE_CHECKING:
    from bot.access.policy import Access
    from bot.curation.answers import CuratedAnswers
    from bot.insights.feedback import FeedbackStore
    from bot.people.first_contact import OncePerPerson
    from bot.people.followed_threads import FollowedThreads
    from bot.insights.gaps import Gaps
    from bot.indexing.reindexer import Reindexer
    from bot.settings import Settings
    from bot.slack.features.ai_notice import AiNotice
    from bot.templates.filling import TemplateFiller
    from bot.templates.library import TemplateLibrary


@dataclass(frozen=True)
class CommandCall:
    """One `/vraagbaak <sub> <args…>` invocation, already acknowledged."""

    args: list[str]
    user: str
    channel: str
    client: WebClient
    respond: Callable[..., Any]
    trigger_id: str
    body: dict[str, Any]


@dataclass(frozen=True)
class Subcommand:
    """A `/vraagbaak` sub-command; other listener modules (templates) may add their own."""

    name: str
    usage: str  # e.g. "reindex [volledig] [collectie…]"
    help: str  # one Dutch line
    run: Callable[[CommandCall], None]
    admin_only: bool = False


@dataclass
class SlackParts:
    """The parts the listeners use, each by name. `template_filler` and `status` are called when
    used: the filler needs the language model, the status reads the index and the run reports."""

    settings: "Settings"
    feedback: "FeedbackStore"
    templates: "TemplateLibrary"
    template_filler: Callable[[], "TemplateFiller"]
    reindexer: "Reindexer"
    status: Callable[[], dict[str, Any]]
    replier: Replier
    access: "Access"  # which collections a conversation may search (bot/access/policy.py)
    arrivals: ArrivalOrder
    seen: SeenEvents
    admins: AdminCheck
    greeted: "OncePerPerson"  # who was greeted in the app's Messages tab (once per person)
    viewing: ViewedChannels = field(default_factory=ViewedChannels)  # the channel each person looks at
    subcommands: dict[str, Subcommand] = field(default_factory=dict)
    template_jobs: TemplateJobs = field(default_factory=TemplateJobs)  # tracked, for the shutdown
    # Issue 16 (colleague features): the AI notice at first contact, the threads to follow without a mention
    ai_notice: "AiNotice | None" = None
    threads: "FollowedThreads | None" = None
    curated: "CuratedAnswers | None" = None  # None: curated answers are switched off
    gaps: "Gaps | None" = None  # what the documents are missing (the Home tab's admin part)

    def add_subcommand(self, subcommand: Subcommand) -> None:
        self.subcommands[subcommand.name] = subcommand
