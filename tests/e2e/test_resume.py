"""Resume after a drop, resent commands, restarts."""

import asyncio

from conftest import Client, Server, run, started_session


def test_resume_with_since_gets_exactly_the_missed_events(demo, server):
    data, _ = demo

    async def scenario():
        host = await started_session(server, data)
        phone = Client(server.ws_url)
        await phone.connect(data.members[0]["token"])
        await host.ok("text.advance", line=1)
        await phone.event("text.advanced")
        seen = phone.seq
        await phone.close()  # the network drops

        for line in (2, 3, 4):
            await host.ok("text.advance", line=line)
        await host.ok("thread.open", title="讨论")

        again = Client(server.ws_url)
        welcome = await again.connect(data.members[0]["token"], since=seen, session=data.session)
        assert welcome["resumed"] is True
        assert welcome["seq"] == seen
        assert "state" not in welcome or welcome["state"] is None
        again.seq = seen
        # Exactly the events after `seen`: Client.recv asserts each seq is the next one.
        await again.until(lambda m: m["type"] == "event" and m["event"]["kind"] == "thread.opened")
        kinds = [e["event"]["kind"] for e in again.events]
        assert kinds[:1] == ["member.left"]
        assert [e["event"].get("line") for e in again.events if e["event"]["kind"] == "text.advanced"] == [2, 3, 4]
        # Its own arrival follows, and nothing else.
        joined = await again.event("member.joined")
        assert joined["event"]["member"] == data.members[0]["id"]
        assert joined["seq"] == again.events[-1]["seq"]
        try:
            extra = await again.recv(timeout=0.5)
            assert extra["type"] != "event", f"nothing else follows, got {extra}"
        except (asyncio.TimeoutError, TimeoutError):
            pass
        await again.close()
        await host.close()

    run(scenario())


def test_an_unknown_since_gets_a_fresh_welcome(demo, server):
    data, _ = demo

    async def scenario():
        client = Client(server.ws_url)
        welcome = await client.connect(data.host["token"], since=10_000, session=data.session)
        assert welcome["resumed"] is False
        assert welcome["state"]["session"]["id"] == data.session
        await client.close()

    run(scenario())


def test_a_resent_command_id_gets_the_original_ack_and_no_new_event(demo, server):
    data, _ = demo

    async def scenario():
        host = await started_session(server, data)
        phone = Client(server.ws_url)
        await phone.connect(data.members[0]["token"])
        await host.ok("rollcall.start", seconds=60)
        first = await phone.reply(await phone.cmd("rollcall.answer", id="tap-1"))
        assert first["type"] == "ack"
        # The page resends its outbox after a drop, on a new socket.
        await phone.close()
        again = Client(server.ws_url)
        await again.connect(data.members[0]["token"])
        second = await again.reply(await again.cmd("rollcall.answer", id="tap-1"))
        assert second == first
        before = len(server.log(data.session, data.host["token"]))
        third = await again.reply(await again.cmd("rollcall.answer", id="tap-1"))
        assert third == first
        assert len(server.log(data.session, data.host["token"])) == before
        answers = [e for e in server.log(data.session, data.host["token"]) if e["event"]["kind"] == "rollcall.answered"]
        assert len(answers) == 1
        await again.close()
        await host.close()

    run(scenario())


def test_a_restarted_server_rebuilds_sessions_and_serves_resumes(demo):
    data, db = demo

    async def before_restart(server):
        host = await started_session(server, data)
        phone = Client(server.ws_url)
        await phone.connect(data.members[0]["token"])
        await host.ok("text.advance", line=6)
        await phone.event("text.advanced")
        await host.ok("rollcall.start", seconds=60)
        ack = await phone.reply(await phone.cmd("rollcall.answer", id="tap-before"))
        return phone.seq, ack

    first = Server(db).start()
    seen, ack = run(before_restart(first))
    assert first.stop() == 0

    second = Server(db).start()
    try:
        async def after_restart():
            phone = Client(second.ws_url)
            welcome = await phone.connect(data.members[0]["token"], since=seen, session=data.session)
            assert welcome["resumed"] is True
            # The devices left when the server stopped; the phone rejoins.
            left = await phone.event("member.left")
            assert left["seq"] > seen
            await phone.event("member.joined")
            # The resent tap is recognised across the restart.
            assert await phone.reply(await phone.cmd("rollcall.answer", id="tap-before")) == ack
            fresh = Client(second.ws_url)
            state = (await fresh.connect(data.members[1]["token"]))["state"]
            assert state["text"]["current"] == 6
            assert state["session"]["phase"] == "started"
            assert state["rollcall"]["answeredCount"] == 1 and state["rollcall"]["answered"] == []  # a member sees counts
            await phone.close()
            await fresh.close()

        run(after_restart())
    finally:
        second.stop()
