from __future__ import annotations

import asyncio

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from img_channels import notices
from img_channels.guard import GuardSettings, TurnGuard, allowed_metadata
from img_store.health import SaveHealth


def message(text: str = "hi", sender: str = "user") -> tuple[UserMessage, CollectingOutputChannel]:
    output = CollectingOutputChannel()
    return UserMessage(text, output, sender), output


def texts(output: CollectingOutputChannel) -> list[str]:
    return [m["text"] for m in output.messages]


async def answering(message: UserMessage) -> None:
    await message.output_channel.send_response(message.sender_id, {"text": "answer"})


async def test_a_normal_turn_passes_through_untouched():
    msg, output = message()
    await TurnGuard(answering, GuardSettings(messages_per_minute=5))(msg)
    assert texts(output) == ["answer"]


async def test_a_flood_gets_one_polite_reply_and_is_not_processed():
    calls = []

    async def handler(m: UserMessage) -> None:
        calls.append(m.text)
        await answering(m)

    guard = TurnGuard(handler, GuardSettings(messages_per_minute=2))
    outputs = []
    for _ in range(5):
        msg, output = message()
        await guard(msg)
        outputs.append(texts(output))
    assert len(calls) == 2
    assert outputs[2] == [notices.RATE_LIMITED]
    assert outputs[3] == outputs[4] == []


async def test_silence_from_rasa_becomes_the_unavailable_notice():
    async def silent(m: UserMessage) -> None:  # what Rasa does when actions fail
        return None

    msg, output = message()
    await TurnGuard(silent, GuardSettings())(msg)
    assert texts(output) == [notices.ADVICE_UNAVAILABLE]


async def test_a_slow_turn_is_abandoned_with_the_unavailable_notice():
    async def slow(m: UserMessage) -> None:
        await asyncio.sleep(5)

    msg, output = message()
    await TurnGuard(slow, GuardSettings(reply_timeout_s=0.05))(msg)
    assert texts(output) == [notices.ADVICE_UNAVAILABLE]


async def test_an_exception_becomes_a_reply_and_the_text_stays_out_of_the_log(caplog):
    async def broken(m: UserMessage) -> None:
        raise RuntimeError(f"boom while handling {m.text}")

    msg, output = message("my ck is 231 and I need a J1")
    await TurnGuard(broken, GuardSettings())(msg)
    assert texts(output) == [notices.ADVICE_UNAVAILABLE]
    assert "231" not in caplog.text and "RuntimeError" in caplog.text


async def test_a_failed_save_is_told_after_the_answer():
    health = SaveHealth()

    async def answer_but_fail_to_save(m: UserMessage) -> None:
        await answering(m)
        health.save_failed(m.sender_id)

    msg, output = message(sender="save-fails")
    await TurnGuard(answer_but_fail_to_save, GuardSettings(), health=health)(msg)
    assert texts(output) == ["answer", notices.SAVE_FAILED]
    assert not health.take_failure("save-fails")


async def test_a_message_over_the_limit_is_answered_politely_and_never_handled():
    calls = []

    async def handler(m: UserMessage) -> None:
        calls.append(m.text)

    msg, output = message("x" * 2001 + " zebracanary")
    await TurnGuard(handler, GuardSettings(message_max_chars=2000))(msg)
    assert calls == []
    [reply] = texts(output)
    assert reply == notices.too_long(2000) and "zebracanary" not in reply
    at_limit, output = message("y" * 2000)
    await TurnGuard(answering, GuardSettings(message_max_chars=2000))(at_limit)
    assert texts(output) == ["answer"]


def test_metadata_keeps_only_known_keys_with_small_values():
    assert allowed_metadata({"audience": "group", "x": "y" * 10}) == {"audience": "group"}
    assert allowed_metadata({"audience": "everyone"}) == {}
    assert allowed_metadata({"private_chat_url": "u" * 201}) == {}
    assert allowed_metadata(["audience"]) == {} and allowed_metadata(None) == {}


async def test_metadata_is_filtered_before_rasa_sees_it():
    seen = []

    async def handler(m: UserMessage) -> None:
        seen.append(m.metadata)
        await answering(m)

    output = CollectingOutputChannel()
    msg = UserMessage("hi", output, "rest:u", metadata={"audience": "private", "big": "z" * 10**6})
    await TurnGuard(handler, GuardSettings())(msg)
    assert seen == [{"audience": "private"}]


async def test_a_turn_whose_client_left_still_finishes(caplog):
    finished = asyncio.Event()

    async def slow(m: UserMessage) -> None:
        await asyncio.sleep(0.05)
        await answering(m)
        finished.set()

    msg, output = message("my ck is 231 zebracanary")
    waiting = asyncio.ensure_future(TurnGuard(slow, GuardSettings())(msg))
    await asyncio.sleep(0.01)
    waiting.cancel()  # what Sanic does when the client disconnects
    await asyncio.wait_for(finished.wait(), 2)
    assert texts(output) == ["answer"]  # said, so Rasa stored it too
    assert "zebracanary" not in caplog.text
