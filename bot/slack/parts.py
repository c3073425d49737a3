"""The Slack side's long-lived parts, built once by bot/slack/composition.py. The listeners' kind
registers (bot/slack/listeners/*/__init__.py) hand each listener module the parts it uses, by name;
`vraagbaak serve` uses a few at shutdown, and tests look inside."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.access.policy import Access
    from bot.curation.answers import CuratedAnswers
    from bot.insights.feedback import FeedbackStore
    from bot.people.first_contact import OncePerPerson
    from bot.people.followed_threads import FollowedThreads
    from bot.slack.answer_flow.replying import Replier
    from bot.slack.answer_flow.viewing import ViewedChannels
    from bot.slack.features.admins import AdminCheck
    from bot.slack.features.ai_notice import AiNotice
    from bot.slack.features.curated_answers import CurationRights
    from bot.slack.features.escalation import EscalationRoutes, SentToColleagues
    from bot.slack.features.reindex_jobs import ReindexJobs
    from bot.slack.features.subcommands import Subcommands
    from bot.slack.features.template_jobs import TemplateJobs
    from bot.slack.features.templates_posting import TemplatePoster
    from bot.slack.transport.arrivals import ArrivalOrder
    from bot.slack.ui.home import HomeTab
    from bot.templates.filling import TemplateFiller
    from bot.templates.library import TemplateLibrary


@dataclass(frozen=True)
class SlackParts:
    """Each part once. `filler` and `status` are called when used: the filler needs the language
    model, the status reads the index and the run reports."""

    replier: "Replier"  # the answer flow every question goes through
    arrivals: "ArrivalOrder"  # questions reach the model in the order Slack delivered them
    access: "Access"  # which collections a conversation may search (bot/access/policy.py)
    admins: "AdminCheck"
    feedback: "FeedbackStore"
    templates: "TemplateLibrary"
    filler: Callable[[], "TemplateFiller"]
    status: Callable[[], dict[str, Any]]
    greeted: "OncePerPerson"  # who was greeted in the app's Messages tab (once per person)
    ai_notice: "AiNotice"  # told once per person, before their first answer
    threads: "FollowedThreads"  # channel threads whose follow-ups are answered without a mention
    viewing: "ViewedChannels"  # the channel each person looks at beside the app
    curated: "CuratedAnswers | None"  # None: curated answers are switched off
    rights: "CurationRights"  # who may curate
    home: "HomeTab"
    routes: "EscalationRoutes"  # where "Vraag een collega" goes
    sent_to_colleagues: "SentToColleagues"
    subcommands: "Subcommands"  # of /vraagbaak
    reindex_jobs: "ReindexJobs"  # re-index runs asked for in Slack, tracked for the shutdown
    template_jobs: "TemplateJobs"  # tracked for the shutdown
    poster: "TemplatePoster"  # fills submitted templates on the template jobs' threads
    collections: tuple[str, ...]  # the configured collections' names
