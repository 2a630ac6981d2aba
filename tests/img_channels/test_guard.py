from __future__ import annotations

import asyncio

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from img_channels import notices
from img_channels.guard import GuardSettings, SlidingWindowLimiter, TurnGuard
from img_store import tracker_store


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_limiter_allows_the_limit_per_window_then_refuses_until_it_slides():
    clock = Clock()
    limiter = SlidingWindowLimiter(3, window_s=60, clock=clock)
    assert [limiter.allow("a") for _ in range(4)] == [True, True, True, False]
    assert limiter.allow("b")  # per sender
    clock.now = 59.9
    assert not limiter.allow("a")
    clock.now = 60.0
    assert limiter.allow("a")


def test_limiter_warns_once_per_window():
    clock = Clock()
    limiter = SlidingWindowLimiter(1, clock=clock)
    assert limiter.should_warn("a") and not limiter.should_warn("a")
    clock.now = 61
    assert limiter.should_warn("a")


def test_zero_turns_the_limit_off():
    limiter = SlidingWindowLimiter(0)
    assert all(limiter.allow("a") for _ in range(1000))


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
    async def answer_but_fail_to_save(m: UserMessage) -> None:
        await answering(m)
        tracker_store._save_failures.add(m.sender_id)

    msg, output = message(sender="save-fails")
    await TurnGuard(answer_but_fail_to_save, GuardSettings())(msg)
    assert texts(output) == ["answer", notices.SAVE_FAILED]
    assert not tracker_store.take_save_failure("save-fails")
