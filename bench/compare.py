#!/usr/bin/env python3
"""Muster beside the WebSocket servers people would otherwise pick.

    bash bench/run [--short]       (builds everything, then runs this)

For each size N, each server is started afresh, pinned to CPU 0, and the Go
load generator (pinned to CPU 1) seats N members at once, then times 100
`text.advance` broadcasts to the last of them. The peers (Go + gorilla, Node
+ ws, C on libwebsockets) do the same job as Muster without its record:
a hello gets a welcome, an advance goes to everyone. One table, ratios to
the best peer. It prints figures; it asserts nothing.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
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


def servers(db):
    node_env = dict(os.environ, NODE_PATH="/usr/share/nodejs")
    return {
        "muster": lambda: start([str(muster_binary()), "serve", "--listen", "127.0.0.1:0", "--db", db,
                                 "--web", str(ROOT / "web"), "--hellos-per-address", "10000000",
                                 "--max-connections-per-address", "100000", "--commands-per-second", "100000"]),
        "go+gorilla": lambda: start([str(BUILT / "gorilla"), "-port", "0"]),
        "node+ws": lambda: start(["node", str(ROOT / "bench" / "peers" / "ws.js"), "0"], env=node_env),
        "c+lws": lambda: start([str(BUILT / "lws"), "0"]),
    }


def load(name, port, pid, tokens, host, members, advances):
    out = subprocess.run(
        ["taskset", "-c", "1", str(BUILT / "load"), "-url", f"ws://127.0.0.1:{port}/ws", "-tokens", tokens,
         "-host", host, "-members", str(members), "-advances", str(advances), "-pid", str(pid), "-server", name,
         f"-muster={'true' if name == 'muster' else 'false'}"],
        capture_output=True, text=True, timeout=600)
    if out.returncode != 0:
        raise RuntimeError(f"load against {name}: {out.stderr.strip()}")
    if out.stderr.strip():
        print(out.stderr.strip(), file=sys.stderr)
    return json.loads(out.stdout)


def main(args):
    MUSTER[0] = Path(args.muster)
    sizes = [int(n) for n in args.sizes.split(",")]
    with tempfile.TemporaryDirectory() as directory:
        # One meeting for every size: a restarted server recovers it (the last size's devices leave).
        db, host, members = crowd(muster_binary(), directory, max(sizes))
        tokens = os.path.join(directory, "tokens.txt")
        with open(tokens, "w") as file:
            file.writelines(token + "\n" for token in members)
        results = []
        for n in sizes:
            for name, launch in servers(db).items():
                process, port = launch()
                try:
                    result = load(name, port, process.pid, tokens, host, n, args.advances)
                    results.append(result)
                    print(json.dumps(result), file=sys.stderr)
                finally:
                    process.terminate()
                    try:
                        process.wait(timeout=30)
                    except subprocess.TimeoutExpired:
                        process.kill()
        table(results, sizes)


def table(results, sizes):
    names = ["muster", "go+gorilla", "node+ws", "c+lws"]
    measures = [("join_s", "join storm, all welcomed (s)", min), ("kb_per_member", "server memory per member (KB)", min),
                ("last_p50_ms", "advance to the last member, p50 (ms)", min),
                ("last_p99_ms", "advance to the last member, p99 (ms)", min),
                ("frames_per_cpu_s", "frames delivered per server CPU-second", max)]
    print(f"\n| N | measure | {' | '.join(names)} | Muster / best peer |")
    print("|---|---|" + "---|" * (len(names) + 1))
    for n in sizes:
        row = {r["server"]: r for r in results if r["members"] == n}
        for key, label, best in measures:
            values = [row.get(name, {}).get(key) for name in names]
            peers = [v for v in values[1:] if v]
            ratio = f"{values[0] / best(peers):.2f}" if values[0] and peers else "—"
            cells = [f"{float(v):,.{0 if key == 'frames_per_cpu_s' else (2 if key == 'join_s' else 1)}f}"
                     if v is not None else "—" for v in values]
            print(f"| {n:,} | {label} | {' | '.join(cells)} | {ratio} |")
        welcomed = {name: row.get(name, {}).get("welcomed") for name in names}
        if any(w != n for w in welcomed.values()):
            print(f"| {n:,} | welcomed of {n:,} | " + " | ".join(str(welcomed[name]) for name in names) + " | |")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,5000,10000")
    parser.add_argument("--advances", type=int, default=100)
    parser.add_argument("--muster", default=str(MUSTER[0]), help="the muster binary")
    main(parser.parse_args())
