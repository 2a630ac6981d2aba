"""The chat page in Debian's chromium, driven by Playwright (no browser download): the
rasa-webchat widget, buttons, HTML safety and a reload that keeps the conversation."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from img_deploy.browser import bot_texts, chromium_page, send, settle, wait_for_chart

pytestmark = pytest.mark.e2e


@pytest.fixture()
def page(rasa_stack) -> Iterator[object]:
    try:
        with chromium_page() as page:
            yield page
    except RuntimeError as exc:
        pytest.fail(str(exc))


def test_chat_page_conversation_buttons_escaping_and_reload(rasa_stack, page):
    page.goto(f"{rasa_stack.base_url}/chat/")
    settle(page, 0)  # the greeting, sent for the widget's initPayload

    send(page, "can I match peds with a Step 1 fail?")
    send(page, "220")
    visa_button = page.locator(".rw-reply").filter(has_text="J-1").last
    assert visa_button.inner_text().strip() == "J-1"  # a rendered button, not text
    answered = len(bot_texts(page))
    visa_button.click()
    settle(page, answered)
    send(page, "graduated in 2022")
    advice = "\n".join(bot_texts(page))
    assert "Pediatrics" in advice and "educational guidance" in advice

    send(page, "<b id=injected>bold</b><img src=x onerror=window.__injected=1>")
    assert page.locator("#injected").count() == 0
    assert page.evaluate("window.__injected === undefined")
    assert "<b id=injected>" in "\n".join(page.locator(".rw-client").all_inner_texts())

    before_reload = bot_texts(page)
    page.reload()
    settle(page, 0)
    assert bot_texts(page)[: len(before_reload)] == before_reload
    # The server side continues the same conversation too: it still knows the profile.
    send(page, "what do you know about me")
    assert "220" in bot_texts(page)[-1] or "220" in "\n".join(bot_texts(page)[-3:])


def test_chart_image_loads_with_alt_text_and_the_plan_offers_a_calendar(rasa_stack, page):
    page.goto(f"{rasa_stack.base_url}/chat/")
    settle(page, 0)
    send(page, "is 228 enough for IM? passed step 1 first attempt, need j1, graduated 2022")
    chart = wait_for_chart(page)
    assert chart.evaluate("img => img.naturalWidth") == 800
    alt = chart.get_attribute("alt") or ""
    assert "Step 2 CK bands for Internal Medicine" in alt
    assert "Your CK: 228, in the 220-229 band" in alt

    send(page, "make me a plan")
    texts = "\n".join(bot_texts(page))
    assert "Your plan aims at the 2028 Match" in texts and "Match Day" in texts
    link = page.locator(".rw-response a", has_text="residency-plan.ics").last
    href = link.get_attribute("href") or ""
    assert href.startswith("/chat/media/") and href.endswith(".ics")
    calendar = page.request.get(f"{rasa_stack.base_url}{href}")
    assert calendar.status == 200 and calendar.headers["content-type"].startswith("text/calendar")
    assert calendar.body().startswith(b"BEGIN:VCALENDAR")
    # Only names the server handed out are served.
    assert (
        page.request.get(f"{rasa_stack.base_url}/chat/media/AAAAAAAAAAAAAAAAAAAAAAAA.png").status
        == 404
    )
