"""The Slack side of the composition root: every long-lived part the listeners use is built here,
once per app, from the parts bot/services.py made (only `Services.slack` calls `compose`); the
observers that reach Slack are connected; then the transport's middleware, every listener (each
given the parts it uses, by name) and the catch-all for the rest are registered, in that order."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from slack_bolt import App, BoltContext
from slack_bolt.context.respond import Respond

from bot.access.policy import Access
from bot.access.readers import NO_GROUPS, AskerReaders
from bot.people.first_contact import AI_NOTICE, GREETED
from bot.slack import listeners
from bot.slack.answer_flow.durable import (EVENT_KINDS, AnswerRequest, DurableQuestions, Lease, QuestionKind,
                                           event_kind)
from bot.slack.answer_flow.interrupted import InterruptedAnswers
from bot.slack.answer_flow.replying import Replier
from bot.slack.answer_flow.viewing import ViewedChannels
from bot.slack.features.admins import AdminCheck
from bot.slack.features.ai_notice import AiNotice
from bot.slack.features.emails import SlackEmails
from bot.slack.features.curated_answers import CurationRights, SuspensionNotice
from bot.slack.features.escalation import EscalationRoutes, SentToColleagues
from bot.slack.features.followed_threads import remember_answered
from bot.slack.features.gaps_digest import GapsDigestDM
from bot.slack.features.greeting import SUGGESTED_PROMPTS
from bot.slack.features.reindex_jobs import ReindexJobs
from bot.slack.features.subcommands import Subcommands
from bot.slack.features.template_jobs import TemplateJobs
from bot.slack.features.templates_posting import TemplatePoster
from bot.slack.features.usergroups import UserGroups
from bot.slack.listeners.commands import vraag
from bot.slack.listeners.events import app_mention, message_channels, message_im
from bot.slack.listeners.shortcuts import ask_about_message
from bot.slack.parts import SlackParts
from bot.slack.transport.app import install_transport, register_catch_all
from bot.slack.transport.arrivals import ListenerPool, SeenEvents
from bot.slack.ui.home import HomeTab

if TYPE_CHECKING:
    from bot.answering.engine import AnswerEngine
    from bot.curation.answers import CuratedAnswers
    from bot.indexing.reindexer import Reindexer
    from bot.indexing.source_runs import SourceRuns
    from bot.insights.feedback import FeedbackStore
    from bot.insights.gaps import Gaps
    from bot.operations.metrics import Metrics
    from bot.people.first_contact import FirstContacts
    from bot.settings import Settings
    from bot.storage.queue import QuestionQueue
    from bot.people.followed_threads import FollowedThreads
    from bot.templates.filling import TemplateFiller
    from bot.templates.library import TemplateLibrary


def compose(app: App, *, settings: "Settings", engine: Callable[[], "AnswerEngine"], feedback: "FeedbackStore",
            templates: "TemplateLibrary", filler: Callable[[], "TemplateFiller"], reindexer: "Reindexer",
            metrics: "Metrics", status: Callable[[], dict[str, Any]], curated: "CuratedAnswers | None",
            gaps: "Gaps", first_contacts: "FirstContacts", threads: "FollowedThreads",
            sources: "SourceRuns | None" = None, question_queue: "QuestionQueue | None" = None,
            update_interval_s: float = 1.0) -> SlackParts:
    """Builds the Slack parts on `app` (made by bot.slack.transport.app.build_app: its listener
    executor is the ListenerPool) and registers every listener; returns the parts. `engine`,
    `filler` and `status` are called when used (the models load at start-up or first use)."""
    pool = app.listener_runner.listener_executor
    if not isinstance(pool, ListenerPool):
        raise TypeError("the app needs the ListenerPool as its listener executor: build it with build_app")
    client = app.client
    # Who a DM's asker is at the sources: e-mail from Slack, groups from the sources (kept a while).
    askers = AskerReaders(SlackEmails(client).email_of, sources.directory() if sources is not None else NO_GROUPS,
                          keep_s=settings.access.reader_cache_seconds)
    remote = list(sources.collections) if sources is not None else []
    if sources is not None:
        sources.readers_changed.add(askers.forget)
    access = Access.from_settings(settings, members_of=UserGroups(client).members, askers=askers,
                                  collections=remote)
    admins = AdminCheck(settings.access.admin_user_ids)
    routes = EscalationRoutes(settings.colleagues.escalation_channels)
    replier = Replier(engine, feedback, access, pool.arrivals, metrics, routes=routes,
                      update_interval_s=update_interval_s, agent_view=settings.slack.messaging == "agent",
                      places=question_queue.waiting_before if question_queue is not None else None)
    ai_notice = AiNotice.from_settings(settings, told=first_contacts.once(AI_NOTICE))
    template_jobs = TemplateJobs()
    # The Home tab remembers which admins opened it, so that the result of any re-index reaches their tab.
    home = HomeTab(status=status, feedback=feedback, access=access, admins=admins,
                   examples=[prompt["message"] for prompt in SUGGESTED_PROMPTS], gaps=gaps, curated=curated,
                   sources=sources.overview if sources is not None else None)
    parts = SlackParts(
        replier=replier, arrivals=pool.arrivals, access=access, admins=admins, feedback=feedback,
        templates=templates, filler=filler, status=status, greeted=first_contacts.once(GREETED), ai_notice=ai_notice,
        threads=threads, viewing=ViewedChannels(), curated=curated,
        # Who may curate: asked by the shortcut, its modal's submission and the buttons of the owner's DM.
        rights=CurationRights(settings.colleagues.collection_owners,
                              is_admin=lambda user: admins.is_admin(user, client), members_of=access.members_of),
        home=home, routes=routes, sent_to_colleagues=SentToColleagues(), subcommands=Subcommands(),
        reindex_jobs=ReindexJobs(reindexer, wait_when_busy=settings.operations.reindex_when_busy == "wait"),
        template_jobs=template_jobs, poster=TemplatePoster(template_jobs, access, filler, ai_notice),
        collections=(*settings.documents.sources, *remote))
    if question_queue is not None:
        parts = replace(parts, questions=_durable_questions(app, parts, question_queue, threads))
    _connect_observers(parts, client=client, settings=settings, reindexer=reindexer, curated=curated, gaps=gaps)
    install_transport(app, pool, SeenEvents(), parts.questions)
    listeners.register(app, parts)
    register_catch_all(app)  # after every listener: only the rest
    return parts


def _question_kind(threads: "FollowedThreads") -> QuestionKind:
    """Which requests the question queue keeps: every one a listener answers with the model."""
    def kind_of(body: dict[str, Any], bot_user_id: str | None) -> str | None:
        if body.get("type") == "event_callback":
            event = body.get("event") or {}
            if (event.get("type") == "message" and message_channels.is_channel_thread_reply(event)
                    and message_channels.is_follow_up(threads, event, bot_user_id=bot_user_id)):
                return "follow_up"
            return event_kind(event)
        if vraag.is_question(body, bot_user_id=bot_user_id):
            return "command"
        if ask_about_message.is_question(body, bot_user_id=bot_user_id):
            return "shortcut"
        return None
    return kind_of


def _durable_questions(app: App, parts: SlackParts, queue: "QuestionQueue", threads: "FollowedThreads"
                       ) -> DurableQuestions:
    identity = _Identity(app)
    # A private answer (a command's, a shortcut's) cannot be looked up: it is not found, and the
    # taker's answer replaces what the dead replica wrote (replace_original).
    thread = InterruptedAnswers(app.client, identity.bot_user_id)
    return DurableQuestions(
        queue, _question_answerer(app, parts, identity),
        lambda kind, request: kind in EVENT_KINDS and thread.answered(request),
        kind_of=_question_kind(threads),
        close_interrupted=lambda kind, request: thread.close(request) if kind in EVENT_KINDS else 0)


class _Identity:
    """This app's bot user and team, from auth.test when first needed."""

    def __init__(self, app: App) -> None:
        self.app = app
        self._found: dict[str, Any] = {}

    def context(self) -> BoltContext:
        if not self._found:
            found = self.app.client.auth_test()
            self._found.update(bot_user_id=found.get("user_id"), team_id=found.get("team_id"))
        return BoltContext(dict(self._found))

    def bot_user_id(self) -> str | None:
        return self.context().bot_user_id


def _question_answerer(app: App, parts: SlackParts, identity: "_Identity") -> AnswerRequest:
    """Answers a question taken from the question queue (perhaps offered by another replica) as its
    listener would, with this app's own identity; a command or shortcut through its response_url."""
    def answer_request(kind: str, request: dict[str, Any], ticket: int | None, lease: Lease) -> None:
        context = identity.context()
        if kind == "mention":
            app_mention.answer(parts.replier, request, app.client, context, ticket, lease=lease)
        elif kind == "dm":
            message_im.answer_dm(parts.replier, parts.viewing, request, app.client, context, ticket, lease=lease)
        elif kind == "follow_up":
            message_channels.answer(parts.replier, request, app.client, context, ticket, lease=lease)
        elif kind == "command":
            vraag.answer(parts.replier, request, app.client, Respond(response_url=request.get("response_url")),
                         context, ticket, lease=lease)
        elif kind == "shortcut":
            ask_about_message.answer(parts.replier, request, app.client,
                                     Respond(response_url=request.get("response_url")), context, ticket,
                                     lease=lease)
        else:
            raise ValueError(f"unknown kind of question in the queue: {kind}")
    return answer_request


def _connect_observers(parts: SlackParts, *, client: Any, settings: "Settings", reindexer: "Reindexer",
                       curated: "CuratedAnswers | None", gaps: "Gaps") -> None:
    parts.replier.asking.add(parts.ai_notice.greet)  # the AI notice, once per person
    parts.replier.answered.add(remember_answered(parts.threads))  # threads to follow without a mention
    reindexer.run_finished.add(lambda run: parts.home.refresh_admins(client))
    if curated is not None:  # a re-index suspended a curated answer: its owner gets a DM
        curated.suspended.add(SuspensionNotice(client))
    gaps.digest_ready.add(GapsDigestDM(client, settings.access.admin_user_ids, days=settings.schedule.gaps_digest_days))
