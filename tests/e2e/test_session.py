"""A whole session, as a secretary and members run it, through the real server."""

import asyncio
import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

import openpyxl

from conftest import Client, eventually, run, started_session


def test_a_whole_session(demo, server):
    data, _ = demo

    async def scenario():
        host = Client(server.ws_url)
        welcome = await host.connect(data.host["token"])
        assert welcome["you"]["role"] == "host"
        assert welcome["resumed"] is False
        assert welcome["state"]["session"]["phase"] == "scheduled"
        assert welcome["state"]["text"]["title"] == "入党誓词"

        await host.ok("session.open")
        opened = await host.event("session.opened")
        assert len(opened["event"]["roster"]) == 13

        members = [Client(server.ws_url) for _ in range(8)]
        for client, member in zip(members, data.members):
            welcome = await client.connect(member["token"])
            assert welcome["you"]["role"] == "member"
            assert welcome["state"]["session"]["phase"] == "open"
        # Nine voters present (host + 8): a quorum of 13 needs 7.
        # The secretary gets arrivals as counts with the changed roster lines.
        joined = await host.until(lambda m: m["type"] == "counts" and m["quorum"]["present"] == 9)
        assert joined["quorum"] == {"expected": 13, "present": 9, "required": 7, "met": True}
        assert all(line["presentNow"] for line in joined["attendance"])

        await host.ok("session.start")
        await host.ok("member.onsite", member=data.members[9]["id"], present=True)
        await host.ok("member.excuse", member=data.members[10]["id"], reason="在外地务工，夜班")

        # Roll call: five answer from their phones.
        await host.ok("rollcall.start", seconds=60)
        started = await members[0].event("rollcall.started")
        for client in members[:5]:
            await client.ok("rollcall.answer")
        await host.ok("rollcall.close")
        closed = await host.event("rollcall.closed")
        assert len(closed["event"]["answered"]) == 5
        assert data.members[10]["id"] not in closed["event"]["missing"]
        assert started["event"]["rollcall"] == closed["event"]["rollcall"]
        # A member is told the counts and their own part, not everyone's names.
        theirs = await members[7].event("rollcall.closed")
        assert theirs["event"]["answeredCount"] == 5 and theirs["event"]["answered"] == []
        assert theirs["event"]["missing"] == [data.members[7]["id"]]
        assert [line["member"] for line in theirs["attendance"]] == [data.members[7]["id"]]

        # The oath, line by line: every phone on the same line.
        await host.ok("text.set", title="入党誓词", lines=["我志愿加入中国共产党，", "拥护党的纲领，", "遵守党的章程，"])
        for line in (1, 2):
            await host.ok("text.advance", line=line)
        for client in members:
            advanced = await client.until(
                lambda m: m["type"] == "event" and m["event"] == {"kind": "text.advanced", "line": 2})
            assert advanced["seq"] == host.seq

        # A thread, a post, a reply, a hidden post.
        await host.ok("thread.open", title="村集体经济怎么发展？")
        await members[0].ok("post.add", thread="T1", body="建议成立茶叶合作社")
        await members[1].ok("post.add", thread="T1", body="同意", replyTo="P1")
        await members[2].ok("post.add", thread="T1", body="广告")
        await host.ok("post.hide", post="P3")

        # An open vote: seven "for" of thirteen expected passes.
        await host.ok("vote.open", question="通过年度计划？", secret=False)
        opened = await members[0].event("vote.opened")
        assert opened["event"]["threshold"] == 7 and opened["event"]["present"] == 10
        await host.ok("vote.cast", vote="V1", choice="赞成")
        for client in members[:6]:
            await client.ok("vote.cast", vote="V1", choice="赞成")
        await members[6].ok("vote.cast", vote="V1", choice="反对")
        await host.ok("vote.close", vote="V1")
        result = await members[7].event("vote.closed")
        assert result["event"]["passed"] is True
        assert result["event"]["tally"][0] == {"choice": "赞成", "count": 7}
        assert result["event"]["cast"] == 8

        # A secret vote: the wire never says who chose what.
        await host.ok("vote.open", question="推选优秀党员：李秀英？", secret=True)
        for client in members[:4]:
            await client.ok("vote.cast", vote="V2", choice="赞成")
        cast = await host.until(
            lambda m: m["type"] == "event" and m["event"]["kind"] == "vote.cast" and m["event"]["vote"] == "V2")
        assert "choice" not in cast["event"]
        # Members see the ballots as a count.
        await members[7].until(lambda m: m["type"] == "counts" and (m.get("vote") or {}).get("cast") == 4)
        await host.ok("vote.close", vote="V2")
        secret = await members[7].until(
            lambda m: m["type"] == "event" and m["event"]["kind"] == "vote.closed" and m["event"]["vote"] == "V2")
        assert secret["event"]["tally"][0]["count"] == 4
        assert secret["event"]["passed"] is False

        await members[7].close()
        await host.ok("session.end")
        await members[0].event("session.ended")
        await members[0].refused("rollcall.answer", "session_ended")
        for client in [host] + members[:7]:
            await client.close()

    run(scenario())

    status, headers, body = server.get(f"/sessions/{data.session}/attendance.csv", data.host["token"])
    assert status == 200
    assert headers["Content-Type"].startswith("text/csv")
    assert body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert len(rows) == 14
    assert rows[0] == ["姓名", "身份", "出席情况", "参会方式", "首次进入", "最后离开", "在场分钟", "点名应答", "请假事由", "所在城市"]
    by_name = {row[0]: row for row in rows[1:]}
    first = by_name[data.members[0]["name"]]
    assert first[1:4] == ["正式党员", "出席", "远程"]
    assert first[7] == "1/1"
    assert by_name[data.members[7]["name"]][2] == "早退"
    assert by_name[data.members[9]["name"]][3] == "现场"
    assert by_name[data.members[10]["name"]][2] == "请假"
    assert by_name[data.members[10]["name"]][8] == "在外地务工，夜班"
    assert by_name[data.members[11]["name"]][2] == "缺席"
    # The server runs in UTC; the sheet is in the branch's zone, Asia/Shanghai.
    joined = next(e for e in server.log(data.session, data.host["token"])
                  if e["event"]["kind"] == "member.joined" and e["event"]["member"] == data.members[0]["id"])
    at = datetime.fromisoformat(joined["at"].replace("Z", "+00:00"))
    assert first[4] == at.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H:%M:%S")

    status, _, body = server.get(f"/sessions/{data.session}/attendance.csv?lang=en", data.host["token"])
    english = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert status == 200 and english[0][:3] == ["Name", "Member status", "Attendance"]
    assert {row[0]: row for row in english[1:]}[data.members[7]["name"]][2] == "Left early"

    # The same sheet as an Excel workbook: the CSV's cells, minutes as numbers.
    status, headers, body = server.get(f"/sessions/{data.session}/attendance.xlsx", data.host["token"])
    assert status == 200
    assert headers["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert f'{data.session}-attendance.xlsx' in headers["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(body)).active
    assert sheet.title == "考勤"
    cells = [["" if value is None else value for value in row] for row in sheet.iter_rows(values_only=True)]
    assert cells[0] == rows[0]
    assert [[str(value) for value in row] for row in cells[1:]] == rows[1:]
    assert isinstance(cells[1][6], (int, float))

    log = server.log(data.session, data.host["token"])
    assert [entry["seq"] for entry in log] == list(range(1, len(log) + 1))
    secret_casts = [e for e in log if e["event"]["kind"] == "vote.cast" and e["event"]["vote"] == "V2"]
    assert len(secret_casts) == 4 and all("choice" not in e["event"] for e in secret_casts)


def test_a_late_member_lands_on_the_current_line(demo, server):
    data, _ = demo

    async def scenario():
        host = await started_session(server, data)
        for line in (1, 2, 3, 4):
            await host.ok("text.advance", line=line)
        late = Client(server.ws_url)
        welcome = await late.connect(data.members[0]["token"])
        assert welcome["state"]["text"]["current"] == 4
        assert welcome["state"]["text"]["lines"][4] == "执行党的决定，"
        assert welcome["seq"] == host.seq
        await host.ok("text.advance", line=5)
        moved = await late.event("text.advanced")
        assert moved["event"]["line"] == 5
        await late.close()
        await host.close()

    run(scenario())


def test_exports_need_the_hosts_token(demo, server):
    data, _ = demo
    path = f"/sessions/{data.session}/attendance.json"
    assert server.get(path)[0] == 401
    assert server.get(path, "not-a-token")[0] == 401
    assert server.get(path, data.members[0]["token"])[0] == 403
    status, _, body = server.get(path, data.host["token"])
    assert status == 200
    assert b'"attendance"' in body and b'"log"' in body
    assert server.get("/sessions/SNOPE/attendance.json", data.host["token"])[0] == 404
    status, headers, body = server.get(f"/sessions/{data.session}/minutes.html", data.host["token"])
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert "会议纪要" in body.decode() and "出席情况" in body.decode()
    assert server.get(f"/sessions/{data.session}/minutes.html", data.members[0]["token"])[0] == 403
    assert server.get("/healthz")[0] == 200


def test_a_roll_call_closes_by_itself_when_its_window_ends(demo, server):
    data, _ = demo

    async def scenario():
        host = await started_session(server, data)
        phone = Client(server.ws_url)
        await phone.connect(data.members[0]["token"])
        await host.ok("rollcall.start", seconds=10)
        await phone.ok("rollcall.answer")
        # Nobody sends anything: the server's clock closes the window.
        closed = await host.event("rollcall.closed", timeout=15)
        started = next(e for e in host.events + host.inbox if e.get("event", {}).get("kind") == "rollcall.started")
        assert closed["at"] == started["event"]["closesAt"]
        assert closed["event"]["answered"] == [data.members[0]["id"]]
        mine = await phone.event("rollcall.closed")
        assert mine["attendance"][0]["rollCallsAnswered"] == 1 and len(mine["attendance"]) == 1
        lines = {line["member"]: line for line in closed["attendance"]}
        assert lines[data.members[0]["id"]]["rollCallsAnswered"] == 1
        assert lines[data.members[1]["id"]]["rollCallsAnswered"] == 0
        await phone.refused("rollcall.answer", "conflict")
        await phone.close()
        await host.close()

    run(scenario())


def test_the_big_screen_watches_without_being_counted(demo, server):
    data, _ = demo

    async def scenario():
        host = await started_session(server, data)
        credential = host.welcome["screen"]
        assert credential.startswith("w.") and data.host["token"] not in credential
        await host.close()
        # The host's leave is recorded: wait for it rather than sleep.
        await eventually(lambda: server.log(data.session, data.host["token"])[-1]["event"]["kind"] == "member.left")
        before = len(server.log(data.session, data.host["token"]))
        screen = Client(server.ws_url)
        welcome = await screen.connect(credential)
        assert welcome["you"]["role"] == "screen"
        assert welcome["state"]["quorum"]["present"] == 0
        assert "screen" not in welcome, "a screen is not handed credentials"
        await screen.refused("text.advance", "forbidden", line=1)
        phone = Client(server.ws_url)
        await phone.connect(data.members[0]["token"])
        # A screen shows counts: arrivals reach it as a count, not one by one.
        counts = await screen.until(lambda m: m["type"] == "counts")
        assert counts["quorum"]["present"] == 1
        await screen.close()
        await phone.close()
        await eventually(lambda: len(server.log(data.session, data.host["token"])) == before + 2)
        kinds = [e["event"]["kind"] for e in server.log(data.session, data.host["token"])[before:]]
        assert kinds == ["member.joined", "member.left"], "only the phone came and went"
        # A forged credential, or one for another session, follows nothing.
        for forged in (credential[:-4] + "AAAA", "w." + "S0000000000" + credential[credential.rindex("."):]):
            stranger = Client(server.ws_url)
            stranger.ws = await __import__("websockets").connect(server.ws_url)
            await stranger.send({"type": "hello", "token": forged})
            answer = await stranger.recv()
            assert answer["type"] == "error" and answer["code"] == "unauthorized", answer

    run(scenario())
