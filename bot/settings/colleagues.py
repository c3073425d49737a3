"""What Vraagbaak does around the people it answers: follow-ups, the AI notice, owners, "Vraag een collega"."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from bot.settings.fields import Area, SettingsError, check_slack_ids, parse_name_lists, setting


def parse_escalation_channels(raw: str) -> dict[str, str]:
    """`hr=C0HR,it=C0IT` (`;` works as well) as {"hr": "C0HR", "it": "C0IT"}."""
    result: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in raw.replace(";", ",").split(","))):
        name, sep, channel = part.partition("=")
        if not sep or not name.strip() or not channel.strip():
            raise SettingsError(f"VRAAGBAAK_ESCALATION_CHANNELS: '{part}' is not of the form collectie=KANAAL")
        result[name.strip()] = channel.strip()
    return result


@dataclass(frozen=True)
class Colleagues(Area):
    """Colleagues: thread follow-ups, the AI notice, collection owners and "Vraag een collega"."""

    follow_up_days: int = setting(
        7, "VRAAGBAAK_FOLLOW_UP_DAYS",
        "In a channel thread where Vraagbaak answered someone, that person's later replies (and replies that "
        "start with Vraagbaak's name) are answered without a new @mention for this many days after its last "
        "answer there. 0: only @mentions are answered.", minimum=0)
    ai_notice: str = setting(
        ":information_source: Goed om te weten: Vraagbaak is een AI-assistent. Het antwoordt automatisch uit de "
        "eigen documenten van het bedrijf, met een taalmodel op onze eigen servers. Antwoorden kunnen fout zijn: "
        "de genoemde bronnen zijn leidend. Deze melding zie je één keer.",
        "VRAAGBAAK_AI_NOTICE",
        "The notice each person gets once, the first time Vraagbaak answers them (EU AI Act art. 50(1)), in "
        "Slack mrkdwn. Empty: no notice (only where people are told in another way).")
    ai_notice_en: str = setting(
        ":information_source: Good to know: Vraagbaak is an AI assistant. It answers automatically from the "
        "company's own documents, with a language model on our own servers. Answers can be wrong: the sources "
        "it names are what counts. You will see this notice once.",
        "VRAAGBAAK_AI_NOTICE_EN", "The same notice for people whose first question is in English.")
    collection_owners: dict[str, list[str]] = setting(
        {}, "VRAAGBAAK_COLLECTION_OWNERS",
        "Per collection, who owns it, as `hr=U0HR1+S0HRTEAM;it=U0IT`: Slack user ids (U…, W…) and user group ids "
        "(S…). Besides the admins, they may make a curated answer of Vraagbaak's answer from their collection (the "
        "⋮ menu of the answer → \"Maak vast antwoord\"); it is theirs, and they hear when a source changes.",
        parse=partial(parse_name_lists, env="VRAAGBAAK_COLLECTION_OWNERS", form="collectie=GEBRUIKER+GROEP"))
    escalation_channels: dict[str, str] = setting(
        {}, "VRAAGBAAK_ESCALATION_CHANNELS",
        "Per collection, the Slack channel (id, C… or G…) where \"Vraag een collega\" posts a question with "
        "Vraagbaak's answer and sources, as `hr=C0HRVRAGEN,it=C0ITHELP`; `*=C0…` for every other collection. "
        "A collection without a channel gets no button (Vraagbaak must be a member of the channel).",
        parse=parse_escalation_channels)

    def check(self) -> None:
        odd = [c for c in self.escalation_channels.values() if c[:1] not in {"C", "G"}]
        if odd:
            raise SettingsError(f"VRAAGBAAK_ESCALATION_CHANNELS: {', '.join(odd)} is no Slack channel id (C… or G…; "
                                "in Slack: the channel's details, at the bottom)")
        check_slack_ids("VRAAGBAAK_COLLECTION_OWNERS", self.collection_owners, "collection")
