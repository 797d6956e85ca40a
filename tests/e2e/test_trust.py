"""A record people can trust: what an outside reviewer tried against the real
server, each finding kept fixed (docs/protocol.md; the README's "How Muster decides")."""

import asyncio
import os
import stat
import time

from conftest import Client, Server, muster, run, started_session

CHOICES = ["甲案zq1", "乙案zq2"]


def raw_bytes(db):
    """Everything on disk for the data file: the main file, its WAL and journal."""
    data = b""
    for suffix in ("", "-wal", "-journal", "-shm"):
        path = f"{db}{suffix}"
        if os.path.exists(path):
            with open(path, "rb") as f:
                data += f.read()
    return data


def choices_outside_json(data):
    """Occurrences of a choice that are not a JSON string (the vote's own option list).

    A count or a ballot kept in a table column is stored as bare text; the
    options of `vote.opened` are inside the event's JSON, quoted.
    """
    found = []
    for choice in CHOICES:
        needle = choice.encode()
        start = 0
        while (index := data.find(needle, start)) >= 0:
            if data[index - 1:index] != b'"' or data[index + len(needle):index + len(needle) + 1] != b'"':
                found.append((choice, index))
            start = index + 1
    return found


def test_a_secret_ballot_leaves_nothing_on_disk_that_links_a_choice(demo, server):
    data, db = demo

    async def scenario():
        host = await started_session(server, data)
        voters = []
        for member in data.members[:7]:
            client = Client(server.ws_url)
            await client.connect(member["token"])
            voters.append(client)
        await host.ok("vote.open", question="选举", options=CHOICES, secret=True)
        vote = (await host.event("vote.opened"))["event"]["vote"]
        for index, client in enumerate(voters):
            await client.ok("vote.cast", vote=vote, choice=CHOICES[index % 2])
        assert choices_outside_json(raw_bytes(db)) == [], "a ballot's choice is on disk while the vote is open"
        await host.ok("vote.close", vote=vote)
        closed = await host.event("vote.closed")
        assert {t["choice"]: t["count"] for t in closed["event"]["tally"]} == {CHOICES[0]: 4, CHOICES[1]: 3}
        assert choices_outside_json(raw_bytes(db)) == [], "a ballot's choice is on disk after the vote"

    run(scenario())
    mode = stat.S_IMODE(os.stat(db).st_mode)
    assert mode == 0o600, f"the data file is readable by others: {oct(mode)}"
    if os.path.exists(f"{db}-wal"):
        assert stat.S_IMODE(os.stat(f"{db}-wal").st_mode) == 0o600


def test_a_crash_during_a_secret_vote_voids_it_with_its_reason(demo):
    data, db = demo
    server = Server(db).start()

    async def before():
        host = await started_session(server, data)
        voter = Client(server.ws_url)
        await voter.connect(data.members[0]["token"])
        for member in data.members[1:7]:
            await Client(server.ws_url).connect(member["token"])
        await host.ok("vote.open", question="选举", options=CHOICES, secret=True)
        vote = (await host.event("vote.opened"))["event"]["vote"]
        await voter.ok("vote.cast", vote=vote, choice=CHOICES[0])
        return vote, host.seq

    vote, seen = run(before())
    server.kill()
    server = Server(db).start()
    try:
        async def after():
            host = Client(server.ws_url)
            welcome = await host.connect(data.host["token"])
            opened = [v for v in welcome["state"]["votes"] if v["vote"] == vote][0]
            assert opened["void"], "the vote is reported void"
            assert opened.get("result") is None
            # It can be opened again.
            for member in data.members[:7]:
                await Client(server.ws_url).connect(member["token"])
            await host.ok("vote.open", question="选举（重新投票）", options=CHOICES, secret=True)
            return welcome

        run(after())
        events = [e["event"] for e in server.log(data.session, data.host["token"])]
        voided = [e for e in events if e["kind"] == "vote.voided"]
        assert voided and voided[0]["vote"] == vote and voided[0]["reason"]
    finally:
        server.stop()


def test_a_tap_made_for_another_session_is_refused(demo, server):
    data, db = demo

    async def scenario():
        host = await started_session(server, data)
        member = Client(server.ws_url)
        welcome = await member.connect(data.members[0]["token"])
        assert welcome["session"] == data.session
        await host.ok("rollcall.start", seconds=60)
        await host.ok("rollcall.close")
        await host.ok("rollcall.start", seconds=60)
        await member.until(lambda m: m["type"] == "event" and m["event"]["kind"] == "rollcall.started"
                           and m["event"]["rollcall"] == "R2")
        await member.refused("rollcall.answer", "conflict", session="S-another-meeting")
        await member.refused("rollcall.answer", "conflict", session=data.session, rollcall="R1")
        await member.ok("rollcall.answer", session=data.session, rollcall="R2")

    run(scenario())


def test_resuming_needs_the_session_it_counts_in(demo, server):
    data, _ = demo

    async def scenario():
        client = Client(server.ws_url)
        client.ws = await __import__("websockets").connect(server.ws_url)
        await client.send({"type": "hello", "token": data.members[0]["token"], "since": 3})
        answer = await client.recv()
        assert answer["type"] == "error" and answer["code"] == "bad_request", answer

    run(scenario())


def test_a_relinked_token_is_closed_on_open_sockets(demo, server):
    data, db = demo
    member = data.members[0]

    async def scenario():
        await started_session(server, data)
        phone = Client(server.ws_url)
        await phone.connect(member["token"])
        other = Client(server.ws_url)
        await other.connect(data.members[1]["token"])
        started = time.monotonic()
        muster("member", "relink", member["id"], db=db)
        refused = await phone.until(lambda m: m["type"] == "error" and m["code"] == "unauthorized", timeout=3)
        assert "id" not in refused
        try:
            await asyncio.wait_for(phone.ws.wait_closed(), 3)
        finally:
            elapsed = time.monotonic() - started
        assert phone.ws.close_code == 1008, phone.ws.close_code
        assert elapsed < 2.0, f"closed after {elapsed:.1f} s"
        # The other member's device is untouched, and the old link cannot come back.
        await other.ok("me.city", city="广州")
        again = Client(server.ws_url)
        again.ws = await __import__("websockets").connect(server.ws_url)
        await again.send({"type": "hello", "token": member["token"]})
        answer = await again.recv()
        assert answer["type"] == "error" and answer["code"] == "unauthorized"

    run(scenario())


def test_no_path_shows_a_member_a_hidden_body_or_anothers_excuse(demo, server):
    data, _ = demo

    async def scenario():
        host = await started_session(server, data)
        author = Client(server.ws_url)
        await author.connect(data.members[0]["token"])
        reader = Client(server.ws_url)
        await reader.connect(data.members[1]["token"])
        seen = reader.seq
        await reader.close()
        await host.ok("thread.open", title="议题")
        await author.ok("post.add", thread="T1", body="不当言论xq")
        await host.ok("post.hide", post="P1")
        await host.ok("member.excuse", member=data.members[2]["id"], reason="住院治疗xq")
        excused = Client(server.ws_url)
        await excused.connect(data.members[2]["token"])
        mine = [line for line in excused.welcome["state"]["roster"] if line["member"] == data.members[2]["id"]][0]
        assert mine["excuse"] == "住院治疗xq", "the member concerned sees their own reason"
        # Resuming, and a fresh welcome: neither carries the hidden body nor the reason.
        resumed = Client(server.ws_url)
        await resumed.connect(data.members[1]["token"], since=seen, session=data.session)
        fresh = Client(server.ws_url)
        await fresh.connect(data.members[3]["token"])
        # A last event from the host: once the resumed device has it, it has everything before it.
        marker = await host.ok("text.advance", line=2)
        await resumed.until(lambda m: m["type"] == "event" and m["seq"] == marker["seq"])
        import json
        frames = json.dumps([resumed.welcome, *resumed.events, fresh.welcome], ensure_ascii=False)
        assert "不当言论xq" not in frames
        assert "住院治疗xq" not in frames

    run(scenario())
