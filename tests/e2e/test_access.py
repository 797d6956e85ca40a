"""Who may do what, and what it costs: a damaged session set aside, devices
and hellos per link, authorization before any work (the trust issue)."""

import asyncio
import time

from conftest import Client, Server, muster, run, started_session


def test_a_damaged_session_is_set_aside_and_named(demo):
    import json
    import sqlite3
    import subprocess
    from conftest import MUSTER

    data, db = demo
    server = Server(db).start()
    run(started_session(server, data))
    server.stop()
    # Another branch, healthy, with its own session.
    muster("branch", "add", "西村党支部", db=db)
    secretary = muster("member", "add", "--branch", "西村党支部", "--name", "赵书记", "--secretary", db=db)
    muster("member", "add", "--branch", "西村党支部", "--name", "钱党员", db=db)
    muster("session", "add", "--branch", "西村党支部", "--title", "十二月党日", "--starts", "2026-12-01T19:30", db=db)
    # The demo session's log: an impossible line at seq 2, as a bad disk or a hand edit leaves it.
    with sqlite3.connect(db) as connection:
        connection.execute("UPDATE event SET body = ? WHERE sessionId = ? AND seq = 2",
                           ('{"kind":"text.advanced","line":99999}', data.session))

    server = Server(db).start()
    try:
        status, _, body = server.get("/healthz")
        health = json.loads(body)
        assert status == 200 and health["status"] == "degraded", health
        assert health["damaged"][0]["session"] == data.session and "event 2" in health["damaged"][0]["problem"]

        async def scenario():
            host = Client(server.ws_url)
            await host.connect(secretary["token"])
            await host.ok("session.open")
            refused = Client(server.ws_url)
            refused.ws = await __import__("websockets").connect(server.ws_url)
            await refused.send({"type": "hello", "token": data.host["token"], "session": data.session})
            answer = await refused.recv()
            assert answer["type"] == "error" and answer["code"] == "internal" and "damaged" in answer["message"]

        run(scenario())
        status, _, body = server.get(f"/sessions/{data.session}/minutes.html", data.host["token"])
        assert status == 500 and b"damaged at event 2" in body
    finally:
        server.stop()
    cli = subprocess.run([MUSTER, "export", "minutes", data.session, "--db", str(db)], capture_output=True, text=True)
    assert cli.returncode == 1, (cli.returncode, cli.stderr)
    assert "damaged at event 2" in cli.stderr


def test_one_link_seats_at_most_three_devices_and_hellos_are_budgeted(demo, server):
    import websockets
    data, _ = demo
    member = data.members[0]

    async def hello(token):
        ws = await websockets.connect(server.ws_url)
        await ws.send(__import__("json").dumps({"type": "hello", "token": token}))
        return ws, __import__("json").loads(await asyncio.wait_for(ws.recv(), 5))

    async def scenario():
        host = await started_session(server, data)
        devices = []
        for _ in range(3):
            ws, answer = await hello(member["token"])
            assert answer["type"] == "welcome", answer
            devices.append(ws)
        ws, answer = await hello(member["token"])
        assert answer["type"] == "error" and answer["code"] == "conflict", answer
        _, line = await host.line(member["id"], lambda l: l["devices"] == 3)
        assert line["presentNow"]
        joins = [e for e in server.log(data.session, data.host["token"])
                 if e["event"]["kind"] == "member.joined" and e["event"]["member"] == member["id"]]
        assert len(joins) == 3
        for ws in devices:
            await ws.close()
        # Six hellos in a row are a phone on a bad network; more is a loop.
        answers = []
        for _ in range(4):
            ws, answer = await hello(member["token"])
            answers.append(answer["type"] if answer["type"] == "welcome" else answer["code"])
            await ws.close()
        assert answers == ["welcome", "welcome", "rate_limited", "rate_limited"], answers

    run(scenario())


def test_authorization_comes_before_any_work_and_ended_sessions_leave_memory(demo, server):
    import json
    import websockets
    data, db = demo
    muster("branch", "add", "西村党支部", db=db)
    stranger = muster("member", "add", "--branch", "西村党支部", "--name", "赵书记", "--secretary", db=db)

    def loaded():
        return json.loads(server.get("/healthz")[2])["sessions"]

    async def scenario():
        assert loaded() == 0, "a planned session is loaded when first asked for"
        status, _, _ = server.get(f"/sessions/{data.session}/minutes.html", stranger["token"])
        assert status == 403
        ws = await websockets.connect(server.ws_url)
        await ws.send(json.dumps({"type": "hello", "token": stranger["token"], "session": data.session}))
        answer = json.loads(await ws.recv())
        assert answer["code"] == "forbidden", answer
        assert loaded() == 0, "another branch's request loaded (replayed) the session"

        host = await started_session(server, data)
        assert loaded() == 1
        await host.ok("session.end")
        status, _, _ = server.get(f"/sessions/{data.session}/minutes.html", data.host["token"])
        assert status == 200
        await host.close()
        deadline = time.monotonic() + 5
        while loaded() != 0:
            assert time.monotonic() < deadline, "an ended session nobody follows stays in memory"
            await asyncio.sleep(0.2)
        # It can still be exported and looked at.
        status, _, body = server.get(f"/sessions/{data.session}/attendance.csv", data.host["token"])
        assert status == 200 and body

    run(scenario())
