"""What every benchmark sets up: a branch of N members in a temporary data
file, with one meeting planned, through the real `muster` command line."""

import json
import os
import resource
import subprocess


def cli(muster, db, *args):
    """Runs `muster ARGS --db DB --json` and returns what it printed."""
    out = subprocess.run([str(muster), *args, "--db", db, "--json"], check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def raise_file_limit(sockets):
    """Lets this process hold `sockets` connections (up to the hard limit)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, sockets)), hard))


def crowd(muster, directory, members):
    """A branch of a secretary and `members` full members in `directory`,
    with a meeting planned; returns (data file, secretary's token, members' tokens)."""
    db = os.path.join(directory, "bench.sqlite")
    roster = os.path.join(directory, "roster.csv")
    with open(roster, "w", encoding="utf-8") as file:
        file.write("name,status,city,role\n书记,full,示范村,secretary\n")
        file.writelines(f"党员{i:05d},full,杭州,\n" for i in range(members))
    cli(muster, db, "branch", "add", "压测支部")
    people = cli(muster, db, "roster", "import", "--branch", "压测支部", roster)
    cli(muster, db, "session", "add", "--branch", "压测支部", "--title", "压测", "--starts", "2026-11-26T19:30Z", "--oath")
    host = next(p["token"] for p in people if p["secretary"])
    return db, host, [p["token"] for p in people if not p["secretary"]]
