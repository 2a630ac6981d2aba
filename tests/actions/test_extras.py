"""Charts and the plan's calendar, as each channel gets them with the answer (given from the
form's last step)."""

from __future__ import annotations

import pytest
from icalendar import Calendar

from actions.extras import CALENDAR_TEXT
from img_channels.media import MediaStore, name_from_url
from tests.actions.support import form_turn, make_tracker, read, slot_values

CK_228_IM = {
    "question": "chances",
    "specialty": "internal_medicine",
    "step1": "passed",
    "step2": "passed",
    "step2_score": 228,
    "visa": "j1",
    "graduation_year": 2022,
    "disclaimer_shown": True,
    "remember_consent": "no",
}
PLAN = {
    "question": "plan",
    "step1": "passed",
    "step2": "not_taken",
    "disclaimer_shown": True,
    "remember_consent": "no",
    "specialty": "pediatrics",
}


@pytest.fixture(autouse=True)
def media_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("MEDIA_DIR", str(tmp_path / "media"))
    monkeypatch.delenv("PUBLIC_BASE_URL", raising=False)
    return MediaStore.from_env()


def tracker(slots, channel, text="what are my chances", intent="ask_chances"):
    event = {
        "event": "user",
        "text": text,
        "input_channel": channel,
        "parse_data": {"intent": {"name": intent}},
    }
    return make_tracker(text, intent=intent, slots=slots, events=[event], active_loop="advice_form")


async def test_web_chat_gets_the_chart_as_an_image_with_alt_text(media_dir):
    _, messages = await form_turn(tracker(CK_228_IM, "socketio"))
    images = [m["text"] for m in messages if (m.get("text") or "").startswith("![")]
    assert len(images) == 1
    alt, url = images[0][2:-1].split("](")
    assert "Your CK: 228, in the 220-229 band" in alt
    data = media_dir.read(name_from_url(url) or "")
    assert data is not None and data[:8] == b"\x89PNG\r\n\x1a\n"


async def test_telegram_gets_an_image_message_with_its_alt(media_dir):
    _, messages = await form_turn(tracker(CK_228_IM, "telegram"))
    [image] = [m for m in messages if m.get("image")]
    assert image["alt"].startswith("Step 2 CK bands for Internal Medicine")
    assert media_dir.read(name_from_url(image["image"]) or "") is not None


async def test_whatsapp_needs_a_public_base_url_for_the_picture(media_dir, monkeypatch):
    _, messages = await form_turn(tracker(CK_228_IM, "whatsapp"))
    assert not any(m.get("image") for m in messages)
    assert any("210 ─ 220 ─[228]─ 230" in (m.get("text") or "") for m in messages)
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://advisor.example.org/")
    _, messages = await form_turn(tracker(CK_228_IM, "whatsapp"))
    [image] = [m for m in messages if m.get("image")]
    assert image["image"].startswith("https://advisor.example.org/chat/media/")


async def test_shell_and_rest_get_the_text_bar(media_dir):
    for channel in ("cmdline", "rest"):
        _, messages = await form_turn(tracker(CK_228_IM, channel))
        texts = [m.get("text") or "" for m in messages]
        assert "Where your CK stands: 210 ─ 220 ─[228]─ 230 ─ 240 ─ 250" in texts
        assert not any(m.get("image") for m in messages)
    assert not media_dir.directory.exists()  # nothing stored for text channels


async def test_questions_without_a_chart_send_none(media_dir):
    slots = {**CK_228_IM, "question": "visa"}
    t = tracker(slots, "socketio", text="which visa is better for me", intent="ask_visa")
    _, messages = await form_turn(t)
    assert not any((m.get("text") or "").startswith("![") for m in messages)


async def test_plan_is_one_message_per_phase_and_web_gets_a_calendar(media_dir):
    t = tracker(PLAN, "socketio", text="make me a plan for the 2028 match", intent="ask_plan")
    events, messages = await form_turn(t)
    texts = [m.get("text") or "" for m in messages]
    assert texts[0].startswith("Your plan aims at the 2028 Match")
    assert any(t.startswith("Step 2 CK:\n- ") for t in texts)
    assert any(t.startswith("Interviews and Match Day:") for t in texts)
    [calendar] = [t for t in texts if t.startswith(CALENDAR_TEXT)]
    url = calendar.split("](")[1].rstrip(")")
    cal = Calendar.from_ical(media_dir.read(name_from_url(url) or ""))
    assert any(str(e["summary"]) == "Match Day" for e in cal.walk("VEVENT"))
    why = next(e["value"] for e in events if e.get("name") == "last_why")
    assert "Pediatrics article, timing and signaling" in why


async def test_plan_for_a_named_match_year(media_dir):
    slots = {**PLAN, "asked": {"specialties": [], "uncovered": "other", "match_year": 2029}}
    t = tracker(slots, "rest", text="plan for 2029 match", intent="ask_plan")
    _, messages = await form_turn(t)
    texts = [m.get("text") or "" for m in messages]
    assert "You asked for the 2029 Match" in "\n".join(texts)
    assert not any(t.startswith(CALENDAR_TEXT) for t in texts)  # REST: no calendar


async def test_a_named_match_year_outlasts_the_turns_after_it(media_dir):
    # Turn 1 asks for the plan and names the Match; the form then asks for a practice score.
    first = "plan for 2029 match pls, passed s1 first try, ck not taken yet"
    events, _ = read(make_tracker(first, intent="ask_plan"))
    slots = slot_values(events)
    assert slots["asked"]["match_year"] == 2029
    assert "graduation_year" not in slots
    # Turn 2 answers the prompt. Its tracker holds only this turn's message (as after the
    # tracker store's window), so the year must come from the slot.
    slots.update(step2_practice=221, disclaimer_shown=True, remember_consent="no")
    t = tracker(slots, "rest", text="nbme 221", intent="inform")
    _, messages = await form_turn(t)
    texts = "\n".join(m.get("text") or "" for m in messages)
    assert "Your plan aims at the 2029 Match" in texts
    assert "You asked for the 2029 Match" in texts


async def test_a_match_year_given_among_facts_is_kept_for_the_plan():
    t = make_tracker(
        "aiming for the 2029 match",
        intent="inform",
        slots={"asked": {"specialties": ["internal_medicine"], "uncovered": "other"}},
    )
    events, _ = read(t)
    assert slot_values(events)["asked"] == {
        "specialties": ["internal_medicine"],
        "uncovered": "other",
        "match_year": 2029,
    }


async def test_telegram_gets_the_calendar_as_a_file(media_dir):
    t = tracker(PLAN, "telegram", text="make me a plan", intent="ask_plan")
    _, messages = await form_turn(t)
    [attached] = [m for m in messages if m.get("attachment")]
    payload = attached["attachment"]["payload"]
    assert payload["name"] == "residency-plan.ics"
    assert media_dir.read(
        name_from_url(payload["src"]) or "",
    ).startswith(b"BEGIN:VCALENDAR")
