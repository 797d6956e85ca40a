"""Instructions the release server spends on a join storm, counted by
valgrind's callgrind: the same from run to run, where timings on this
machine vary by 10-20%. Run by `bash bench/run --instructions [N]`.

A branch of N members; the session is opened and started first; counting
runs from just before N members say hello at once until all are welcomed.
Prints the total, the total per member, and where it went (inclusive);
then the instructions per frame delivered of `--advances` text.advance
broadcasts to all N (commits included), and the same for the C peer on
lws (bench/peers/lws.c) for scale.
"""

import argparse
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from branch import crowd, raise_file_limit

ROOT = Path(__file__).resolve().parent.parent
LOAD = ROOT / ".build" / "bench" / "load"
# Inclusive costs worth watching, by a part of their symbol.
PLACES = [
    ("a hello, all of it", "SwitchboardC5hello_5token"),
    ("  reading the member by token", "MusterStore0A8DatabaseV6member5token"),
    ("  the member's welcome", "SessionHubC9subscribe_3you"),
    ("decoding client messages", "ClientMessageO6decode"),
    ("commits seen by the service thread", "SwitchboardC6handleySayAA0B6ActionOGAA14MailboxMessageOF"),
    ("the writer's commits", "StoreWriterC6commityySayAC10SubmissionVGF"),
    ("frames written as JSON", "FrameEncoderV6Writer"),
    ("lws's timer list (sorted inserts)", "lws_dll2_add_sorted"),
]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument("--advances", type=int, default=20, help="text.advance broadcasts counted after the storm")
    parser.add_argument("--keep", help="a folder to copy the callgrind files to, for callgrind_annotate")
    parser.add_argument("--muster", default=str(ROOT / ".build" / "release" / "muster"))
    args = parser.parse_args()
    raise_file_limit(args.members + 100)
    with tempfile.TemporaryDirectory() as work:
        # valgrind 3.19 cannot read the debug information Swift 6.3 writes: count a copy without it.
        muster = Path(work) / "muster"
        shutil.copy(args.muster, muster)
        subprocess.run(["strip", "--strip-debug", str(muster)], check=True)
        db, host, members = crowd(muster, work, args.members)
        tokens = Path(work) / "tokens.txt"
        tokens.write_text("".join(t + "\n" for t in members))
        out = Path(work) / "callgrind.out"
        server = subprocess.Popen(
            ["taskset", "-c", "0", "valgrind", "--tool=callgrind", "--instr-atstart=no",
             f"--callgrind-out-file={out}", str(muster), "serve", "--listen", "127.0.0.1:0", "--db", db,
             "--web", str(ROOT / "web"), "--hellos-per-address", "10000000", "--max-connections-per-address",
             "100000", "--commands-per-second", "100000"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        try:
            port = int(server.stdout.readline().strip().rsplit(":", 1)[-1].split()[-1])
            url = f"ws://127.0.0.1:{port}/ws"

            def control(*flags):
                subprocess.run(["callgrind_control", *flags, str(server.pid)], check=True, capture_output=True)

            def load(count, opens):
                return subprocess.run(
                    ["taskset", "-c", "1", str(LOAD), "-url", url, "-tokens", str(tokens), "-host", host,
                     "-members", str(count), "-advances", "1" if opens else "0", "-pid", str(server.pid),
                     f"-muster={'true' if opens else 'false'}"],
                    capture_output=True, text=True, timeout=900, check=True)

            load(1, opens=True)
            time.sleep(2)
            control("-i", "on")
            # The storm, then (the load holds) a dump; then the advances, counted from zero.
            crowd_load = subprocess.Popen(
                ["taskset", "-c", "1", str(LOAD), "-url", url, "-tokens", str(tokens), "-host", host,
                 "-members", str(args.members), "-advances", str(args.advances), "-pid", str(server.pid),
                 "-muster=false", "-hold"],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for line in crowd_load.stdout:
                if line.strip() == "HOLD":
                    control("-d")
                    crowd_load.stdin.write("go\n")
                    crowd_load.stdin.flush()
            crowd_load.wait(timeout=900)
            control("-d")
            control("-i", "off")
            print(next((line for line in crowd_load.stderr.read().splitlines() if "welcomed" in line), "").replace(
                "load: ", "under valgrind: "))
        finally:
            server.send_signal(signal.SIGINT)
            server.wait(timeout=300)
        # Two dumps asked for: the storm's, then the advances' (the one at exit counts nothing).
        dumps = sorted(Path(work).glob("callgrind.out.*"), key=lambda p: int(p.name.rsplit(".", 1)[-1]))
        if args.keep:
            for dump in dumps:
                shutil.copy(dump, args.keep)
        report(dumps[0], args.members)
        if args.advances:
            fanout(dumps[1], args.members * args.advances, "Muster")
            peer_fanout(work, url_tokens=tokens, host=host, members=args.members, advances=args.advances)


def peer_fanout(work, url_tokens, host, members, advances):
    """The same advances from the C peer on lws (bench/peers/lws.c), for scale."""
    out = Path(work) / "peer.out"
    server = subprocess.Popen(
        ["taskset", "-c", "0", "valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}",
         str(LOAD.parent / "lws"), "0"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        port = int(server.stdout.readline().strip().rsplit(":", 1)[-1].split()[-1])
        crowd_load = subprocess.Popen(
            ["taskset", "-c", "1", str(LOAD), "-url", f"ws://127.0.0.1:{port}/ws", "-tokens", str(url_tokens),
             "-host", host, "-members", str(members), "-advances", str(advances), "-pid", str(server.pid),
             "-server", "c+lws", "-muster=false", "-hold"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        for line in crowd_load.stdout:
            if line.strip() == "HOLD":
                subprocess.run(["callgrind_control", "-i", "on", str(server.pid)], check=True, capture_output=True)
                crowd_load.stdin.write("go\n")
                crowd_load.stdin.flush()
        crowd_load.wait(timeout=900)
        subprocess.run(["callgrind_control", "-d", str(server.pid)], check=True, capture_output=True)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=300)
    fanout(next(Path(work).glob("peer.out.*")), members * advances, "the C peer on lws")


def fanout(out, frames, who):
    annotated = subprocess.run(["callgrind_annotate", str(out)], capture_output=True, text=True,
                               check=True).stdout.splitlines()
    total = next(int(line.split()[0].replace(",", "")) for line in annotated if "PROGRAM TOTALS" in line)
    print(f"{who}, the advances' fan-out: {total:,} instructions for {frames:,} frames delivered, "
          f"{total // frames:,} a frame")


def report(out, members):
    annotated = subprocess.run(["callgrind_annotate", "--inclusive=yes", str(out)], capture_output=True,
                               text=True, check=True).stdout.splitlines()
    total = next(int(line.split()[0].replace(",", "")) for line in annotated if "PROGRAM TOTALS" in line)
    print(f"{members} members' join storm: {total:,} instructions, {total // members:,} a member")
    for label, symbol in PLACES:
        line = next((line for line in annotated if symbol in line), None)
        if line:
            count = int(line.split()[0].replace(",", ""))
            print(f"  {label:<40} {count // members:>9,} a member ({100 * count / total:4.1f}%)")


if __name__ == "__main__":
    main()
