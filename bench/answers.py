#!/usr/bin/env python3
"""What a secretary's browser downloads from a big branch, as it is and compressed.

    python3 bench/answers.py [--members 10000] [--muster .build/release/muster]

Sets up a branch of N members (bench/branch.py), starts `muster serve` on
loopback pinned to CPU 0, and fetches the office's answers that grow with
the branch (`/api/branch`, `/api/map`, the members' sheet) and the page's
largest files, each three times without and with `Accept-Encoding: gzip`:
the bytes sent and the time to the last byte (the median). Then the
secretary's console is welcomed over the WebSocket with the session open,
twice each on `/ws` and on `/ws?compress` (permessage-deflate): the
welcome's bytes on the wire and the time from `hello` to its last byte.
It prints figures; it asserts nothing.
"""

import argparse
import http.client
import statistics
import tempfile
import time
from pathlib import Path

from branch import crowd
from compare import muster_serve, start, stop
from wire import Socket

ROOT = Path(__file__).resolve().parents[1]
PATHS = ("/api/branch", "/api/map", "/api/dashboard/members.csv", "/js/office.js", "/geo/china.svg")


def fetch(port, path, token, gzip):
    headers = {"Authorization": f"Bearer {token}"}
    if gzip:
        headers["Accept-Encoding"] = "gzip"
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        started = time.monotonic()
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        body = response.read()
        elapsed = time.monotonic() - started
        if response.status != 200:
            raise RuntimeError(f"{path}: {response.status}")
        return len(body), response.getheader("content-encoding") == "gzip", elapsed
    finally:
        connection.close()


def welcome(port, token, compress):
    """The secretary's welcome: its bytes on the wire, whether it came compressed, ms from hello to it."""
    socket = Socket(port, "/ws?compress" if compress else "/ws")
    try:
        started = time.monotonic()
        socket.send({"type": "hello", "token": token})
        message, wire = socket.receive()
        elapsed = time.monotonic() - started
        if message["type"] != "welcome":
            raise RuntimeError(f"no welcome: {message}")
        return wire, socket.deflating, elapsed, len(message["state"].get("roster", []))
    finally:
        socket.close()


def open_session(port, token):
    """The secretary opens the planned session: from now on the console's welcome carries the roster."""
    socket = Socket(port)
    try:
        socket.send({"type": "hello", "token": token})
        greeting, _ = socket.receive()
        socket.send({"type": "cmd", "id": "open", "cmd": "session.open", "session": greeting["session"]})
        while True:
            answer, _ = socket.receive()
            if answer.get("id") == "open":
                if answer["type"] != "ack":
                    raise RuntimeError(f"the session did not open: {answer}")
                return
    finally:
        socket.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=10000)
    parser.add_argument("--muster", default=str(ROOT / ".build" / "release" / "muster"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        db, host, _ = crowd(args.muster, directory, args.members)
        server, port = start(muster_serve(args.muster, db))
        try:
            print(f"| a branch of {args.members:,} | as it is: bytes, ms | compressed: bytes, ms | compressed / as it is |")
            print("|---|---|---|---|")
            for path in PATHS:
                rows = {}
                for gzip in (False, True):
                    runs = [fetch(port, path, host, gzip) for _ in range(3)]
                    if gzip and not all(compressed for _, compressed, _ in runs):
                        raise RuntimeError(f"{path} was not gzipped")
                    rows[gzip] = (runs[0][0], statistics.median(elapsed for _, _, elapsed in runs) * 1000)
                plain, packed = rows[False], rows[True]
                print(f"| GET `{path}` | {plain[0]:,}, {plain[1]:.1f} | {packed[0]:,}, {packed[1]:.1f} | {packed[0] / plain[0]:.2f} |")
            open_session(port, host)
            rows = {}
            for compress in (False, True):
                # Twice each: a link may say hello six times in a row (then one every two seconds).
                runs = [welcome(port, host, compress) for _ in range(2)]
                if any(deflating != compress for _, deflating, _, _ in runs):
                    raise RuntimeError(f"compress={compress}: the server {'declined' if compress else 'took'} permessage-deflate")
                if any(roster != args.members + 1 for _, _, _, roster in runs):
                    raise RuntimeError("the welcome did not carry the whole roster")
                rows[compress] = (runs[0][0], statistics.median(elapsed for _, _, elapsed, _ in runs) * 1000)
            plain, packed = rows[False], rows[True]
            print(f"| the console's welcome, `/ws` and `/ws?compress` | {plain[0]:,}, {plain[1]:.1f} | "
                  f"{packed[0]:,}, {packed[1]:.1f} | {packed[0] / plain[0]:.2f} |")
        finally:
            stop(server)


if __name__ == "__main__":
    main()
