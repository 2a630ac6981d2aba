from __future__ import annotations

import json
from types import SimpleNamespace

import jwt
import pytest
from hypothesis import given
from hypothesis import strategies as st

from img_channels.rest import BadRequest, RestAuth, RestRequest, parse_body


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


def caller(auth, ip: str = "127.0.0.1", **headers: str):
    request = SimpleNamespace(ip=ip, headers={k.replace("_", "-"): v for k, v in headers.items()})
    return auth.caller(request)


def test_local_callers_need_no_token_but_proxied_or_remote_ones_do():
    auth = RestAuth(token="integrator-secret")
    assert caller(auth) == (True, None)
    assert caller(auth, ip="::1") == (True, None)
    assert caller(auth, ip="203.0.113.9") == (False, None)
    assert caller(auth, x_forwarded_for="203.0.113.9") == (False, None)
    assert caller(auth, ip="203.0.113.9", authorization="Bearer integrator-secret") == (True, None)
    assert caller(auth, authorization="Bearer wrong") == (False, None)


def test_a_jwt_vouches_for_its_subject_only_when_signed_with_the_secret():
    auth = RestAuth(jwt_secret="jwt-secret")
    good = jwt.encode({"sub": "user-7"}, "jwt-secret", algorithm="HS256")
    forged = jwt.encode({"sub": "user-7"}, "other", algorithm="HS256")
    unsigned = jwt.encode({"sub": "user-7"}, None, algorithm="none")
    remote = "203.0.113.9"
    assert caller(auth, ip=remote, authorization=f"Bearer {good}") == (True, "user-7")
    assert caller(auth, ip=remote, authorization=f"Bearer {forged}") == (False, None)
    assert caller(auth, ip=remote, authorization=f"Bearer {unsigned}") == (False, None)
