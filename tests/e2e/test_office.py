"""The branch's office over HTTP (docs/http-api.md): a secretary's roster,
links, plans and the record of changes, through the real server."""

import http.client
import json
import socket

from conftest import Client, eventually, muster, run, started_session


def call(server, method, path, token=None, body=None, raw=None, headers=None):
    """One request; returns (status, parsed JSON or None)."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    sent = {} if headers is None else dict(headers)
    if token:
        sent["Authorization"] = f"Bearer {token}"
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    connection.request(method, path, body=data, headers=sent)
    response = connection.getresponse()
    payload = response.read()
    connection.close()
    kind = response.getheader("Content-Type") or ""
    return response.status, json.loads(payload) if kind.startswith("application/json") else payload


def test_a_secretary_keeps_the_roster_from_the_browser(demo, server):
    data, db = demo
    secretary = data.host["token"]

    status, home = call(server, "GET", "/api/branch", secretary)
    assert status == 200
    assert home["branch"]["timeZone"] == "Asia/Shanghai"
    assert home["you"]["id"] == data.host["id"]
    assert len(home["members"]) == 13
    assert [s["phase"] for s in home["sessions"]] == ["planned"]
    assert all("token" not in m and "tokenHash" not in m for m in home["members"])

    # Only a secretary, and only with a token.
    assert call(server, "GET", "/api/branch")[0] == 401
    assert call(server, "GET", "/api/branch", data.members[0]["token"])[0] == 403
    assert call(server, "GET", "/api/nothing", secretary)[0] == 404
    assert call(server, "POST", "/api/branch", secretary, {})[0] == 405
    assert call(server, "GET", "/api/members", secretary)[0] == 405

    # A member added: their link's token is shown this once.
    status, added = call(server, "POST", "/api/members", secretary,
                         {"name": "赵新", "status": "预备", "city": "鹤岗", "phone": "139 0000 1111"})
    assert status == 201, added
    assert added["member"]["status"] == "probationary" and added["member"]["city"] == "鹤岗"
    assert added["member"]["phone"] == "139 0000 1111"
    assert len(added["token"]) > 20

    # Bad input: a clear message, and nothing changes.
    for body, code, words in [
        ({"name": "赵新"}, 409, "already"),
        ({"name": "  "}, 400, "needs a name"),
        ({"name": "钱", "status": "boss"}, 400, "is not a status"),
        ({"name": "钱", "city": "长" * 101}, 400, "longer than 100"),
        ({"name": "钱", "phone": "call me"}, 400, "not a phone number"),
    ]:
        status, problem = call(server, "POST", "/api/members", secretary, body)
        assert status == code and words in problem["error"], (body, status, problem)
    status, problem = call(server, "POST", "/api/members", secretary, raw=b"{not json")
    assert status == 400 and "JSON" in problem["error"]
    assert len(call(server, "GET", "/api/branch", secretary)[1]["members"]) == 14

    # Edited; another branch's member (or a made-up id) is not found.
    status, edited = call(server, "POST", f"/api/members/{added['member']['id']}", secretary, {"city": "哈尔滨"})
    assert status == 200 and edited["city"] == "哈尔滨" and edited["name"] == "赵新"
    muster("branch", "add", "西村党支部", db=db)
    stranger = muster("member", "add", "--branch", "西村党支部", "--name", "外人", db=db)
    assert call(server, "POST", f"/api/members/{stranger['id']}", secretary, {"city": "x"})[0] == 404
    assert call(server, "POST", f"/api/members/{stranger['id']}/relink", secretary)[0] == 404

    # The log says who did what, and never holds a token.
    status, log = call(server, "GET", "/api/audit", secretary)
    assert status == 200
    assert [entry["action"] for entry in log[:2]] == ["member.edit", "member.add"]
    assert log[0]["actor"] == data.host["id"] and "哈尔滨" in log[0]["detail"]
    assert added["token"] not in json.dumps(log)


def test_a_new_link_ends_the_old_one_on_the_open_page(demo, server):
    data, _ = demo
    member = data.members[0]

    async def scenario():
        await started_session(server, data)
        phone = Client(server.ws_url)
        await phone.connect(member["token"])
        status, issued = call(server, "POST", f"/api/members/{member['id']}/relink", data.host["token"])
        assert status == 200 and issued["token"] != member["token"]
        refused = await phone.until(lambda m: m["type"] == "error" and m["code"] == "unauthorized", timeout=3)
        assert refused["code"] == "unauthorized"
        again = Client(server.ws_url)
        welcome = await again.connect(issued["token"])
        assert welcome["you"]["member"] == member["id"]

    run(scenario())


def test_a_roster_file_from_excel_is_previewed_then_imported_whole_or_not_at_all(demo, server):
    data, _ = demo
    secretary = data.host["token"]
    # "CSV (逗号分隔)" from Excel on a Chinese Windows: GBK, with a wrong status on line 3.
    bad = "姓名,身份,城市\r\n孙一,正式党员,大连\r\n孙二,党委,沈阳\r\n".encode("gb18030")
    status, problem = call(server, "POST", "/api/roster?preview=1", secretary, raw=bad,
                           headers={"Content-Type": "text/csv"})
    assert status == 400 and problem["error"].startswith("Line 3:"), problem
    assert call(server, "POST", "/api/roster", secretary, raw=bad)[0] == 400
    assert len(call(server, "GET", "/api/branch", secretary)[1]["members"]) == 13

    good = "姓名,身份,城市\r\n孙一,正式党员,大连\r\n孙二,预备党员,沈阳\r\n".encode("gb18030")
    status, preview = call(server, "POST", "/api/roster?preview=1", secretary, raw=good)
    assert status == 200 and preview["encoding"] == "GB18030"
    assert [(r["line"], r["name"], r["status"]) for r in preview["rows"]] == [
        (2, "孙一", "full"), (3, "孙二", "probationary")]
    assert len(call(server, "GET", "/api/branch", secretary)[1]["members"]) == 13, "a preview changes nothing"

    status, imported = call(server, "POST", "/api/roster", secretary, raw=good)
    assert status == 201 and [i["member"]["name"] for i in imported] == ["孙一", "孙二"]
    assert len(call(server, "GET", "/api/branch", secretary)[1]["members"]) == 15
    assert call(server, "GET", "/api/audit", secretary)[1][0]["action"] == "roster.import"


def test_a_session_is_planned_in_the_branchs_time(demo, server):
    data, _ = demo
    secretary = data.host["token"]
    plan = {"title": "十二月党课", "kind": "lesson", "startsAt": "2027-12-01T19:30", "oath": True}
    status, planned = call(server, "POST", "/api/sessions", secretary, plan)
    assert status == 201, planned
    assert planned["startsAt"] == "2027-12-01T11:30:00.000Z" and planned["textTitle"] == "入党誓词"
    sessions = call(server, "GET", "/api/branch", secretary)[1]["sessions"]
    assert sessions[0]["id"] == planned["id"] and sessions[0]["kind"] == "lesson"
    for body, words in [
        ({**plan, "kind": "party"}, "is not a kind"),
        ({**plan, "startsAt": "tomorrow"}, "startsAt"),
        ({**plan, "startsAt": "2020-01-01T19:30"}, "in the past"),
        ({**plan, "title": ""}, "needs a title"),
        ({**plan, "text": {"title": "材料", "body": "x" * 501}}, "text cannot be used"),
    ]:
        status, problem = call(server, "POST", "/api/sessions", secretary, body)
        assert status == 400 and words in problem["error"], (body, problem)
    assert len(call(server, "GET", "/api/branch", secretary)[1]["sessions"]) == 2


def test_bodies_are_bounded(demo, server):
    data, _ = demo
    # Too large a body is refused on its declared length, before any of it is read.
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as raw:
        raw.sendall(f"POST /api/roster HTTP/1.1\r\nHost: x\r\nContent-Length: {2 * 1024 * 1024 + 1}\r\n\r\n".encode())
        assert raw.recv(100).startswith(b"HTTP/1.1 413")
    # No length declared (chunked): refused before any of it is read.
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as raw:
        raw.sendall(b"POST /api/roster HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
        assert raw.recv(100).startswith(b"HTTP/1.1 411")
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as raw:
        raw.sendall(b"POST /api/roster HTTP/1.1\r\nHost: x\r\n\r\n")
        assert raw.recv(100).startswith(b"HTTP/1.1 411"), "a body of unsaid length"
    # Outside /api/, a POST is refused as before.
    assert call(server, "POST", "/healthz", raw=b"{}")[0] == 405


def test_a_member_reads_their_own_record_and_the_minutes_of_what_they_attended(demo, server):
    data, _ = demo
    present, absent, excused = data.members[0], data.members[1], data.members[10]

    async def meeting():
        host = await started_session(server, data)
        phone = Client(server.ws_url)
        await phone.connect(present["token"])
        await host.ok("member.excuse", member=excused["id"], reason="夜班加班")
        await host.ok("session.end")

    run(meeting())
    minutes = f"/sessions/{data.session}/minutes.html"
    status, record = call(server, "GET", "/api/me", present["token"])
    assert status == 200 and record["member"]["id"] == present["id"]
    line = record["sessions"][0]
    assert line["session"]["id"] == data.session and line["session"]["phase"] == "ended"
    assert line["attendance"]["member"] == present["id"] and line["attendance"]["status"] == "present"
    assert line["minutes"] is True
    status, page = call(server, "GET", minutes, present["token"])
    assert status == 200 and "<h1>" in page.decode() and "夜班加班" not in page.decode(), "nobody else's excuse"
    assert "夜班加班" in call(server, "GET", minutes, data.host["token"])[1].decode()

    # Their own excuse is theirs to see; a member who was not there has no minutes to read.
    assert call(server, "GET", "/api/me", excused["token"])[1]["sessions"][0]["attendance"]["excuse"] == "夜班加班"
    line = call(server, "GET", "/api/me", absent["token"])[1]["sessions"][0]
    assert line["attendance"]["status"] == "absent" and line["minutes"] is False
    assert call(server, "GET", minutes, absent["token"])[0] == 403
    # The sheet and the office stay the secretary's.
    assert call(server, "GET", f"/sessions/{data.session}/attendance.csv", present["token"])[0] == 403
    assert call(server, "GET", "/api/branch", present["token"])[0] == 403
    assert call(server, "GET", "/api/audit", present["token"])[0] == 403


def test_a_member_who_leaves_is_gone_from_new_sessions_and_kept_in_the_record(demo, server):
    data, _ = demo
    secretary = data.host["token"]
    leaving = data.members[2]

    async def scenario():
        phone = Client(server.ws_url)
        await phone.connect(leaving["token"])
        status, left = call(server, "POST", f"/api/members/{leaving['id']}/retire", secretary, {"reason": "transferred"})
        assert status == 200 and left["leftReason"] == "transferred" and left["leftAt"]
        refused = await phone.until(lambda m: m["type"] == "error" and m["code"] == "unauthorized", timeout=3)
        assert refused
        host = Client(server.ws_url)
        await host.connect(secretary)
        await host.ok("session.open")
        opened = await host.event("session.opened")
        assert leaving["id"] not in [entry["id"] for entry in opened["event"]["roster"]]
        assert len(opened["event"]["roster"]) == 12

    run(scenario())
    home = call(server, "GET", "/api/branch", secretary)[1]
    assert len(home["members"]) == 12 and [m["id"] for m in home["formerMembers"]] == [leaving["id"]]
    for body, code in [({"reason": "transferred"}, 400), ({"reason": "fired"}, 400), ({}, 400)]:
        status, problem = call(server, "POST", f"/api/members/{leaving['id']}/retire" if body.get("reason") == "transferred"
                               else f"/api/members/{data.members[3]['id']}/retire", secretary, body)
        assert status == code, (body, problem)
    assert call(server, "POST", f"/api/members/{data.host['id']}/retire", secretary, {"reason": "transferred"})[0] == 409
    assert call(server, "GET", "/api/audit", secretary)[1][0]["action"] == "member.retire"


def test_a_planned_session_is_cancelled_with_its_reason_and_links_lead_past_it(demo, server):
    data, _ = demo
    secretary = data.host["token"]

    async def scenario():
        phone = Client(server.ws_url)
        await phone.connect(data.members[0]["token"])
        host = Client(server.ws_url)
        await host.connect(secretary)
        await phone.refused("session.cancel", "forbidden", reason="改期")
        await host.refused("session.cancel", "bad_request", reason="  ")
        await host.ok("session.cancel", reason="村里停电，改期")
        cancelled = await phone.event("session.cancelled")
        assert cancelled["event"]["reason"] == "村里停电，改期"
        assert cancelled["session"]["phase"] == "cancelled" and cancelled["session"]["cancelReason"] == "村里停电，改期"
        await host.refused("session.open", "session_ended")

    run(scenario())
    home = call(server, "GET", "/api/branch", secretary)[1]
    assert home["sessions"][0]["phase"] == "cancelled" and home["sessions"][0]["cancelReason"] == "村里停电，改期"

    # A link now leads to the next planned session, not the cancelled one.
    planned = call(server, "POST", "/api/sessions", secretary,
                   {"title": "改期后的主题党日", "startsAt": "2030-01-01T19:30", "kind": "theme-day"})[1]

    async def next_one():
        host = Client(server.ws_url)
        welcome = await host.connect(secretary)
        assert welcome["state"]["session"]["id"] == planned["id"]
        # The built-in oath, as the server keeps it.
        await host.ok("session.open")
        await host.ok("text.set", oath=True)
        text = await host.event("text.set")
        assert text["event"]["title"] == "入党誓词" and len(text["event"]["lines"]) == 12

    run(next_one())


def test_the_secretary_sees_who_has_never_opened_their_link(demo, server):
    data, _ = demo
    secretary = data.host["token"]
    opened = lambda: {m["id"] for m in call(server, "GET", "/api/branch", secretary)[1]["members"] if m["linkOpened"]}

    async def scenario():
        phone = Client(server.ws_url)
        await phone.connect(data.members[0]["token"])
        await eventually(lambda: data.members[0]["id"] in opened(), message="the first use noted")
        assert data.members[1]["id"] not in opened()
        call(server, "POST", f"/api/members/{data.members[0]['id']}/relink", secretary)
        assert data.members[0]["id"] not in opened(), "a new link has not been opened yet"

    run(scenario())


def test_a_planned_session_is_changed_and_open_pages_follow(demo, server):
    data, _ = demo
    secretary = data.host["token"]

    async def scenario():
        phone = Client(server.ws_url)
        await phone.connect(data.members[0]["token"])
        office = Client(server.ws_url)
        await office.connect(secretary, session=data.session, watch=True)
        await office.refused("session.replan", "bad_request", startsAt="2030-12-01 19:30")
        await office.refused("session.replan", "bad_request", startsAt="2020-01-01T00:00:00Z")
        await office.refused("session.replan", "bad_request", sessionKind="party")
        await office.ok("session.replan", title="十一月主题党日（改）", sessionKind="lesson", startsAt="2030-12-01T11:30:00Z")
        replanned = await phone.event("session.replanned")
        assert replanned["event"] == {"kind": "session.replanned", "title": "十一月主题党日（改）", "sessionKind": "lesson",
                                      "scheduledStart": "2030-12-01T11:30:00.000Z"}
        assert replanned["session"]["title"] == "十一月主题党日（改）" and replanned["session"]["kind"] == "lesson"
        session = call(server, "GET", "/api/branch", secretary)[1]["sessions"][0]
        assert (session["title"], session["kind"], session["startsAt"]) == (
            "十一月主题党日（改）", "lesson", "2030-12-01T11:30:00.000Z")
        await office.ok("session.open")
        await office.refused("session.replan", "conflict", title="再改")

    run(scenario())
