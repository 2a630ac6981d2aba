"""The atomic Redis lock store against the real Redis (127.0.0.1:6379, db 5)."""

from __future__ import annotations

import asyncio
import concurrent.futures
import time
import uuid

import pytest
from rasa.core.lock import Ticket, TicketLock
from rasa.utils.endpoints import EndpointConfig

from img_store.lock_store import AtomicRedisLockStore


def store() -> AtomicRedisLockStore:
    config = EndpointConfig(url="127.0.0.1", port=6379, db=5, key_prefix="imgtest")
    return AtomicRedisLockStore(endpoint_config=config)


@pytest.fixture()
def conversation_id() -> str:
    return f"lock-{uuid.uuid4().hex}"


def test_concurrent_tickets_from_two_instances_are_all_distinct(conversation_id):
    instances = [store(), store()]
    with concurrent.futures.ThreadPoolExecutor(max_workers=16) as pool:
        tickets = list(
            pool.map(lambda i: instances[i % 2].issue_ticket(conversation_id), range(200))
        )
    assert sorted(tickets) == list(range(200))
    instances[0].delete_lock(conversation_id)


def test_cleanup_keeps_the_lock_while_someone_waits(conversation_id):
    first, second = store(), store()
    mine = first.issue_ticket(conversation_id)
    theirs = second.issue_ticket(conversation_id)
    first.cleanup(conversation_id, mine)
    lock = second.get_lock(conversation_id)
    assert lock is not None and not lock.is_locked(theirs)
    second.cleanup(conversation_id, theirs)
    assert second.get_lock(conversation_id) is None


async def test_turns_through_two_instances_never_overlap(conversation_id):
    instances = [store(), store()]
    inside, overlaps, order = 0, 0, []

    async def turn(index: int) -> None:
        nonlocal inside, overlaps
        async with instances[index % 2].lock(conversation_id, wait_time_in_seconds=0.005):
            inside += 1
            overlaps += inside > 1
            order.append(index)
            await asyncio.sleep(0.01)
            inside -= 1

    await asyncio.gather(*(turn(i) for i in range(30)))
    assert overlaps == 0 and sorted(order) == list(range(30))
    assert order == list(range(30))  # first come, first served


def test_rasa_reads_the_lock_the_script_writes(conversation_id):
    locks = store()
    first = locks.issue_ticket(conversation_id, lock_lifetime=60)
    second = locks.issue_ticket(conversation_id, lock_lifetime=60)
    lock = locks.get_lock(conversation_id)  # Rasa's own GET and TicketLock.from_dict
    assert lock is not None and lock.conversation_id == conversation_id
    assert [t.number for t in lock.tickets] == [first, second] == [0, 1]
    assert all(time.time() + 59 < t.expires <= time.time() + 60 for t in lock.tickets)
    assert not lock.is_locked(first) and lock.is_locked(second)
    locks.delete_lock(conversation_id)


def test_expired_tickets_are_dropped_and_numbering_restarts(conversation_id):
    locks = store()
    stale = TicketLock(conversation_id)
    stale.tickets.append(Ticket(7, time.time() - 1))  # a crashed instance's ticket
    locks.save_lock(stale)  # as Rasa writes it
    locks.update_lock(conversation_id)
    lock = locks.get_lock(conversation_id)
    assert lock is not None and list(lock.tickets) == []  # an empty list, not {}
    assert locks.issue_ticket(conversation_id) == 0
    locks.cleanup(conversation_id, 0)
    assert locks.get_lock(conversation_id) is None


def test_finishing_a_ticket_of_a_lock_that_is_gone_changes_nothing(conversation_id):
    locks = store()
    locks.cleanup(conversation_id, 3)
    locks.update_lock(conversation_id)
    assert locks.get_lock(conversation_id) is None


def test_the_script_is_loaded_again_after_redis_forgets_it(conversation_id):
    locks = store()
    locks.red.script_flush()
    assert locks.issue_ticket(conversation_id) == 0
    locks.cleanup(conversation_id, 0)
