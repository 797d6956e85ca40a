#!/usr/bin/env python3
"""Muster beside the WebSocket servers people would otherwise pick.

    bash bench/run [--short]       (builds everything, then runs this)

For each size N, each server is started afresh (Muster on a fresh copy of
the planned meeting), pinned to CPU 0, and the Go
load generator (pinned to CPU 1) seats N members at once, then times 100
`text.advance` broadcasts to the last of them, and Muster's ack of each to
the secretary. Before the storm, Muster's
secretary alone offers 2,000 commands a second and their acks are timed;
after the broadcasts, Muster alone is restarted with everyone connected, and
the time until 99% are welcomed back (resuming with `since`) is taken. The
peers (Go + gorilla, Node + ws, C on libwebsockets) do the same job as
Muster without its record: a hello gets a welcome, an advance goes to
everyone. One more, "c+lws+log", is the C peer keeping a record: it appends
each advance to a file and `fdatasync`s it before it goes out, as Muster
commits each event before broadcasting it, so the table can tell what the
record costs from what the rest does. At 1,000 (or `--stalled-at`), every
server then does the 100 broadcasts again with one more member whose phone
reads nothing, to see whether the others wait for it and what the server
keeps for it. One table, with Muster's ratio to the best peer and to the
best peer that keeps a record. It prints figures; it asserts nothing.

With `--rounds K`, each size is run K times, the servers taking turns, and
the table shows each figure's median; a second table gives each round's
advance to the last member beside the best peer of that round. One run's
p99 is its second-slowest advance of 100, and this machine drifts between
runs by more than the servers differ: rounds tell the two apart.
"""

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from branch import crowd

ROOT = Path(__file__).resolve().parents[1]
BUILT = ROOT / ".build" / "bench"


MUSTER = [ROOT / ".build" / "release" / "muster"]


def muster_binary():
    return MUSTER[0]


def start(command, env=None):
    """Starts a server pinned to CPU 0; returns (process, port) once it says where it listens."""
    process = subprocess.Popen(["taskset", "-c", "0", *command], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               text=True, env=env)
    line = process.stdout.readline().strip()
    if not line:
        process.kill()
        raise RuntimeError(f"{command[0]} did not start")
    return process, int(line.rsplit(":", 1)[-1].split()[-1])


def muster_serve(muster, db):
    """`muster serve` on loopback with the per-address limits lifted: the whole crowd comes from one machine."""
    return [str(muster), "serve", "--listen", "127.0.0.1:0", "--db", db, "--web", str(ROOT / "web"),
            "--hellos-per-address", "10000000", "--max-connections-per-address", "100000",
            "--commands-per-second", "100000"]


def servers(db, record):
    """How to start each server; `record` is the log file of the C peer that keeps one."""
    node_env = dict(os.environ, NODE_PATH="/usr/share/nodejs")
    return {
        "muster": lambda: start(muster_serve(muster_binary(), db)),
        "go+gorilla": lambda: start([str(BUILT / "gorilla"), "-port", "0"]),
        "node+ws": lambda: start(["node", str(ROOT / "bench" / "peers" / "ws.js"), "0"], env=node_env),
        "c+lws": lambda: start([str(BUILT / "lws"), "0"]),
        "c+lws+log": lambda: start([str(BUILT / "lws"), "0", record]),
    }


# Every server, in the order the tables show them.
NAMES = ["muster", "go+gorilla", "node+ws", "c+lws", "c+lws+log"]

# The peers that keep a record of what they send, as Muster does.
RECORDING = ("c+lws+log",)


def load(name, server, launch, tokens, host, members, advances, stalled=False):
    """Runs the load generator against `server` = [process, port]; for Muster it asks, once, for a
    restart (a line "RESTART"): the server is stopped, started again by `launch` and the new port
    handed back. Returns the load's result."""
    process, port = server
    muster = name == "muster"
    load = subprocess.Popen(
        ["taskset", "-c", "1", str(BUILT / "load"), "-url", f"ws://127.0.0.1:{port}/ws", "-tokens", tokens,
         "-host", host, "-members", str(members), "-advances", str(advances), "-pid", str(process.pid),
         "-server", name, f"-muster={'true' if muster else 'false'}", f"-restart={'true' if muster else 'false'}",
         f"-stalled={'true' if stalled else 'false'}"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        for line in load.stdout:
            if line.strip() == "RESTART":
                asked = time.monotonic()
                stop(process)
                stopped = time.monotonic()
                server[:] = launch()
                print(f"restart: the server stopped in {stopped - asked:.2f} s and was listening again "
                      f"{time.monotonic() - stopped:.2f} s later", file=sys.stderr)
                load.stdin.write(f"{server[1]}\n")
                load.stdin.flush()
            elif line.strip():
                result = json.loads(line)
        load.wait(timeout=600)
    finally:
        if load.poll() is None:
            load.kill()
    errors = load.stderr.read().strip()
    if load.returncode != 0:
        raise RuntimeError(f"load against {name}: {errors}")
    if errors:
        print(errors, file=sys.stderr)
    return result


def stop(process):
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()


# Sockets and files a server or the load generator holds besides one socket a member.
SPARE_FILES = 200


def fitting(sizes, crowds=1):
    """The sizes at which this machine's open-file limit can seat `crowds` crowds at once (the load
    generator holds every member's socket); each one left out is named, with why."""
    limit = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    fitting = []
    for n in sizes:
        if limit == resource.RLIM_INFINITY or n * crowds + SPARE_FILES <= limit:
            fitting.append(n)
        else:
            print(f"bench: {n:,} members left out: the open-file limit here is {limit:,} and {crowds} "
                  f"crowd(s) of {n:,} need about {n * crowds + SPARE_FILES:,} sockets and files", file=sys.stderr)
    return fitting


def main(args):
    MUSTER[0] = Path(args.muster)
    if args.rounds < 1:
        sys.exit("bench: --rounds takes 1 or more")
    sizes = fitting([int(n) for n in args.sizes.split(",")])
    if not sizes:
        sys.exit("bench: no size fits this machine's open-file limit")
    with tempfile.TemporaryDirectory() as directory:
        # One member more than the largest size: the stalled reader's.
        planned, host, members = crowd(muster_binary(), directory, max(sizes) + 1)
        db = os.path.join(directory, "run.sqlite")
        record = os.path.join(directory, "relayed.log")
        tokens = os.path.join(directory, "tokens.txt")
        with open(tokens, "w") as file:
            file.writelines(token + "\n" for token in members)
        results = []
        for n in sizes:
            # Rounds alternate the servers: a machine that drifts (it does) drifts for all of them.
            for turn in range(1, args.rounds + 1):
                for name, launch in servers(db, record).items():
                    if name not in args.servers.split(","):
                        continue
                    if os.path.exists(record):
                        os.remove(record)
                    if name == "muster":
                        # Every run starts from the meeting as planned: a log grown by earlier runs would be
                        # decoded at start, and the memory that freed would make a crowd's look smaller.
                        for leftover in (db, db + "-wal", db + "-shm"):
                            if os.path.exists(leftover):
                                os.remove(leftover)
                        shutil.copy(planned, db)
                    server = list(launch())
                    try:
                        result = load(name, server, launch, tokens, host, n, args.advances, stalled=n == args.stalled_at)
                        result["round"] = turn
                        results.append(result)
                        print(json.dumps(result), file=sys.stderr)
                    finally:
                        stop(server[0])
        table(medians(results), sizes)
        if args.rounds > 1:
            fanout_rounds(results, sizes)


def medians(results):
    """One result per server and size: each figure's median over the rounds (a flag or a name: the first round's)."""
    def median(values):
        if any(isinstance(v, bool) or not isinstance(v, (int, float)) for v in values):
            return values[0]
        # A count stays a count: the lower middle one, not the mean of two.
        return statistics.median_low(values) if all(isinstance(v, int) for v in values) else statistics.median(values)
    merged = []
    for key in dict.fromkeys((r["server"], r["members"]) for r in results):
        runs = [r for r in results if (r["server"], r["members"]) == key]
        merged.append({field: median([r[field] for r in runs if field in r]) for field in runs[0]})
    return merged


def fanout_rounds(results, sizes):
    """The advance to the last member in each round, Muster beside the best peer of that round,
    and beside the best of those that keep a record, when one ran."""
    recording = any(r["server"] in RECORDING for r in results)
    kinds = [("best peer", lambda name: name != "muster")]
    if recording:
        kinds.append(("best peer with a record", lambda name: name in RECORDING))
    print("\n| N | round | Muster, p50 / p99 (ms) | " + " | ".join(
        f"{kind}, p50 / p99 (ms) | Muster / {kind}, p50 / p99" for kind, _ in kinds) + " |")
    print("|---|---|---|" + "---|---|" * len(kinds))
    for n in sizes:
        ratios = {kind: [] for kind, _ in kinds}
        for turn in sorted({r["round"] for r in results if r["members"] == n}):
            runs = {r["server"]: r for r in results if r["members"] == n and r["round"] == turn}
            if "muster" not in runs:
                continue
            muster = runs["muster"]
            cells = []
            for kind, chosen in kinds:
                peers = [r for name, r in runs.items() if chosen(name)]
                if not peers:
                    cells.append("— | —")
                    continue
                best = (min(p["last_p50_ms"] for p in peers), min(p["last_p99_ms"] for p in peers))
                ratios[kind].append((muster["last_p50_ms"] / best[0], muster["last_p99_ms"] / best[1]))
                cells.append(f"{best[0]:.1f} / {best[1]:.1f} | {ratios[kind][-1][0]:.2f} / {ratios[kind][-1][1]:.2f}")
            print(f"| {n:,} | {turn} | {muster['last_p50_ms']:.1f} / {muster['last_p99_ms']:.1f} | "
                  + " | ".join(cells) + " |")
        print(f"| {n:,} | median | | " + " | ".join(
            f"| {statistics.median(r[0] for r in ratios[kind]):.2f} / {statistics.median(r[1] for r in ratios[kind]):.2f}"
            if ratios[kind] else "| —" for kind, _ in kinds) + " |")


def below_noise(key, value):
    """Memory per member under 1 KB: RSS grown by less than the server's own noise (SQLite's cache,
    malloc's arenas), even below zero. Shown as "< 1", and given no ratio."""
    return key == "kb_per_member" and value < 1


# Figures shown whole, and those shown to a hundredth; the rest to a tenth.
WHOLE = ("frames_per_cpu_s", "acks_per_s", "server_busy_pct", "load_busy_pct")
HUNDREDTHS = ("join_s", "restart_99_s")


def cell(key, value):
    if value is None:
        return "—"
    if below_noise(key, value):
        return "< 1"
    places = 0 if key in WHOLE else 2 if key in HUNDREDTHS else 1
    return f"{float(value):,.{places}f}"


def ratio(key, muster, peers, best):
    """Muster's figure over the best of `peers` (`best`: min or max), or a dash where there is none to give."""
    peers = [v for v in peers if v]
    if muster is None or muster <= 0 or below_noise(key, muster) or not peers or not best:
        return "—"
    return f"{muster / best(peers):.2f}"


def table(results, sizes):
    measures = [("join_s", "join storm, all welcomed (s)", min), ("kb_per_member", "server memory per member (KB)", min),
                ("first_p50_ms", "advance to the first member, p50 (ms)", min),
                ("last_p50_ms", "advance to the last member, p50 (ms)", min),
                ("last_p99_ms", "advance to the last member, p99 (ms)", min),
                ("ack_p50_ms", "advance committed (the secretary's ack), p50 (ms)", min),
                ("crowd_ack_p50_ms", "the secretary's ack while the advance goes out to everyone, p50 (ms)", min),
                ("crowd_ack_p99_ms", "the secretary's ack while the advance goes out to everyone, p99 (ms)", min),
                ("acks_per_s", "2,000 commands/s offered, nobody else on: acked per second", max),
                ("paced_ack_p99_ms", "2,000 commands/s offered, nobody else on: ack p99 (ms)", min),
                ("stalled_p99_ms", "advance to the last member, one more member stalled, p99 (ms)", min),
                ("frames_per_cpu_s", "frames delivered per server CPU-second", max),
                ("server_busy_pct", "while advances were timed: the server's core busy (%)", None),
                ("load_busy_pct", "while advances were timed: the load generator's core busy (%)", None),
                ("restart_99_s", "restart: 99% of members back, gap-free (s)", min)]
    print(f"\n| N | measure | {' | '.join(NAMES)} | Muster / best peer | Muster / best peer with a record |")
    print("|---|---|" + "---|" * (len(NAMES) + 2))
    for n in sizes:
        row = {r["server"]: r for r in results if r["members"] == n}
        for key, label, best in measures:
            values = [row.get(name, {}).get(key) for name in NAMES]
            if all(v is None for v in values):
                continue  # not measured at this size (the stalled reader's) or by these servers
            recording = [v for name, v in zip(NAMES, values) if name in RECORDING]
            ratios = [ratio(key, values[0], peers, best) for peers in (values[1:], recording)]
            cells = [cell(key, v) for v in values]
            print(f"| {n:,} | {label} | {' | '.join(cells)} | {' | '.join(ratios)} |")
        if "muster" in row and row["muster"].get("restart_returned") is not None:
            back = row["muster"]
            print(f"| {n:,} | restart: back by resuming / by a full welcome / behind what they had seen | "
                  f"{back.get('restart_resumed', 0):,} / {back.get('restart_full', 0):,} / {back['restart_behind']} | "
                  + " | ".join("—" for _ in NAMES[1:]) + " | | |")
        if any("stalled_frames" in row.get(name, {}) for name in NAMES):
            kept = [row.get(name, {}) for name in NAMES]
            print(f"| {n:,} | the stalled member, reading again 3 s on: frames waiting for it / closed | " + " | ".join(
                f"{r['stalled_frames']:,} / {'yes' if r['stalled_closed'] else 'no'}" if "stalled_frames" in r else "—"
                for r in kept) + " | | |")
        welcomed = {name: row.get(name, {}).get("welcomed") for name in NAMES}
        if any(w is not None and w != n for w in welcomed.values()):
            print(f"| {n:,} | welcomed of {n:,} | " + " | ".join(str(welcomed[name]) for name in NAMES) + " | | |")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,5000,10000,18000")
    parser.add_argument("--advances", type=int, default=100)
    parser.add_argument("--stalled-at", type=int, default=1000, help="the size at which a stalled reader joins in")
    parser.add_argument("--servers", default="muster,go+gorilla,node+ws,c+lws,c+lws+log", help="which of them to run")
    parser.add_argument("--rounds", type=int, default=1,
                        help="run every size this many times, the servers in turn; the table shows each figure's median")
    parser.add_argument("--muster", default=str(MUSTER[0]), help="the muster binary")
    main(parser.parse_args())
