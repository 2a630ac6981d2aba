from __future__ import annotations

import pytest

from img_channels.choices import chosen_payload, numbered_options

BUTTONS = [{"title": "J-1", "payload": "I need a J1"}, {"title": "H-1B", "payload": "h1b"}]


def test_buttons_become_a_numbered_list():
    text = numbered_options("Which visa?", BUTTONS)
    assert text.splitlines()[:4] == ["Which visa?", "", "1. J-1", "2. H-1B"]


@pytest.mark.parametrize(
    ("reply", "payload"),
    [
        ("1", "I need a J1"),
        (" 2. ", "h1b"),
        ("2)", "h1b"),
        ("3", None),
        ("0", None),
        ("235", None),
        ("one", None),
        ("١", None),
        ("", None),
    ],
)
def test_a_number_maps_back_to_its_payload(reply, payload):
    assert chosen_payload(reply, BUTTONS) == payload


def test_no_buttons_means_numbers_are_plain_text():
    assert chosen_payload("1", []) is None


async def test_the_buttons_are_those_of_the_bot_s_latest_turn_even_with_a_chart_after_them():
    from rasa.core.tracker_store import InMemoryTrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import BotUttered, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from img_channels.choices import last_buttons

    store = InMemoryTrackerStore(Domain.empty())
    offered = [{"title": "Why?", "payload": "/why"}]
    tracker = DialogueStateTracker.from_events(
        "s",
        [
            UserUttered("is 228 enough?"),
            BotUttered("Here is why.", {"buttons": offered}),
            BotUttered(None, {"image": "/chat/charts/a.png"}),
        ],
    )
    await store.save(tracker)
    assert await last_buttons(store, "s") == offered
    tracker.update(UserUttered("thanks"))
    tracker.update(BotUttered("You're welcome."))
    await store.save(tracker)
    assert await last_buttons(store, "s") == []  # earlier options are no longer on offer
    assert await last_buttons(store, "nobody") == []
