from __future__ import annotations

from img_channels.webchat import SessionSigner


def test_issued_session_ids_verify_and_forged_ones_do_not():
    signer = SessionSigner(b"k" * 32)
    random_id, session_id = signer.issue()
    assert signer.verify(session_id) == random_id
    assert signer.verify(f"{random_id}.forged") is None
    assert signer.verify(random_id) is None  # a client-chosen id without a signature
    assert SessionSigner(b"other" * 8).verify(session_id) is None
    assert signer.verify(None) is None and signer.verify({"id": 1}) is None
    assert signer.verify("x" * 10_000) is None


def test_each_issue_is_a_new_random_id():
    signer = SessionSigner(b"k" * 32)
    assert len({signer.issue()[0] for _ in range(100)}) == 100
