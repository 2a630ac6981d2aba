"""`make bench`: the advisor against Rasa's stock `rasa init` bot on this machine, in one
run, plus the strategy module alone and one vs two instances behind nginx.

python -m bench.run [--duration 20] [--slices 2] [--users 1,10,50] [--reuse-training]
A longer run: python -m bench.run --duration 120 --users 1,10,50,100
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import costs, reference, strategy
from bench.load import LoadResult, run_load
from bench.sim import profiles
from bench.work import WorkMeter
from img_deploy.cluster import Cluster
from img_deploy.processes import (
    PROJECT_RASA,
    ROOT,
    Server,
    base_env,
    cpu_seconds_of,
    free_port,
    machine_cpu_seconds,
    start_action_server,
    start_rasa,
)
from img_store.conversation import Channel, ConversationKey

OUT = ROOT / "bench" / "results.json"
OUR_MODEL = ROOT / "models" / "advisor.tar.gz"
CLUSTER_DATABASE = "img_bench_cluster"
BENCH_TOKEN = "bench-token"  # start_rasa's default HTTP API token
# Issue #20's targets; `make bench` prints each with its measured figure and whether it is met.
TARGETS = {
    "latency_ratio_max": 1.0,  # p50 and p95, ours over the stock bot's, at every level
    "throughput_ratio_min": 1.0,
    "rasa_cpu_ms_per_message_max": 25.0,
    "action_calls_per_message_max": 1.3,
    "scale_out_min": 1.8,  # two instances behind nginx over one
    "training_seconds_max": 120.0,
    "advice_per_second": 10_000,  # the strategy module alone
}


def train_ours(out_dir: Path) -> float:
    """A from-scratch training of the advisor (the spaCy pipeline is already built)."""
    started = time.monotonic()
    subprocess.run(
        [
            *PROJECT_RASA,
            "train",
            "--force",
            "--fixed-model-name",
            "bench",
            "--out",
            str(out_dir),
        ],
        cwd=ROOT,
        env=base_env(),
        check=True,
        capture_output=True,
    )
    return time.monotonic() - started


def measure_level(
    meters: dict[str, WorkMeter], users: int, duration: float, slices: int
) -> dict[str, dict[str, Any]]:
    """The same load level on both bots, in ``slices`` alternating turns (ours first, then
    the reference first, ...) so that drifting machine speed weighs on both alike; with the
    work each message cost the bot under load (bench.work)."""
    pooled = {name: LoadResult(users=users, seconds=0.0) for name in meters}
    cpu_s = dict.fromkeys(meters, 0.0)
    calls = dict.fromkeys(meters, 0)
    for index in range(slices):
        order = list(meters) if index % 2 == 0 else list(reversed(meters))
        for name in order:
            sims = profiles(users) if name == "advisor" else None
            before = meters[name].snapshot()
            urls, label = [meters[name].base_url], f"b{users}-{index}-"
            result, _ = asyncio.run(run_load(urls, users, duration / slices, sims, label=label))
            after = meters[name].snapshot()
            cpu_s[name] += after.cpu_s - before.cpu_s
            calls[name] += after.action_calls - before.action_calls
            pooled[name].add(result)
    summaries = {}
    for name, meter in meters.items():
        summary = pooled[name].summary()
        messages = summary["messages"] or 1
        summary["rasa_cpu_ms_per_message"] = round(cpu_s[name] * 1000 / messages, 1)
        summary["action_calls_per_message"] = round(calls[name] / messages, 2)
        summary["predictions_per_message"] = meter.predictions_per_message(pooled[name].senders)
        summaries[name] = summary
        print(
            f"  {name:<9} {users:>3} users: p50 {summary['p50_ms']:>7} ms  p95 "
            f"{summary['p95_ms']:>7} ms  {summary['messages_per_second']:>6} msg/s  "
            f"errors {summary['errors']}  unanswered {summary['unanswered']}  per message: "
            f"Rasa CPU {summary['rasa_cpu_ms_per_message']} ms, "
            f"{summary['predictions_per_message']} predictions, "
            f"{summary['action_calls_per_message']} action calls",
            flush=True,
        )
    return summaries


def conversation_id(rest_sender: str) -> str:
    """Our tracker's id for a REST sender (the server prefixes the channel)."""
    return ConversationKey(Channel.REST, rest_sender).sender_id


def start_ours(workdir: Path) -> tuple[Server, Server]:
    """The advisor as `make serve` runs it: action server + Rasa on SQLite."""
    env = base_env(
        TRACKER_DIALECT="sqlite",
        TRACKER_DB=str(workdir / "tracker.db"),
        RATE_LIMIT_PER_MINUTE="0",  # closed-loop users would trip the per-user limit
        IMG_ADVISOR_TODAY="2026-11-23",
    )
    subprocess.run(
        [sys.executable, "-m", "img_store", "migrate"], env=env, check=True, capture_output=True
    )
    action_port = free_port()
    env["ACTION_PORT"] = str(action_port)
    actions = start_action_server(action_port, env, workdir / "actions.log")
    actions.wait_ready()
    rasa = start_rasa(
        free_port(),
        env,
        workdir / "rasa.log",
        model=OUR_MODEL,
        endpoints=ROOT / "endpoints.yml",
        credentials=ROOT / "credentials.yml",
    )
    return rasa, actions


def start_reference(workdir: Path) -> Server:
    return start_rasa(
        free_port(),
        base_env(),
        workdir / "reference.log",
        model=reference.MODEL,
        cwd=reference.PROJECT,
        stock=True,
    )


def run_side_by_side(
    workdir: Path, users: list[int], duration: float, slices: int
) -> dict[str, Any]:
    """Both bots run at once and take each load level in turns (see measure_level)."""
    rasa, actions = start_ours(workdir)
    ref = None
    try:
        ours_start = rasa.wait_ready()
        ref = start_reference(workdir)
        ref_start = ref.wait_ready()
        ours: dict[str, Any] = {"start_seconds": round(ours_start, 1), "load": {}}
        theirs: dict[str, Any] = {"start_seconds": round(ref_start, 1), "load": {}}
        ours_url = rasa.ready_url.split("/status")[0]
        ref_url = ref.ready_url.split("/status")[0]
        meters = {
            "advisor": WorkMeter(rasa, ours_url, BENCH_TOKEN, actions, conversation_id),
            "reference": WorkMeter(ref, ref_url, BENCH_TOKEN),
        }
        for level in users:
            measured = measure_level(meters, level, duration, slices)
            ours["load"][str(level)] = measured["advisor"]
            theirs["load"][str(level)] = measured["reference"]
        ours["rss_mb"] = {"rasa": rasa.rss_mb(), "action_server": actions.rss_mb()}
        theirs["rss_mb"] = {"rasa": ref.rss_mb()}
        print("longest message and turn cost (advisor) ...", flush=True)
        ours["costs"] = costs.measure(ours_url, BENCH_TOKEN, rasa)
        return {"advisor": ours, "reference": theirs}
    finally:
        stop_all(*(s for s in (rasa, actions, ref) if s is not None))


def run_cluster(workdir: Path, users: int, duration: float, slices: int = 2) -> dict[str, Any]:
    """One instance (called directly) against two behind nginx, in ``slices`` alternating
    turns as in measure_level: a 20 s run of either alone moved by up to a fifth with the
    machine's drift."""
    cluster = Cluster.scratch(
        workdir / "cluster",
        CLUSTER_DATABASE,
        redis_db=3,
        extra_env={"RATE_LIMIT_PER_MINUTE": "0", "IMG_ADVISOR_TODAY": "2026-11-23"},
    )
    sims = profiles(users)
    try:
        cluster.start()
        setups = {
            "one_instance": cluster.instance_urls[:1],
            "two_instances_nginx": [cluster.url],
        }
        pooled = {label: LoadResult(users=users, seconds=0.0) for label in setups}
        cpu_s = {label: dict.fromkeys(cluster_cpu(cluster), 0.0) for label in setups}
        machine = {label: [0.0, 0.0] for label in setups}  # busy and all CPU seconds
        for index in range(slices):
            order = list(setups) if index % 2 == 0 else list(reversed(setups))
            for label in order:
                before, machine_before = cluster_cpu(cluster), machine_cpu_seconds()
                result, _ = asyncio.run(
                    run_load(
                        setups[label], users, duration / slices, sims, label=f"{label}-{index}-"
                    )
                )
                used, machine_used = cluster_cpu(cluster), machine_cpu_seconds()
                for role in used:
                    cpu_s[label][role] += used[role] - before[role]
                for i in (0, 1):
                    machine[label][i] += machine_used[i] - machine_before[i]
                pooled[label].add(result)
        results: dict[str, Any] = {}
        for label in setups:
            results[label] = pooled[label].summary()
            messages = results[label]["messages"] or 1
            results[label]["cpu_ms_per_message"] = {
                role: round(seconds * 1000 / messages, 1) for role, seconds in cpu_s[label].items()
            }
            busy, everything = machine[label]
            # How many of the machine's cores the setup kept busy: two instances cannot keep
            # more than all of them busy, which bounds the ratio (see print_table).
            results[label]["cores_busy"] = (
                round(busy / everything * (os.cpu_count() or 1), 2) if everything else None
            )
            print(
                f"  cluster {label:<20} {users} users: "
                f"{results[label]['messages_per_second']:>6} msg/s  p50 "
                f"{results[label]['p50_ms']} ms  errors {results[label]['errors']} "
                f"unanswered {results[label]['unanswered']}  cores busy "
                f"{results[label]['cores_busy']}  CPU ms per message: "
                + ", ".join(f"{k} {v}" for k, v in results[label]["cpu_ms_per_message"].items()),
                flush=True,
            )
        results["rss_mb"] = {f"rasa_{i + 1}": s.rss_mb() for i, s in enumerate(cluster.instances)}
        return results
    finally:
        cluster.stop()


def cluster_cpu(cluster: Cluster) -> dict[str, float]:
    """CPU seconds used so far by each part of the cluster run, this load generator
    included: on one machine they all share its cores, which bounds what a second Rasa
    instance can add (see :func:`scale_out_ceiling`)."""
    return {
        "rasa": sum(server.cpu_seconds() for server in cluster.instances),
        "action_server": cluster.actions.cpu_seconds() if cluster.actions else 0.0,
        "nginx": cluster.nginx.cpu_seconds() if cluster.nginx else 0.0,
        "postgresql_redis": cpu_seconds_of(("postgres", "redis-server")),
        "load_generator": time.process_time(),
    }


def scale_out_ceiling(cpu_ms: dict[str, float], one_per_second: float, cores: int) -> float | None:
    """The most two instances can give over one's measured ``one_per_second`` on this
    machine's ``cores``, from what a message costs each part with two (``cpu_ms``): two
    instances use at most one core each for Rasa, and share all the cores with everything
    else a message costs. One instance is taken as measured, not as a busy core: it also
    waits for its database calls, whose time a second instance can use."""
    rasa = cpu_ms.get("rasa") or 0.0
    total = sum(cpu_ms.values())
    if not rasa or not total or not one_per_second:
        return None
    two = min(2 * 1000 / rasa, cores * 1000 / total)
    return round(two / one_per_second, 2)


def stop_all(*servers: Server) -> None:
    for server in servers:
        server.stop()


def ratio(ours: float, theirs: float) -> float | None:
    return round(ours / theirs, 2) if theirs else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--duration", type=float, default=20.0, help="seconds per load level and bot"
    )
    parser.add_argument(
        "--slices", type=int, default=2, help="alternating turns each level is split into"
    )
    parser.add_argument("--users", default="1,10,50")
    parser.add_argument("--cluster-users", type=int, default=50)
    # The ratio of two rates is noisier than either (this machine's speed moves by a fifth
    # within minutes): longer, and in more alternating slices, than the other levels.
    parser.add_argument(
        "--cluster-duration", type=float, default=60.0, help="seconds for one instance and for two"
    )
    parser.add_argument("--cluster-slices", type=int, default=4)
    parser.add_argument("--skip-cluster", action="store_true", help="for quick iterations")
    parser.add_argument(
        "--reuse-training",
        action="store_true",
        help="keep the reference model and skip timing our training",
    )
    args = parser.parse_args()
    users = [int(u) for u in args.users.split(",")]
    results: dict[str, Any] = {
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
        },
        "started": time.strftime("%Y-%m-%d %H:%M:%S"),
        "duration_per_level_s": args.duration,
        "slices_per_level": args.slices,
        "targets": TARGETS,
    }
    print("strategy module ...", flush=True)
    results["strategy"] = strategy.run(10_000)
    print(
        f"  {results['strategy']['advice_per_second']} advice calls / s (best of 3 passes; "
        f"median {results['strategy']['advice_per_second_median']})",
        flush=True,
    )

    with tempfile.TemporaryDirectory(prefix="img-bench-") as tmp:
        workdir = Path(tmp)
        if args.reuse_training:
            results["training_seconds"] = None
            if not reference.MODEL.exists():
                reference.train()
        else:
            print("training from scratch (advisor, then reference) ...", flush=True)
            ours_s = train_ours(workdir / "models")
            reference_s = reference.train()
            results["training_seconds"] = {
                "advisor": round(ours_s, 1),
                "reference": round(reference_s, 1),
            }
            print(f"  advisor {ours_s:.0f} s, reference {reference_s:.0f} s", flush=True)
        print("REST load: advisor (action server, SQLite) and stock rasa init bot ...")
        results.update(run_side_by_side(workdir, users, args.duration, args.slices))
        if not args.skip_cluster:
            print("scale-out: one vs two instances behind nginx (PostgreSQL + Redis) ...")
            results["cluster"] = run_cluster(
                workdir, args.cluster_users, args.cluster_duration, args.cluster_slices
            )

    results["ratios"] = {
        str(u): {
            "p50": ratio(
                results["advisor"]["load"][str(u)]["p50_ms"],
                results["reference"]["load"][str(u)]["p50_ms"],
            ),
            "p95": ratio(
                results["advisor"]["load"][str(u)]["p95_ms"],
                results["reference"]["load"][str(u)]["p95_ms"],
            ),
            "messages_per_second": ratio(
                results["advisor"]["load"][str(u)]["messages_per_second"],
                results["reference"]["load"][str(u)]["messages_per_second"],
            ),
        }
        for u in users
    }
    OUT.write_text(json.dumps(results, indent=2))
    print_table(results, users)


def print_table(results: dict[str, Any], users: list[int]) -> None:
    ours, ref = results["advisor"], results["reference"]
    print()
    print(
        f"{'users':>5} | {'advisor p50/p95 ms':>20} | {'reference p50/p95 ms':>21} | "
        f"{'ratio p50/p95':>13} | {'msg/s adv/ref':>14} | {'ratio':>5} | errors (unanswered)"
    )
    for u in users:
        a, r, q = ours["load"][str(u)], ref["load"][str(u)], results["ratios"][str(u)]
        print(
            f"{u:>5} | {a['p50_ms']:>9}/{a['p95_ms']:<10} | {r['p50_ms']:>9}/{r['p95_ms']:<11} | "
            f"{q['p50']!s:>6}/{q['p95']!s:<6} | {a['messages_per_second']:>6}/"
            f"{r['messages_per_second']:<7} | {q['messages_per_second']!s:>5} | "
            f"{a['errors']} ({a['unanswered']}) / {r['errors']} ({r['unanswered']})"
        )
    cluster = results.get("cluster")
    if cluster:
        cpu_ms = cluster["two_instances_nginx"].get("cpu_ms_per_message") or {}
        one_rate = cluster["one_instance"]["messages_per_second"]
        print(
            f"\nscale-out at {cluster['one_instance']['users']} users: one instance "
            f"{cluster['one_instance']['messages_per_second']} msg/s, two behind nginx "
            f"{cluster['two_instances_nginx']['messages_per_second']} msg/s; CPU per message "
            f"with two: {cpu_ms}; the most two can give over one on {os.cpu_count()} cores "
            "at these costs: "
            f"{scale_out_ceiling(cpu_ms, one_rate, os.cpu_count() or 1)}x"
        )
        one_busy = cluster["one_instance"].get("cores_busy")
        if one_busy:
            one_cost = sum((cluster["one_instance"].get("cpu_ms_per_message") or {}).values())
            print(
                f"cores busy: one instance {one_busy}, two "
                f"{cluster['two_instances_nginx'].get('cores_busy')} of {os.cpu_count()}; "
                f"two can keep at most all {os.cpu_count()} busy, so give at most "
                f"{round((os.cpu_count() or 1) / one_busy, 2)}x what one does at the same cost "
                f"per message (one: {round(one_cost, 1)} ms, two: {round(sum(cpu_ms.values()), 1)} "
                "ms of CPU in all)"
            )
    print(
        "per message, advisor / reference: "
        + "; ".join(
            f"{u} users {ours['load'][str(u)]['rasa_cpu_ms_per_message']}/"
            f"{ref['load'][str(u)]['rasa_cpu_ms_per_message']} ms Rasa CPU, "
            f"{ours['load'][str(u)]['predictions_per_message']}/"
            f"{ref['load'][str(u)]['predictions_per_message']} predictions, "
            f"{ours['load'][str(u)]['action_calls_per_message']} action calls"
            for u in users
        )
    )
    print(f"strategy module: {results['strategy']['advice_per_second']} advice calls / s")
    if results["training_seconds"]:
        t = results["training_seconds"]
        print(f"training from scratch: advisor {t['advisor']} s, reference {t['reference']} s")
    print(
        f"start until answering: advisor {ours['start_seconds']} s, reference "
        f"{ref['start_seconds']} s"
    )
    print(
        f"RSS: advisor rasa {ours['rss_mb']['rasa']} MB + action server "
        f"{ours['rss_mb']['action_server']} MB; reference rasa {ref['rss_mb']['rasa']} MB"
    )
    for line in targets_report(results, users):
        print(line)
    print(f"written to {OUT.relative_to(ROOT)}")


def targets_report(results: dict[str, Any], users: list[int]) -> list[str]:
    """One line per target of issue #20: the figure, the target, met or not."""
    ours = results["advisor"]["load"]
    lines = []

    def check(label: str, value: float | None, limit: float, at_most: bool) -> None:
        if value is None:
            lines.append(f"  {label}: not measured")
            return
        met = value <= limit if at_most else value >= limit
        sign = "<=" if at_most else ">="
        lines.append(f"  {label}: {value} (target {sign} {limit}) {'met' if met else 'NOT met'}")

    lines.append("targets (issue #20):")
    for u in users:
        q = results["ratios"][str(u)]
        check(f"{u} users p50 ratio", q["p50"], TARGETS["latency_ratio_max"], True)
        check(f"{u} users p95 ratio", q["p95"], TARGETS["latency_ratio_max"], True)
        check(
            f"{u} users throughput ratio",
            q["messages_per_second"],
            TARGETS["throughput_ratio_min"],
            False,
        )
        check(
            f"{u} users Rasa CPU ms/message",
            ours[str(u)]["rasa_cpu_ms_per_message"],
            TARGETS["rasa_cpu_ms_per_message_max"],
            True,
        )
        check(
            f"{u} users action calls/message",
            ours[str(u)]["action_calls_per_message"],
            TARGETS["action_calls_per_message_max"],
            True,
        )
    cluster = results.get("cluster")
    if cluster:
        one = cluster["one_instance"]["messages_per_second"]
        two = cluster["two_instances_nginx"]["messages_per_second"]
        check(
            "scale-out (two over one)",
            round(two / one, 2) if one else None,
            TARGETS["scale_out_min"],
            False,
        )
    if results["training_seconds"]:
        check(
            "training from scratch, s",
            results["training_seconds"]["advisor"],
            TARGETS["training_seconds_max"],
            True,
        )
    turns = results["advisor"].get("costs", {}).get("turn_cost")
    if turns:
        check(
            "turn 60 over turn 5",
            turns["turn_60_over_turn_5"],
            costs.TARGETS["turn_60_over_turn_5"],
            True,
        )
    return lines


if __name__ == "__main__":
    main()
