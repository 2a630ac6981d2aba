from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from img_channels.rest import BadRequest, RestRequest, parse_body


def body(value: object) -> bytes:
    return json.dumps(value).encode()


def test_a_well_formed_call():
    call = parse_body(body({"sender": "u-1", "message": "ck 240?", "input_channel": "telegram"}))
    assert call == RestRequest("u-1", "ck 240?", None)


def test_only_the_audience_is_taken_from_metadata():
    call = parse_body(
        body({"sender": "u", "message": "hi", "metadata": {"audience": "group", "x": 1}})
    )
    assert call.audience == "group"


def test_a_jwt_subject_overrides_the_body_sender():
    assert parse_body(body({"sender": "other", "message": "hi"}), "me").sender == "me"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"", "JSON"),
        (b"{not json", "JSON"),
        (b"\xff\xfe", "JSON"),
        (body([1, 2]), "object"),
        (body("text"), "object"),
        (body(None), "object"),
        (body({"message": "hi"}), "sender is required"),
        (body({"sender": None, "message": "hi"}), "sender is required"),
        (body({"sender": "", "message": "hi"}), "non-empty"),
        (body({"sender": "x" * 10_000, "message": "hi"}), "at most 128"),
        (body({"sender": ["a"], "message": "hi"}), "non-empty string"),
        (body({"sender": "u"}), "message"),
        (body({"sender": "u", "message": 5}), "message"),
        (body({"sender": "u", "message": ["zebracanary"]}), "message"),
        (body({"sender": "u", "message": "hi", "metadata": "x"}), "metadata"),
        (body({"sender": "u", "message": "hi", "metadata": {"audience": "all"}}), "audience"),
    ],
)
def test_wrong_shapes_get_a_one_line_reason(raw, reason):
    with pytest.raises(BadRequest) as refused:
        parse_body(raw)
    assert reason in str(refused.value) and "\n" not in str(refused.value)
    assert "zebracanary" not in str(refused.value)


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(),
        lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner),
        max_leaves=20,
    )
)
def test_any_json_is_either_a_call_or_a_bad_request(value):
    try:
        call = parse_body(body(value))
    except BadRequest:
        return
    assert isinstance(call.sender, str) and isinstance(call.message, str)
