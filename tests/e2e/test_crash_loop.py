"""Crash rounds under a real load: a few hundred members answering roll calls,
posting and voting (open and secret) while the server is killed with SIGKILL
at a random moment, then started again. After every round:

- every acked command's event is in the log exactly once, and seqs are dense;
- the session replays (the restarted server's welcome) and a client that saw
  up to seq N resumes with exactly N+1… (no gap, no duplicate);
- every closed secret vote's tally is what the members who voted chose, and
  a secret vote cut by the kill is reported void (vote.voided).

MUSTER_CRASH_ROUNDS sets the rounds (CI runs a few; `bash scripts/crash-loop`
runs 100). MUSTER_CRASH_MEMBERS sets the roster size (default 200).
"""

import asyncio
import json
import os
import random
import signal
import time

import websockets

from conftest import Client, Server, muster, run

ROUNDS = int(os.environ.get("MUSTER_CRASH_ROUNDS", "4"))
MEMBERS = int(os.environ.get("MUSTER_CRASH_MEMBERS", "200"))
SESSION_ROUNDS = 10  # rounds per meeting
CHOICES = ["赞成", "反对", "弃权"]
CLOSED = (websockets.ConnectionClosed, websockets.InvalidMessage, TimeoutError, asyncio.TimeoutError, OSError, EOFError)


def big_branch(tmp_path):
    db = tmp_path / "muster.sqlite"
    branch = muster("branch", "add", "大村党支部", db=db)
    roster = tmp_path / "roster.csv"
    lines = ["name,status,role", "王书记,full,secretary"] + [f"党员{i:03},full," for i in range(1, MEMBERS)]
    roster.write_text("\n".join(lines) + "\n", encoding="utf-8")
    members = muster("roster", "import", "--branch", branch["id"], str(roster), db=db)
    session = muster("session", "add", "--branch", branch["id"], "--title", "压力测试", "--starts", "2026-11-26T19:30",
                     "--oath", db=db)
    host = next(m for m in members if m["secretary"])
    return db, session["id"], host, [m for m in members if not m["secretary"]]


class Round:
    """What one server life was told, and acknowledged."""

    def __init__(self):
        self.acked = {}  # command id -> (seq, what)
        self.cast = {}  # (vote, member) -> choice sent (acked or not)
        self.refused = {}  # kind -> the last refusal's message, to see what the load ran into


async def member_load(client, member, session, record, rng, stop):
    """One phone: answers the roll, votes, now and then posts."""
    n = 0
    while not stop.is_set():
        n += 1
        state = client.mirror
        try:
            call = state.get("rollcall")
            vote = state.get("vote")
            if call and member["id"] not in call["answered"] and rng.random() < 0.5:
                what = ("rollcall.answered", call["rollcall"])
                id = await client.cmd("rollcall.answer", session=session, rollcall=call["rollcall"])
                call["answered"].append(member["id"])
            elif vote and member["id"] not in vote["voters"] and rng.random() < 0.5:
                choice = rng.choice(CHOICES)
                record.cast[(vote["vote"], member["id"])] = choice
                what = ("vote.cast", vote["vote"])
                id = await client.cmd("vote.cast", session=session, vote=vote["vote"], choice=choice)
                vote["voters"].append(member["id"])
            elif rng.random() < 0.01:
                id = f"p-{member['id']}-{time.monotonic_ns()}"
                what = ("post.added", id)
                await client.cmd("post.add", id=id, session=session, thread="T1", body=id)
            else:
                await asyncio.sleep(0.05)
                continue
            client.pending[id] = what
        except CLOSED:
            return
        await asyncio.sleep(rng.uniform(0.01, 0.2))


class Phone(Client):
    """A client that keeps the little it needs to act: the open roll call and vote."""

    def __init__(self, url):
        super().__init__(url)
        self.mirror = {}
        self.pending = {}

    async def recv(self, timeout=30):
        # 200 phones connecting to a server that has just recovered: give the welcomes time.
        return await super().recv(timeout)

    async def connect(self, token, since=None, session=None, watch=False):
        welcome = await super().connect(token, since=since, session=session, watch=watch)
        state = welcome.get("state") or {}
        call = state.get("rollcall")
        if call:
            self.mirror["rollcall"] = {"rollcall": call["rollcall"], "answered": list(call["answered"])}
        votes = [v for v in state.get("votes", []) if not v.get("result") and not v.get("void")]
        if votes:
            self.mirror["vote"] = {"vote": votes[-1]["vote"], "voters": list(votes[-1]["voters"])}
        return welcome

    def follow(self, message, record):
        if message["type"] == "error" and message.get("id") in self.pending:
            record.refused[self.pending.pop(message["id"])[0]] = message["message"]
        if message["type"] == "ack" and message["id"] in self.pending:
            record.acked[message["id"]] = (message["seq"], self.pending.pop(message["id"]))
        if message["type"] != "event":
            return
        event = message["event"]
        kind = event["kind"]
        if kind == "rollcall.started":
            self.mirror["rollcall"] = {"rollcall": event["rollcall"], "answered": []}
        elif kind == "rollcall.closed":
            self.mirror["rollcall"] = None
        elif kind == "vote.opened":
            self.mirror["vote"] = {"vote": event["vote"], "voters": []}
        elif kind in ("vote.closed", "vote.voided"):
            self.mirror["vote"] = None

    async def listen(self, record):
        try:
            while True:
                self.follow(await self.recv(timeout=30), record)
        except CLOSED:
            return


async def host_load(host, session, record, rng, stop):
    """The secretary: roll calls, and votes open and secret, opened and closed."""
    n = 0
    while not stop.is_set():
        n += 1
        try:
            id = await host.cmd("rollcall.start", session=session, seconds=10)
            host.pending[id] = ("rollcall.started", None)
            await asyncio.sleep(rng.uniform(0.1, 0.4))
            id = await host.cmd("rollcall.close", session=session)
            host.pending[id] = ("rollcall.closed", None)
            id = await host.cmd("vote.open", session=session, question=f"议题{n}", secret=rng.random() < 0.6)
            host.pending[id] = ("vote.opened", None)
            await asyncio.sleep(rng.uniform(0.2, 0.6))
            vote = host.mirror.get("vote")
            if vote:
                id = await host.cmd("vote.close", session=session, vote=vote["vote"])
                host.pending[id] = ("vote.closed", vote["vote"])
            await asyncio.sleep(0.05)
        except CLOSED:
            return


def check_log(log, records, tally_casts):
    seqs = [entry["seq"] for entry in log]
    assert seqs == list(range(1, len(log) + 1)), "the log has a gap or a duplicate"
    for record in records:
        for id, (seq, (kind, detail)) in record.acked.items():
            event = log[seq - 1]["event"]
            assert event["kind"] == kind, (id, seq, event, kind)
            if kind == "post.added":
                assert event["body"] == detail
    bodies = [e["event"]["body"] for e in log if e["event"]["kind"] == "post.added"]
    assert len(bodies) == len(set(bodies)), "a post was applied twice"
    # Secret votes: each closed one counts exactly the choices of those who voted;
    # each one left open by a kill is void once the server is back.
    opened = {e["event"]["vote"]: e["event"] for e in log if e["event"]["kind"] == "vote.opened"}
    voters = {}
    for entry in log:
        if entry["event"]["kind"] == "vote.cast":
            voters.setdefault(entry["event"]["vote"], []).append(entry["event"]["member"])
    ended = {e["event"]["vote"]: e["event"] for e in log if e["event"]["kind"] in ("vote.closed", "vote.voided")}
    for vote, opening in opened.items():
        if not opening["secret"]:
            continue
        outcome = ended.get(vote)
        cast = voters.get(vote, [])
        if outcome is None:
            assert not cast, f"secret vote {vote} with ballots survived a restart without being voided"
            continue
        if outcome["kind"] == "vote.voided":
            assert outcome["reason"] == "server_restarted"
            continue
        tally = {row["choice"]: row["count"] for row in outcome["tally"]}
        expected = {choice: 0 for choice in CHOICES}
        for member in cast:
            expected[tally_casts[(vote, member)]] += 1
        assert tally == expected, (vote, tally, expected)
        assert outcome["cast"] == len(cast)
    kinds = [e["event"]["kind"] for e in log]
    return {
        "events": len(log), "secret votes closed": sum(1 for v, o in ended.items() if o["kind"] == "vote.closed" and opened[v]["secret"]),
        "votes void": kinds.count("vote.voided"), "roll calls": kinds.count("rollcall.closed"),
        "answers": kinds.count("rollcall.answered"), "posts": kinds.count("post.added"),
    }


def test_crash_rounds_under_load(tmp_path):
    db, session, host_member, members = big_branch(tmp_path)
    rng = random.Random(int(os.environ.get("MUSTER_CRASH_SEED", "20261126")))
    serve = ("--commands-per-second", "1000", "--max-connections-per-address", "4096",
             "--hellos-per-address", "100000", "--hello-timeout", "60")
    acked_in_all = 0
    summaries = []

    def begin(session):
        # A meeting: opened and started once, with a thread for the posts.
        server = Server(db, *serve).start()

        async def prepare():
            host = Client(server.ws_url)
            await host.connect(host_member["token"], session=session)
            await host.ok("session.open")
            await host.ok("session.start")
            await host.ok("thread.open", title="讨论")
            await host.close()

        run(prepare())
        server.stop()

    begin(session)
    records = []
    casts = {}
    last_seen = None  # the seq the previous round's device saw, to resume from

    for round in range(ROUNDS):
        if round and round % SESSION_ROUNDS == 0:
            # A new meeting every few rounds, as a branch has: logs stay the size of a meeting.
            acked_in_all += sum(len(r.acked) for r in records)
            session = muster("session", "add", "--branch", "大村党支部", "--title", f"压力测试{round}",
                             "--starts", "2026-11-26T19:30", "--oath", db=db)["id"]
            begin(session)
            records, casts, last_seen = [], {}, None
        server = Server(db, *serve).start()
        record = Round()
        records.append(record)
        kill_after = rng.uniform(0.5, 3.0)

        async def scenario():
            nonlocal last_seen
            # The previous round's device resumes from the seq it saw: no gap, no duplicate.
            if last_seen is not None:
                resumed = Client(server.ws_url)
                welcome = await resumed.connect(members[0]["token"], since=last_seen, session=session)
                assert welcome["session"] == session
                if welcome["resumed"]:
                    assert welcome["seq"] == last_seen
                    await resumed.until(lambda m: m["type"] == "event", timeout=5)  # at least the recovery leave
                await resumed.close()
            host = Phone(server.ws_url)
            await host.connect(host_member["token"], session=session)
            phones = [Phone(server.ws_url) for _ in members]
            await asyncio.gather(*(phone.connect(member["token"], session=session)
                                   for phone, member in zip(phones, members)))
            stop = asyncio.Event()
            tasks = [asyncio.create_task(phone.listen(record)) for phone in phones + [host]]
            tasks += [asyncio.create_task(member_load(phone, member, session, record, random.Random(rng.random()), stop))
                      for phone, member in zip(phones, members)]
            tasks.append(asyncio.create_task(host_load(host, session, record, random.Random(rng.random()), stop)))
            await asyncio.sleep(kill_after)
            server.process.send_signal(signal.SIGKILL)
            stop.set()
            await asyncio.wait(tasks, timeout=15)
            for task in tasks:
                task.cancel()
            return phones[0].seq

        last_seen = run(scenario())
        server.process.wait(timeout=10)
        casts.update(record.cast)

        # Back up: the log holds every ack once, and the secret votes add up or are void.
        checker = Server(db, *serve).start()
        try:
            summaries.append(check_log(checker.log(session, host_member["token"]), records, casts))
        finally:
            checker.stop()

    acked_in_all += sum(len(r.acked) for r in records)
    print("\nrefusals seen (the load's own races):", {k: v for r in records for k, v in r.refused.items()})
    print(f"{ROUNDS} crash rounds, {MEMBERS} members, a new meeting every {SESSION_ROUNDS} rounds: "
          f"{acked_in_all} acks checked; the last meeting's log: {summaries[-1]}")
    assert acked_in_all > ROUNDS * 10, "the load should have produced many acks"
