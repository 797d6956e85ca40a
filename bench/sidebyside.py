#!/usr/bin/env python3
"""The fan-out with the servers side by side, taking turns advance by advance.

    bash bench/run --side-by-side [--sizes 1000,5000] [--servers muster,c+lws,c+lws+log]

All the chosen servers are started at once, pinned to CPU 0, and the Go load
generator (pinned to CPU 1) seats N members on each. Then, 100 times, every
server advances the text once, each round begun by the next server, each
advance timed to the last of its N members before the next is sent.

Run one after another, a server's p99 is its second-slowest advance of 100,
and this machine slows down in stretches of 5 to 10 advances whatever runs:
a run's p99 goes to whichever server a stretch fell on. Side by side, a
stretch falls on every server alike, and each of Muster's advances has a
partner from the same round to be compared with. It prints figures; it
asserts nothing.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

import compare
from branch import crowd

def run(n, names, launchers, tokens, host, advances, directory):
    """Starts every server in `names`, seats n members on each and times their advances in turn."""
    started = {}
    try:
        for name in names:
            started[name] = launchers[name]()
        described = [{"name": name, "url": f"ws://127.0.0.1:{port}/ws", "muster": name == "muster", "pid": process.pid}
                     for name, (process, port) in started.items()]
        listing = os.path.join(directory, "servers.json")
        with open(listing, "w") as file:
            json.dump(described, file)
        load = subprocess.run(
            ["taskset", "-c", "1", str(compare.BUILT / "load"), "-side-by-side", listing, "-tokens", tokens,
             "-host", host, "-members", str(n), "-advances", str(advances)],
            capture_output=True, text=True, timeout=900)
        if load.returncode != 0:
            raise RuntimeError(f"load: {load.stderr.strip()}")
        if load.stderr.strip():
            print(load.stderr.strip(), file=sys.stderr)
        return [json.loads(line) for line in load.stdout.splitlines() if line.strip()]
    finally:
        for process, _ in started.values():
            compare.stop(process)


def paired(muster, peer):
    """Muster's advance over its partner's of the same round: the median, and how many rounds Muster was the quicker."""
    ratios = [m / p for m, p in zip(muster["last_ms"], peer["last_ms"]) if p > 0]
    return statistics.median(ratios), sum(r < 1 for r in ratios), len(ratios)


def table(results, sizes):
    print("\n| N | server | first member, p50 (ms) | last member, p50 / p99 (ms) | frames per server CPU-second "
          "| Muster / it: p50 / p99 | Muster's advance / its partner's: median, Muster quicker |")
    print("|---|---|---|---|---|---|---|")
    for n in sizes:
        row = {r["server"]: r for r in results if r["members"] == n}
        muster = row.get("muster")
        for name in [name for name in compare.NAMES if name in row]:
            r = row[name]
            versus = pairs = "—"
            if muster and name != "muster":
                versus = f"{muster['last_p50_ms'] / r['last_p50_ms']:.2f} / {muster['last_p99_ms'] / r['last_p99_ms']:.2f}"
                median, quicker, rounds = paired(muster, r)
                pairs = f"{median:.2f}, {quicker} of {rounds}"
            welcomed = "" if r["welcomed"] == n else f" ({r['welcomed']:,} of {n:,} seated)"
            print(f"| {n:,} | {name}{welcomed} | {r['first_p50_ms']:.1f} | {r['last_p50_ms']:.1f} / {r['last_p99_ms']:.1f} "
                  f"| {compare.cell('frames_per_cpu_s', r['frames_per_cpu_s'] or None)} | {versus} | {pairs} |")


def main(args):
    compare.MUSTER[0] = args.muster
    names = [name for name in compare.NAMES if name in args.servers.split(",")]
    sizes = compare.fitting([int(n) for n in args.sizes.split(",")], crowds=len(names))
    if not names or not sizes:
        sys.exit("bench: no server chosen, or no size fits this machine's open-file limit")
    with tempfile.TemporaryDirectory() as directory:
        planned, host, members = crowd(compare.muster_binary(), directory, max(sizes))
        db, record = os.path.join(directory, "run.sqlite"), os.path.join(directory, "relayed.log")
        tokens = os.path.join(directory, "tokens.txt")
        with open(tokens, "w") as file:
            file.writelines(token + "\n" for token in members)
        results = []
        for n in sizes:
            for leftover in (db, db + "-wal", db + "-shm", record):
                if os.path.exists(leftover):
                    os.remove(leftover)
            shutil.copy(planned, db)  # the meeting as planned, every size
            for result in run(n, names, compare.servers(db, record), tokens, host, args.advances, directory):
                results.append(result)
                print(json.dumps({k: v for k, v in result.items() if k != "last_ms"}), file=sys.stderr)
        table(results, sizes)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,5000")
    parser.add_argument("--advances", type=int, default=100)
    parser.add_argument("--servers", default="muster,c+lws,c+lws+log", help="which of them, side by side")
    parser.add_argument("--muster", default=str(compare.MUSTER[0]), help="the muster binary")
    main(parser.parse_args())
