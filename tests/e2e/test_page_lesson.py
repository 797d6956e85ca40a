"""One lesson for many branches (a township's 空中课堂), through the real
server and in Chromium: `muster demo --org`, a lesson the east street holds
for its three branches, hosted by the street's own branch. Members of all
three come through their usual links; it holds no vote; each branch's
secretary downloads their branch's sheet from their office, and the three
sheets add up to the lesson's roster. (After test_page.py, whose screenshot
test empties the folder first.)"""

import csv
import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from browser import by_testid, wait
from conftest import Client, Server, muster, run
from test_office import call


@pytest.fixture
def district(tmp_path):
    db = tmp_path / "muster.sqlite"
    data = muster("demo", "--org", db=db)
    server = Server(db).start()
    yield data, server, db
    server.stop()


def test_a_township_lesson_files_a_sheet_per_branch_that_add_up_to_its_roster(district, browsers, tmp_path):
    data, server, db = district
    by_name = {b["name"]: b for b in data["branches"]}
    east = [by_name[name] for name in ("东街道机关党支部", "柳村党支部", "杏村党支部")]
    secretaries = {b["name"]: next(m for m in b["members"] if m["secretary"]) for b in data["branches"]}
    starts = (datetime.now(ZoneInfo("Asia/Shanghai")) + timedelta(minutes=2)).strftime("%Y-%m-%dT%H:%M")
    lesson = muster("session", "add", "--branch", "东街道机关党支部", "--org", "东街道", "--title", "空中课堂：学习党章",
                    "--kind", "lesson", "--starts", starts, "--oath", db=db)
    assert lesson["organisation"]
    came = {b["name"]: [m for m in b["members"] if not m["secretary"]][:count] for b, count in zip(east, (4, 3, 2))}

    async def hold_lesson():
        host = Client(server.ws_url)
        await host.connect(secretaries["东街道机关党支部"]["token"], session=lesson["id"])
        assert host.welcome["you"]["role"] == "host"
        await host.ok("session.open")
        devices = []
        for members in came.values():
            for member in members:
                device = Client(server.ws_url)
                welcome = await device.connect(member["token"])
                assert welcome["session"] == lesson["id"], "a member of a branch below comes to the lesson by their own link"
                devices.append(device)
        # Another branch's secretary attends as a member; a branch of the other street is not in it.
        other = Client(server.ws_url)
        welcome = await other.connect(secretaries["柳村党支部"]["token"])
        assert welcome["session"] == lesson["id"] and welcome["you"]["role"] == "member"
        outsider = Client(server.ws_url)
        assert (await outsider.connect(by_name["桃村党支部"]["members"][1]["token"]))["session"] != lesson["id"]
        await host.ok("session.start")
        await host.refused("vote.open", "conflict", question="通过？")
        await host.ok("rollcall.start", seconds=30)
        await host.ok("session.end")
        for device in devices + [other, outsider, host]:
            await device.close()

    run(hold_lesson())
    log = server.log(lesson["id"], secretaries["东街道机关党支部"]["token"])
    roster = next(e["event"]["roster"] for e in log if e["event"]["kind"] == "session.opened")
    assert len(roster) == 90 and {entry["branch"] for entry in roster} == {b["id"] for b in east}

    # Each secretary, in their own branch office, downloads their branch's sheet of the lesson.
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    driver = browsers(1280, 900)
    driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    sheets = {}
    for branch in east:
        driver.get(f"{server.http_url}/office/#t={secretaries[branch['name']]['token']}")
        row = f'tr[data-session="{lesson["id"]}"]'
        wait(driver, lambda d: d.find_elements("css selector", f'{row} [data-testid="export-csv"]'), 15,
             f"the lesson in {branch['name']}'s office")
        if branch["name"] != "东街道机关党支部":
            assert by_testid(driver, "replan") == [] or not driver.find_elements("css selector", f'{row} [data-testid="replan"]')
        before = set(downloads.iterdir())
        driver.find_element("css selector", f'{row} [data-testid="export-csv"]').click()
        wait(driver, lambda d: [p for p in set(downloads.iterdir()) - before if p.suffix == ".csv"], 15, "the sheet")
        path = next(p for p in set(downloads.iterdir()) - before if p.suffix == ".csv")
        sheets[branch["name"]] = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))[1:]
        path.unlink()

    names = {b["name"]: {m["name"] for m in b["members"]} for b in east}
    for branch, rows in sheets.items():
        assert {row[0] for row in rows} == names[branch], f"{branch}'s sheet has its own members, all of them"
        attended = {row[0] for row in rows if row[2] != "缺席"}
        expected = {m["name"] for m in came[branch]} | ({secretaries[branch]["name"]} if branch != "杏村党支部" else set())
        assert attended == expected
    assert sum(len(rows) for rows in sheets.values()) == len(roster), "three sheets add up to the lesson's roster"
    # The other street's secretary has no sheet of it.
    assert server.get(f"/sessions/{lesson['id']}/attendance.csv", secretaries["桃村党支部"]["token"])[0] == 403


def test_an_office_plans_a_lesson_from_its_map_page(district, browsers):
    data, server, _ = district
    office = data["office"]
    organisations = {o["name"]: o["id"] for o in call(server, "GET", "/api/map", office)[1]["organisations"]}
    branches = {b["name"]: b for b in data["branches"]}
    secretary = {b["name"]: next(m for m in b["members"] if m["secretary"]) for b in data["branches"]}
    later = (datetime.now(ZoneInfo("Asia/Shanghai")) + timedelta(days=3)).strftime("%Y-%m-%dT19:30")

    # Refused, and nothing planned: a host outside the organisation, an organisation not the office's,
    # a time past, and a secretary's link.
    assert call(server, "POST", "/api/lessons", office, {"organisation": organisations["东街道"], "hostBranch": branches["桃村党支部"]["id"],
                                                  "title": "课", "startsAt": later})[0] == 400
    assert call(server, "POST", "/api/lessons", office, {"organisation": "O-nowhere", "hostBranch": branches["柳村党支部"]["id"],
                                                  "title": "课", "startsAt": later})[0] == 400
    assert call(server, "POST", "/api/lessons", office, {"hostBranch": branches["柳村党支部"]["id"], "title": "课",
                                                  "startsAt": "2020-01-01T10:00"})[0] == 400
    assert call(server, "POST", "/api/lessons", secretary["柳村党支部"]["token"], {"hostBranch": branches["柳村党支部"]["id"],
                                                                         "title": "课", "startsAt": later})[0] == 404

    driver = browsers(1280, 900)
    driver.get(f"{server.http_url}/map/#t={office}")
    wait(driver, lambda d: by_testid(d, "lesson-form") != [], 15, "the lesson form")
    driver.execute_script(
        "const f = document.querySelector('[data-testid=lesson-form]'); const s = f.elements.organisation;"
        "s.value = arguments[0]; s.dispatchEvent(new Event('change', {bubbles: true}))", organisations["东街道"])
    wait(driver, lambda d: d.execute_script(
        "return [...document.querySelector('[data-testid=lesson-form]').elements.hostBranch.options].map(o => o.text)")
        == ["东街道机关党支部", "杏村党支部", "柳村党支部"], message="the street's three branches to host it")
    form = driver.find_element("css selector", "[data-testid=lesson-form]")
    driver.execute_script("arguments[0].elements.hostBranch.value = arguments[1]", form, branches["柳村党支部"]["id"])
    form.find_element("css selector", "[name=title]").send_keys("空中课堂：学习二十大精神")
    driver.execute_script("arguments[0].elements.startsAt.value = arguments[1]", form, later)
    form.find_element("css selector", "button").click()
    wait(driver, lambda d: "空中课堂" in (d.execute_script(
        "const e = document.querySelector('[data-testid=lesson-message]'); return e ? e.innerText : ''") or ""),
        message="the lesson planned")

    # In each of the street's branches' offices, hosted by 柳村; in the host's log, who planned it.
    for name in ("东街道机关党支部", "杏村党支部", "柳村党支部"):
        lessons = [s for s in call(server, "GET", "/api/branch", secretary[name]["token"])[1]["sessions"] if s["lesson"]]
        assert [(s["title"], s["hostBranch"]) for s in lessons] == [("空中课堂：学习二十大精神", branches["柳村党支部"]["id"])]
    assert not [s for s in call(server, "GET", "/api/branch", secretary["桃村党支部"]["token"])[1]["sessions"] if s["lesson"]]
    log = call(server, "GET", "/api/audit", secretary["柳村党支部"]["token"])[1]
    assert any("区委组织部" in line["detail"] and "东街道" in line["detail"] for line in log)
