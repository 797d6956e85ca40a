#!/usr/bin/env python3
"""The secretary's console in Chromium while a crowd arrives.

    .venv/bin/python bench/console.py [--members 2000]

Sets up a branch of N members, starts the release server on loopback, opens
the console in headless Chromium (the secretary's own link), opens the
session from the page, then connects every member's device at once. It
prints how long until the console showed all N present, how many times the
page drew, and its longest single draw (the page's own `performance.now()`
timing, `window.musterTiming`). Every loop is bounded in count and time.
"""

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import websockets

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "e2e"))
sys.path.insert(0, str(ROOT / "bench"))

from browser import chromium, click, status, wait  # noqa: E402
from branch import crowd, raise_file_limit  # noqa: E402
from fanout import binary  # noqa: E402


async def arrive(url, tokens, spread):
    """Every member's device says hello, `spread` at a time; returns the sockets."""
    async def one(token):
        ws = await websockets.connect(url, max_size=None, max_queue=None, open_timeout=60)
        await ws.send(json.dumps({"type": "hello", "token": token}))
        await asyncio.wait_for(ws.recv(), 60)
        return ws
    sockets = []
    for start in range(0, len(tokens), spread):
        sockets += await asyncio.gather(*(one(t) for t in tokens[start:start + spread]))
    return sockets


def main(args):
    raise_file_limit(args.members * 2 + 200)
    muster = binary()
    with tempfile.TemporaryDirectory() as directory:
        db, host_token, tokens = crowd(muster, directory, args.members)
        server = subprocess.Popen(
            [muster, "serve", "--listen", "127.0.0.1:0", "--db", db, "--web", str(ROOT / "web"),
             "--hellos-per-address", "1000000", "--max-connections-per-address", "60000"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        browser = None
        try:
            port = int(server.stdout.readline().strip().rsplit(":", 1)[1])
            browser = chromium(1280, 900)
            browser.get(f"http://127.0.0.1:{port}/#t={host_token}")
            wait(browser, lambda d: status(d) == "online", 30, "the console never came online")
            click(browser, "session-open")
            wait(browser, lambda d: d.execute_script("return document.querySelectorAll('[data-testid=member-row]').length")
                 == args.members + 1, 30, "the roster is drawn")
            browser.execute_script("musterTiming.longest = 0; musterTiming.draws = 0; musterTiming.roster = 0")
            asyncio.run(watch_arrivals(browser, f"ws://127.0.0.1:{port}/ws", tokens, args))
            print(f"muster {subprocess.run([muster, '--version'], capture_output=True, text=True).stdout.strip()}")
        finally:
            if browser:
                browser.quit()
            server.terminate()
            server.wait(timeout=30)


async def watch_arrivals(browser, url, tokens, args):
    """The members arrive; prints what the console made of it."""
    def present():
        return browser.execute_script("return document.querySelectorAll('[data-testid=member-row].here').length")
    started = time.perf_counter()
    sockets = await arrive(url, tokens, args.spread)
    deadline = time.monotonic() + 60
    while present() < args.members + 1 and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    seen = time.perf_counter() - started
    timing = browser.execute_script("return musterTiming")
    print(f"{args.members} members arriving, {args.spread} at a time: the console showed "
          f"{present() - 1} present after {seen:.1f} s")
    print(f"the console drew {timing['draws']} times; longest draw {timing['longest']:.1f} ms "
          f"(the roster's rows: at most {timing['roster']:.1f} ms)")
    await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument("--spread", type=int, default=200, help="hellos sent at once")
    main(parser.parse_args())
