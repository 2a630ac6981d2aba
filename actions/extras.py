"""What goes with an answer besides its text: the "where you stand" chart, and for the plan
question the plan itself (one message per phase) and its calendar file.

How each channel shows a picture:
- web chat: a markdown image in a bot message; rasa-webchat renders it as ``<img>`` with
  the alt text (its own image message has no alt attribute);
- Telegram: ``image`` with the media URL; the Telegram output uploads the file (sendPhoto),
  so no public URL is needed; the calendar goes as a document;
- WhatsApp (Twilio, Cloud API): ``image`` with the public URL under ``PUBLIC_BASE_URL``,
  when it is configured; else the text bar;
- the shell, REST and anything else: the one-line text bar.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from enum import Enum

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from img_channels.media import MediaKind, MediaStore, public_url, url_of
from img_strategy import Profile, Question
from img_strategy.asked import Asked
from img_strategy.ics import plan_to_ics
from img_strategy.plan import Plan, plan_for
from img_strategy.render import render_reasons
from img_strategy.standing import Standing, standing

CHART_QUESTIONS = frozenset(
    {Question.CHANCES, Question.TARGET_SCORE, Question.REALISTIC_SPECIALTIES}
)
CALENDAR_TEXT = "Add these months to your calendar"
CALENDAR_FILE = "residency-plan.ics"
Metadata = dict[str, str]


class Delivery(Enum):
    MARKDOWN = "markdown"  # web chat
    UPLOAD = "upload"  # Telegram
    MEDIA_URL = "media_url"  # WhatsApp: the provider fetches a public URL
    TEXT = "text"  # shell, REST, others


_DELIVERY = {
    "socketio": Delivery.MARKDOWN,
    "telegram": Delivery.UPLOAD,
    "whatsapp": Delivery.MEDIA_URL,
    "whatsapp_cloud": Delivery.MEDIA_URL,
}


def delivery(tracker: Tracker) -> Delivery:
    return _DELIVERY.get(tracker.get_latest_input_channel() or "", Delivery.TEXT)


@dataclass
class Extras:
    """The extra messages for one answer; ``texts`` replaces the rendered advice when set
    (the plan is sent phase by phase), ``why`` its reasons."""

    texts: list[str] | None = None
    why: str | None = None
    after: list[Callable[[CollectingDispatcher, Metadata], None]] = field(default_factory=list)

    def send(self, dispatcher: CollectingDispatcher, metadata: Metadata) -> None:
        """The extra messages, each with the answer's ``metadata`` (which question)."""
        for step in self.after:
            step(dispatcher, metadata)


def extras_for(
    tracker: Tracker, question: Question, profile: Profile, today: date, asked: Asked
) -> Extras:
    how = delivery(tracker)
    if question == Question.PLAN:
        plan = plan_for(profile, today, asked)
        extras = Extras(texts=plan.messages(), why=render_reasons(plan.advice))
        if how in (Delivery.MARKDOWN, Delivery.UPLOAD):
            extras.after.append(lambda d, m: _send_calendar(d, m, plan, how))
        return extras
    if question in CHART_QUESTIONS:
        where = standing(profile, today)
        return Extras(after=[lambda d, m: _send_chart(d, m, where, how)])
    return Extras()


def _send_chart(
    dispatcher: CollectingDispatcher, metadata: Metadata, where: Standing, how: Delivery
) -> None:
    if how != Delivery.TEXT:
        from img_charts import render_png  # matplotlib loads only when a chart is drawn

        name = MediaStore.from_env().put(render_png(where), MediaKind.PNG)
        alt = where.alt_text()
        if how == Delivery.MARKDOWN:
            dispatcher.utter_message(text=f"![{alt}]({url_of(name)})", metadata=metadata)
            return
        if how == Delivery.UPLOAD:
            dispatcher.utter_message(image=url_of(name), alt=alt, metadata=metadata)
            return
        url = public_url(name)
        if url is not None:
            dispatcher.utter_message(image=url, alt=alt, metadata=metadata)
            return
    if where.score is None:
        dispatcher.utter_message(
            text=f"The CK bands ({where.table} guidance): {where.text_bar()}", metadata=metadata
        )
    else:
        dispatcher.utter_message(
            text=f"Where your CK stands: {where.text_bar()}", metadata=metadata
        )


def _send_calendar(
    dispatcher: CollectingDispatcher, metadata: Metadata, plan: Plan, how: Delivery
) -> None:
    name = MediaStore.from_env().put(plan_to_ics(plan), MediaKind.ICS)
    if how == Delivery.MARKDOWN:
        dispatcher.utter_message(
            text=f"{CALENDAR_TEXT}: [{CALENDAR_FILE}]({url_of(name)})", metadata=metadata
        )
    else:
        dispatcher.utter_message(
            text=f"{CALENDAR_TEXT} (all-day events, one per step):",
            attachment={"type": "file", "payload": {"src": url_of(name), "name": CALENDAR_FILE}},
            metadata=metadata,
        )
