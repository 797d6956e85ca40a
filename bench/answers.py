#!/usr/bin/env python3
"""What a secretary's browser downloads from a big branch, as it is and gzipped.

    python3 bench/answers.py [--members 10000] [--muster .build/release/muster]

Sets up a branch of N members (bench/branch.py), starts `muster serve` on
loopback pinned to CPU 0, and fetches the office's answers that grow with
the branch (`/api/branch`, `/api/map`, the members' sheet) and the page's
largest files, each three times without and with `Accept-Encoding: gzip`:
the bytes sent and the time to the last byte (the median). It prints
figures; it asserts nothing.
"""

import argparse
import http.client
import statistics
import tempfile
import time
from pathlib import Path

from branch import crowd
from compare import muster_serve, start, stop

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


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=10000)
    parser.add_argument("--muster", default=str(ROOT / ".build" / "release" / "muster"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        db, host, _ = crowd(args.muster, directory, args.members)
        server, port = start(muster_serve(args.muster, db))
        try:
            print(f"| a branch of {args.members:,}: GET | as it is: bytes, ms | gzipped: bytes, ms | gzipped / as it is |")
            print("|---|---|---|---|")
            for path in PATHS:
                rows = {}
                for gzip in (False, True):
                    runs = [fetch(port, path, host, gzip) for _ in range(3)]
                    if gzip and not all(compressed for _, compressed, _ in runs):
                        raise RuntimeError(f"{path} was not gzipped")
                    rows[gzip] = (runs[0][0], statistics.median(elapsed for _, _, elapsed in runs) * 1000)
                plain, packed = rows[False], rows[True]
                print(f"| `{path}` | {plain[0]:,}, {plain[1]:.1f} | {packed[0]:,}, {packed[1]:.1f} | {packed[0] / plain[0]:.2f} |")
        finally:
            stop(server)


if __name__ == "__main__":
    main()
