"""`make soak`: 100 simulated IMGs, each with a profile of their own, talk to two
instances behind nginx (PostgreSQL tracker store, Redis lock store) for 2 minutes, with
the per-user rate limit on and a reader's pause after each reply.

Passes when there were no errors, every message is in the tracker store in the order it
was sent, and each user's final "why?" reads back that user's own facts (no cross-talk).

python -m bench.soak [--users 100] [--duration 120] [--think 3.5]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

from bench.load import run_load
from bench.sim import profiles
from img_deploy.cluster import Cluster
from img_deploy.postgres import stored_rest_texts

DATABASE = "img_soak"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--duration", type=float, default=120.0)
    parser.add_argument("--think", type=float, default=3.5, help="pause after each reply (s)")
    parser.add_argument("--instances", type=int, default=2)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="img-soak-") as tmp:
        cluster = Cluster.scratch(
            Path(tmp),
            DATABASE,
            instances=args.instances,
            redis_db=4,
            extra_env={"IMG_ADVISOR_TODAY": "2026-11-23"},
        )
        try:
            cluster.start()
            print(f"soak: {args.users} users for {args.duration:.0f} s via {cluster.url} ...")
            result, conversations = asyncio.run(
                run_load(
                    [cluster.url],
                    args.users,
                    args.duration,
                    profiles(args.users),
                    think_time_s=args.think,
                    label="soak",
                )
            )
        finally:
            cluster.stop()

    stored = stored_rest_texts(DATABASE)
    out_of_order = [s for s, c in conversations.items() if stored.get(s, []) != c.sent]
    cross_talk = {s: c.cross_talk() for s, c in conversations.items() if c.cross_talk()}
    summary = result.summary()
    print(f"users                     {args.users}")
    print(f"conversations             {summary['conversations']}")
    print(f"messages                  {summary['messages']}")
    print(f"errors                    {summary['errors']} {summary['error_samples']}")
    print(f"unanswered                {summary['unanswered']}")
    print(
        f"p50 / p95 / max latency   {summary['p50_ms']} / {summary['p95_ms']} / "
        f"{summary['max_ms']} ms"
    )
    print(
        f"stored in order           {len(conversations) - len(out_of_order)}"
        f" / {len(conversations)} conversations"
    )
    print(
        f"own facts in final answer {len(conversations) - len(cross_talk)}"
        f" / {len(conversations)} conversations"
    )
    for sender in out_of_order[:3]:
        print(
            f"  out of order: {sender}: sent {conversations[sender].sent} "
            f"stored {stored.get(sender)}"
        )
    for sender, facts in list(cross_talk.items())[:3]:
        print(
            f"  missing facts for {sender}: {facts}; got: {conversations[sender].last_why[:300]!r}"
        )
    ok = (
        summary["errors"] == 0
        and summary["unanswered"] == 0
        and not out_of_order
        and not cross_talk
        and conversations
    )
    print("soak: PASSED" if ok else "soak: FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
