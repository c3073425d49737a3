"""/vraag (private answer, shared with a click) and /vraagbaak (help, status, admin re-index)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from bot.errors import ReindexBusyError
from bot.indexing.reindexer import RunReport
from bot.operations.observers import Observers
from bot.slack.ui.blocks import ACTION_FEEDBACK, ACTION_SHARE
from bot.slack.features.admins import NOT_ADMIN
from knowledge.models import IndexReport, SkippedFile
from tests.fakes.slack import payloads
from tests.slack.conftest import ADMIN, CHANNEL, OWNER, USER, RunningBot
from tests.slack.test_answer_flow import button_ids


def command(bot: RunningBot, name: str, text: str, *, user: str = USER, channel: str = CHANNEL):
    envelope_id, response_url = bot.slack.push_command(name, text, user=user, channel=channel)
    return bot.slack.wait_for_ack(envelope_id), response_url


def answer_response(bot: RunningBot, response_url: str):
    return bot.slack.wait_for_response(response_url, lambda r: "blocks" in r.body)


def test_vraag_answers_privately_then_shares_in_the_channel(scripted_bot):
    slack = scripted_bot.slack
    ack, response_url = command(scripted_bot, "/vraag", "Hoeveel vakantiedagen heb ik?")
    assert "Even denken" in ack.payload["text"] and ack.payload["response_type"] == "ephemeral"
    private = answer_response(scripted_bot, response_url)
    assert private.body["response_type"] == "ephemeral" and private.body["replace_original"] is True
    blocks = private.body["blocks"]
    assert "Hoeveel vakantiedagen heb ik?" in blocks[0]["elements"][0]["text"]
    assert blocks[1]["type"] == "markdown" and "**25 vakantiedagen**" in blocks[1]["text"]
    assert button_ids(private.body) == [ACTION_FEEDBACK, ACTION_SHARE]
    buttons = {e["action_id"]: e["value"] for b in blocks if b["type"] == "actions" for e in b["elements"]}
    assert not slack.calls_to("chat.postMessage"), "nothing public before the click"

    click_url = slack.new_response_url()
    click = payloads.block_actions({"action_id": ACTION_SHARE, "value": buttons[ACTION_SHARE]},
                                   user=USER, channel=CHANNEL, response_url=click_url)
    slack.wait_for_ack(slack.push_interactive(click))
    public = slack.wait_for_call("chat.postMessage")
    assert public.params["channel"] == CHANNEL and "thread_ts" not in public.params
    shared = public.params["blocks"]
    assert f"<@{USER}> deelde" in shared[0]["elements"][0]["text"]
    assert shared[1] == blocks[1]  # the same answer, now public
    assert button_ids(public.params) == [ACTION_FEEDBACK]
    assert slack.wait_for_response(click_url).body["delete_original"] is True


def test_sharing_where_the_bot_is_not_a_member_posts_through_the_response_url(scripted_bot):
    slack = scripted_bot.slack
    slack.workspace.not_in_channel.add(CHANNEL)
    _, response_url = command(scripted_bot, "/vraag", "Hoeveel vakantiedagen heb ik?")
    private = answer_response(scripted_bot, response_url)
    value = next(e["value"] for b in private.body["blocks"] if b["type"] == "actions"
                 for e in b["elements"] if e["action_id"] == ACTION_SHARE)
    click_url = slack.new_response_url()
    slack.push_interactive(payloads.block_actions({"action_id": ACTION_SHARE, "value": value}, user=USER,
                                                  channel=CHANNEL, response_url=click_url))
    public = slack.wait_for_response(click_url, lambda r: r.body.get("response_type") == "in_channel")
    assert "**25 vakantiedagen**" in public.body["blocks"][1]["text"]
    slack.wait_for_response(click_url, lambda r: r.body.get("delete_original") is True)


def test_vraag_without_a_question_explains_itself(scripted_bot, scripted_generator):
    ack, _ = command(scripted_bot, "/vraag", "  ")
    assert "/vraag Hoe vraag ik verlof aan?" in ack.payload["text"]
    assert not scripted_generator.requests


@dataclass
class RecordingReindexer:
    """The Reindexer contract (bot.indexing.reindexer): run / is_running / running_elsewhere / last_run /
    run_finished; `gate` holds a run."""

    report: object = None
    busy: bool = False
    elsewhere: bool = False  # another replica runs one
    calls: list = field(default_factory=list)
    gate: threading.Event = field(default_factory=threading.Event)
    started: threading.Event = field(default_factory=threading.Event)
    run_ending: Observers = field(default_factory=lambda: Observers("run ending"))
    run_finished: Observers = field(default_factory=lambda: Observers("run finished"))

    def run(self, collections=None, *, full=False, progress=None, wait=False, trigger=""):
        if self.busy and not wait:
            raise ReindexBusyError("er loopt al een herindexering")
        self.calls.append((collections, full, wait))
        self.started.set()
        self.gate.wait(10)
        self.run_finished.notify(self.report)
        return self.report

    def is_running(self) -> bool:
        return self.busy or self.elsewhere

    def running_elsewhere(self) -> bool:
        return self.elsewhere

    def last_run(self):
        return self.report

    def last_runs_by_collection(self) -> dict:
        return {name: self.report for name in getattr(self.report, "reports", {})}


def Report(added: list, changed: list, removed: list, failed: list, **failures: str) -> RunReport:
    """A RunReport over the one collection "bedrijf" (failures: collection=reason)."""
    return RunReport(started_at="2025-01-06T09:00:00+00:00", duration_s=1.5,
                     reports={"bedrijf": IndexReport(added=added, changed=changed, removed=removed, skipped=failed)},
                     failures=failures)


def test_reindex_is_refused_to_someone_who_is_not_an_admin(scripted_bot_with):
    reindexer = RecordingReindexer()
    scripted_bot = scripted_bot_with(reindexer=reindexer)
    _, response_url = command(scripted_bot, "/vraagbaak", "reindex", user=USER)
    refusal = scripted_bot.slack.wait_for_response(response_url)
    assert refusal.body["text"] == NOT_ADMIN and refusal.body["response_type"] == "ephemeral"
    assert scripted_bot.slack.calls_to("users.info", lambda c: c.params["user"] == USER)
    assert reindexer.calls == []


def test_reindex_by_an_admin_reports_start_and_result(scripted_bot_with):
    report = Report(added=["hr/nieuw.md"], changed=["it/vpn.md", "it/wifi.html"], removed=[],
                    failed=[SkippedFile("hr/kapot.pdf", "geen tekst")])
    reindexer = RecordingReindexer(report=report)
    reindexer.gate.set()
    scripted_bot = scripted_bot_with(reindexer=reindexer)
    _, response_url = command(scripted_bot, "/vraagbaak", "reindex volledig bedrijf", user=ADMIN)
    slack = scripted_bot.slack
    started = slack.wait_for_response(response_url)
    assert "gestart" in started.body["text"]
    result = slack.wait_for_response(response_url, lambda r: "klaar" in r.body.get("text", ""))
    text = result.body["text"]
    assert "toegevoegd: 1, gewijzigd: 2, verwijderd: 0, mislukt: 1" in text
    assert "`hr/kapot.pdf` (geen tekst)" in text
    assert reindexer.calls == [(["bedrijf"], True, False)]
    assert not slack.calls_to("users.info", lambda c: c.params["user"] == ADMIN), "allow-listed: no lookup"


def test_workspace_owner_may_reindex_and_busy_is_told_politely(scripted_bot_with):
    reindexer = RecordingReindexer(report=Report([], [], [], []), busy=True)
    scripted_bot = scripted_bot_with(reindexer=reindexer)
    _, response_url = command(scripted_bot, "/vraagbaak", "reindex", user=OWNER)
    busy = scripted_bot.slack.wait_for_response(response_url)
    assert "er loopt al een herindexering" in busy.body["text"]
    assert reindexer.calls == []


def test_a_reindex_running_on_another_replica_is_named_so_and_not_waited_for(scripted_bot_with):
    reindexer = RecordingReindexer(report=Report([], [], [], []), elsewhere=True)
    scripted_bot = scripted_bot_with(reindexer=reindexer, settings={"reindex_when_busy": "wait"})
    _, response_url = command(scripted_bot, "/vraagbaak", "reindex", user=ADMIN)
    reply = scripted_bot.slack.wait_for_response(response_url)
    assert "op een andere server van Vraagbaak" in reply.body["text"]
    assert reindexer.calls == [], "not queued: the other server's run reads every document already"


def test_unknown_collection_is_named(scripted_bot_with):
    scripted_bot = scripted_bot_with(reindexer=RecordingReindexer())
    _, response_url = command(scripted_bot, "/vraagbaak", "reindex wiki", user=ADMIN)
    reply = scripted_bot.slack.wait_for_response(response_url)
    assert "Onbekende collectie(s): wiki" in reply.body["text"]


def test_questions_keep_being_answered_while_a_reindex_runs(scripted_bot_with):
    reindexer = RecordingReindexer(report=Report([], ["hr/vakantie-en-verlof.md"], [], []))
    scripted_bot = scripted_bot_with(reindexer=reindexer)
    _, response_url = command(scripted_bot, "/vraagbaak", "reindex", user=ADMIN)
    slack = scripted_bot.slack
    slack.wait_for_response(response_url)
    assert reindexer.started.wait(5)  # running, held by the gate
    event = slack.user_posts("Hoeveel vakantiedagen heb ik?", user=USER, channel=CHANNEL)
    slack.push_event(event)
    slack.wait_for_call("chat.stopStream", lambda c: c.params.get("blocks") and c.params["channel"] == CHANNEL)
    reindexer.gate.set()
    slack.wait_for_response(response_url, lambda r: "klaar" in r.body.get("text", ""))


def test_status_and_help_are_for_everyone(scripted_bot_with, scripted_generator):
    class Stats:
        def stats(self):
            return {"documents": 24, "chunks": 310}
    scripted_bot = scripted_bot_with(store=Stats(), reindexer=RecordingReindexer(report=Report(["a.md"], [], [], [])))
    _, status_url = command(scripted_bot, "/vraagbaak", "status")
    status = scripted_bot.slack.wait_for_response(status_url).body["text"]
    assert "24 documenten, 310 chunks" in status
    assert "2025-01-06 10:00:00 CET" in status  # the last run, in the schedule's time zone
    assert scripted_generator.model_name in status
    assert "Wachtrij: leeg" in status
    _, help_url = command(scripted_bot, "/vraagbaak", "")
    help_text = scripted_bot.slack.wait_for_response(help_url).body["text"]
    for word in ("reindex", "status", "help", "/vraag"):
        assert word in help_text


def test_partial_failure_and_progress_are_described_in_dutch():
    from bot.slack.ui.index_reports import describe_progress, describe_report

    report = Report(["hr/a.md"], [], ["hr/oud.md"], [], wiki="map /srv/wiki bestaat niet")
    text = describe_report(report)
    assert text.startswith("*Herindexering deels mislukt* in 1.5 s: toegevoegd: 1, gewijzigd: 0, verwijderd: 1")
    assert "collectie *wiki*: map /srv/wiki bestaat niet" in text
    assert "Verwijderd: `hr/oud.md`" in text
    assert describe_progress("bedrijf", 40, 120) == "collectie *bedrijf*: 40 van 120 passages verwerkt"


def test_a_second_reindex_from_slack_is_refused_while_the_first_runs(scripted_bot_with):
    """The Slack re-index threads have one owner (features/reindex_jobs.py): a second request while
    one runs is told so, and starts no second run."""
    reindexer = RecordingReindexer(report=Report(["a.md"], [], [], []))
    scripted_bot = scripted_bot_with(reindexer=reindexer)
    slack = scripted_bot.slack
    _, first_url = command(scripted_bot, "/vraagbaak", "reindex", user=ADMIN)
    assert "gestart" in slack.wait_for_response(first_url).body["text"]
    assert reindexer.started.wait(5)  # running, held by the gate
    _, second_url = command(scripted_bot, "/vraagbaak", "reindex", user=ADMIN)
    assert "er loopt al een herindexering" in slack.wait_for_response(second_url).body["text"]
    reindexer.gate.set()
    slack.wait_for_response(first_url, lambda r: "klaar" in r.body.get("text", ""))
    assert reindexer.calls == [(None, False, False)]


def test_a_shutdown_waits_for_the_slack_reindex_to_report_and_refuses_new_ones():
    from bot.slack.features.reindex_jobs import ReindexJobs

    reindexer = RecordingReindexer(report=Report([], [], [], []))
    jobs = ReindexJobs(reindexer, wait_when_busy=False)
    reported, announced, closed = threading.Event(), [], []

    def run(wait: bool) -> None:
        reindexer.run(wait=wait)
        reported.set()
    assert jobs.start(run, announce=announced.append) == "started" and announced == ["started"]
    assert reindexer.started.wait(5)
    closer = threading.Thread(target=lambda: closed.append(jobs.close(30)))
    closer.start()
    reindexer.gate.set()
    closer.join(30)
    assert closed == [True] and reported.is_set(), "close returned before the run had reported"
    assert jobs.start(run, announce=announced.append) == "stopping" and announced == ["started"]
