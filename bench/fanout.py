#!/usr/bin/env python3
"""Fan-out and throughput of a real `muster serve`, on loopback.

    .venv/bin/python bench/fanout.py [--members 1000] [--rounds 30] [--commands 2000]

Sets up a branch of N members in a temporary database, starts the server,
connects every member's device, then measures:

  1. fan-out: the time from the secretary sending `text.advance` until each
     member's socket has the `text.advanced` event (p50 / p99 over all
     members and rounds, and the slowest member per round);
  2. memory: the server's resident memory per seated member;
  3. throughput: acked commands per second, the secretary pipelining
     `text.advance` with 64 in flight (every ack means fsynced on disk),
     with all N members listening, and with nobody listening.

Every loop is bounded in count and time. The clients are Python asyncio in
one process, so the figures include their own time to read N frames.
"""

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import websockets

from branch import crowd, raise_file_limit

ROOT = Path(__file__).resolve().parents[1]


def binary():
    for build in ("release", "debug"):
        path = ROOT / ".build" / build / "muster"
        if path.exists():
            return str(path)
    sys.exit("build muster first: swift build -c release")


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def rss_kb(pid):
    """The server's resident memory, in KB."""
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))


async def member_device(url, token, ready, marks):
    """One phone: says hello, then notes when each text.advanced arrives (until cancelled)."""
    async with websockets.connect(url, max_size=None, max_queue=None, open_timeout=30) as ws:
        await ws.send(json.dumps({"type": "hello", "token": token}))
        await ws.recv()
        ready.release()
        async for frame in ws:
            if '"text.advanced"' in frame:
                line = json.loads(frame)["event"]["line"]
                marks.setdefault(line, []).append(time.perf_counter())


async def pipelined(host, count, window=64, deadline=60):
    """Sends `count` text.advance commands, `window` in flight; returns acks/s."""
    sent = acked = 0
    start = time.perf_counter()
    while acked < count and time.perf_counter() - start < deadline:
        while sent < count and sent - acked < window:
            sent += 1
            await host.send(json.dumps({"type": "cmd", "id": f"t{sent}-{start}", "cmd": "text.advance", "line": sent % 12}))
        frame = json.loads(await asyncio.wait_for(host.recv(), 10))
        if frame["type"] == "ack":
            acked += 1
        elif frame["type"] == "error":
            raise RuntimeError(frame)
    return acked / (time.perf_counter() - start)


async def main(args):
    raise_file_limit(args.members * 2 + 100)
    muster = binary()
    with tempfile.TemporaryDirectory() as directory:
        db, host_token, tokens = crowd(muster, directory, args.members)

        server = subprocess.Popen(
            [muster, "serve", "--listen", "127.0.0.1:0", "--db", db, "--commands-per-second", "100000",
             # Every member connects from this one address: lift the per-address budgets.
             "--hellos-per-address", "1000000", "--max-connections-per-address", "60000"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        try:
            port = int(server.stdout.readline().strip().rsplit(":", 1)[1])
            url = f"ws://127.0.0.1:{port}/ws"
            host = await websockets.connect(url, max_size=None, max_queue=None)
            await host.send(json.dumps({"type": "hello", "token": host_token}))
            await host.recv()
            print(f"muster {subprocess.run([muster, '--version'], capture_output=True, text=True).stdout.strip()}")
            print(f"binary: {muster}")
            for command in ("session.open", "session.start"):
                await host.send(json.dumps({"type": "cmd", "id": command, "cmd": command}))
                while (await host.recv()).find('"ack"') < 0:
                    pass
            quiet = await pipelined(host, args.commands // 2) if args.commands else 0
            idle_rss = rss_kb(server.pid)
            ready = asyncio.Semaphore(0)
            marks = {}
            started = time.perf_counter()
            devices = []
            for i, token in enumerate(tokens):
                devices.append(asyncio.create_task(member_device(url, token, ready, marks)))
                if i % 50 == 49:
                    await asyncio.sleep(0.05)
            for _ in tokens:
                await asyncio.wait_for(ready.acquire(), 60)
            print(f"{len(tokens)} members connected in {time.perf_counter() - started:.1f} s")

            async def drain(seconds):
                end = time.perf_counter() + seconds
                while time.perf_counter() < end:
                    try:
                        await asyncio.wait_for(host.recv(), max(0.01, end - time.perf_counter()))
                    except asyncio.TimeoutError:
                        break

            await drain(3)  # let the join storm settle
            seated_rss = rss_kb(server.pid)
            print(f"server memory: {idle_rss / 1024:.1f} MB before, {seated_rss / 1024:.1f} MB with {len(tokens)} members: "
                  f"{(seated_rss - idle_rss) / len(tokens):.1f} KB per member")
            latencies, slowest = [], []
            for round in range(args.rounds):
                line = 1 + round % 11
                marks.pop(line, None)
                sent = time.perf_counter()
                await host.send(json.dumps({"type": "cmd", "id": f"r{round}", "cmd": "text.advance", "line": line}))
                deadline = sent + 10
                while len(marks.get(line, [])) < len(tokens) and time.perf_counter() < deadline:
                    await asyncio.sleep(0.002)
                got = [(t - sent) * 1000 for t in marks.get(line, [])]
                if len(got) < len(tokens):
                    print(f"round {round}: only {len(got)} of {len(tokens)} members got the line in 10 s")
                latencies += got
                slowest.append(max(got))
                await drain(0.2)
            print(f"fan-out of one text.advance to {len(tokens)} members, {args.rounds} rounds:")
            print(f"  per member  p50 {percentile(latencies, 50):.1f} ms   p99 {percentile(latencies, 99):.1f} ms")
            print(f"  last member p50 {statistics.median(slowest):.1f} ms   max {max(slowest):.1f} ms")
            if args.commands:
                busy = await pipelined(host, args.commands // 2)
                print("acked commands per second (64 in flight, each fsynced):")
                print(f"  nobody listening: {quiet:.0f}/s   {len(tokens)} members listening: {busy:.0f}/s")
            for device in devices:
                device.cancel()
            await host.close()
            await asyncio.wait_for(asyncio.gather(*devices, return_exceptions=True), 30)
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--commands", type=int, default=2000)
    asyncio.run(main(parser.parse_args()))
