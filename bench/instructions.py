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
from compare import muster_serve, start

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
        server, port = counted(Path(work) / "callgrind.out", muster_serve(muster, db))
        try:
            url = f"ws://127.0.0.1:{port}/ws"
            # The session is opened and started by a first load of one member; then counting starts.
            subprocess.run(load_command(url, tokens, host, 1, 1, server, "-muster=true"), capture_output=True,
                           text=True, timeout=900, check=True)
            time.sleep(2)
            control(server, "-i", "on")
            # The storm, then (the load holds) a dump; then the advances, counted from zero.
            stderr = hold(load_command(url, tokens, host, args.members, args.advances, server, "-muster=false"),
                          lambda: control(server, "-d"))
            control(server, "-d")
            control(server, "-i", "off")
            print(next((line for line in stderr.splitlines() if "welcomed" in line), "").replace(
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
            peer_fanout(work, tokens, host, args.members, args.advances, args.keep)


def counted(out, command):
    """A server started under callgrind, counting nothing until told; returns (process, port)."""
    return start(["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}", *command])


def control(server, *flags):
    subprocess.run(["callgrind_control", *flags, str(server.pid)], check=True, capture_output=True)


def load_command(url, tokens, host, members, advances, server, *flags):
    return ["taskset", "-c", "1", str(LOAD), "-url", url, "-tokens", str(tokens), "-host", host, "-members",
            str(members), "-advances", str(advances), "-pid", str(server.pid),
            # No paced acks first: under valgrind the server cannot keep 2,000 a second, and they are not counted.
            "-ack-rate", "0", *flags]


def hold(command, at_hold):
    """Runs the load with `-hold`: `at_hold` runs after the storm, before the advances. Returns what it printed."""
    crowd_load = subprocess.Popen([*command, "-hold"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)
    for line in crowd_load.stdout:
        if line.strip() == "HOLD":
            at_hold()
            crowd_load.stdin.write("go\n")
            crowd_load.stdin.flush()
    crowd_load.wait(timeout=900)
    return crowd_load.stderr.read()


def peer_fanout(work, tokens, host, members, advances, keep):
    """The same advances from the C peer on lws (bench/peers/lws.c), for scale."""
    server, port = counted(Path(work) / "peer.out", [str(LOAD.parent / "lws"), "0"])
    try:
        command = load_command(f"ws://127.0.0.1:{port}/ws", tokens, host, members, advances, server, "-server",
                               "c+lws", "-muster=false")
        hold(command, lambda: control(server, "-i", "on"))
        control(server, "-d")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=300)
    dump = next(Path(work).glob("peer.out.*"))
    if keep:
        shutil.copy(dump, keep)
    fanout(dump, members * advances, "the C peer on lws")


def totals(out, *options):
    """callgrind_annotate's lines for `out`, and its program total."""
    annotated = subprocess.run(["callgrind_annotate", *options, str(out)], capture_output=True, text=True,
                               check=True).stdout.splitlines()
    return annotated, next(int(line.split()[0].replace(",", "")) for line in annotated if "PROGRAM TOTALS" in line)


def fanout(out, frames, who):
    _, total = totals(out)
    print(f"{who}, the advances' fan-out: {total:,} instructions for {frames:,} frames delivered, "
          f"{total // frames:,} a frame")


def report(out, members):
    annotated, total = totals(out, "--inclusive=yes")
    print(f"{members} members' join storm: {total:,} instructions, {total // members:,} a member")
    for label, symbol in PLACES:
        line = next((line for line in annotated if symbol in line), None)
        if line:
            count = int(line.split()[0].replace(",", ""))
            print(f"  {label:<40} {count // members:>9,} a member ({100 * count / total:4.1f}%)")


if __name__ == "__main__":
    main()
