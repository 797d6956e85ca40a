"""The red-flag map in a real Chromium, as a district office opens it: `muster
demo --org` (four branches, 120 members in twenty cities, two typed oddly and
one that names no place), a flag per placed member, the one not placed listed,
and a member's new city moving their flag on the open map without a reload.
(Runs after test_page.py, whose screenshot test empties the folder first.)"""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from browser import by_testid, click_css, shoot, text_of, wait
from conftest import Client, Server, muster, run
from test_office import call
from test_page import visit


@pytest.fixture
def district(tmp_path):
    db = tmp_path / "muster.sqlite"
    data = muster("demo", "--org", db=db)
    server = Server(db).start()
    yield data, server
    server.stop()


def flags(driver):
    """Each flag on the map: (member, city)."""
    return driver.execute_script(
        "return [...document.querySelectorAll('[data-testid=flags] .flag')].map(f => [f.dataset.member, f.dataset.city])")


def open_map(driver, server, token):
    driver.get(f"{server.http_url}/map/#t={token}")
    wait(driver, lambda d: len(flags(d)) > 0, 15, "the map never drew its flags")


def test_the_district_sees_every_member_on_the_map_and_the_one_it_cannot_place(district, browsers):
    data, server = district
    members = {m["name"]: m for branch in data["branches"] for m in branch["members"]}
    assert len(members) == 120
    driver = browsers(1280, 900)
    open_map(driver, server, data["office"])

    placed = dict(flags(driver))
    assert len(placed) == 119, "one flag for each member whose city names a place"
    assert placed[members["罗洋"]["id"]] == "鹤岗市", "Hegang lands on 鹤岗"
    assert placed[members["何帆"]["id"]] == "东莞市", "广东省东莞市 lands on 东莞"
    assert members["张超"]["id"] not in placed
    unplaced = text_of(driver, "unplaced")
    assert "张超" in unplaced and "在外务工" in unplaced
    counts = text_of(driver, "city-counts")
    assert "鹤岗市" in counts and "哈尔滨市" in counts
    assert "120" in text_of(driver, "map-summary") and "119" in text_of(driver, "map-summary")

    # Filtered to one street: its three branches' ninety members (less any not placed).
    status, answer = call(server, "GET", "/api/map", data["office"])
    assert status == 200, answer
    street = next(o for o in answer["organisations"] if o["name"] == "东街道")
    driver.execute_script(
        "const s = document.querySelector('[data-testid=filter-organisation]'); s.value = arguments[0];"
        "s.dispatchEvent(new Event('change', {bubbles: true}))", street["id"])
    east = {m["id"] for b in data["branches"] if b["organisation"] in ("东街道", "柳村", "杏村") for m in b["members"]}
    wait(driver, lambda d: {member for member, _ in flags(d)} == east - {members["张超"]["id"]}, message="the street's flags")
    driver.execute_script(
        "const s = document.querySelector('[data-testid=filter-organisation]'); s.value = '';"
        "s.dispatchEvent(new Event('change', {bubbles: true}))")
    wait(driver, lambda d: len(flags(d)) == 119, message="every flag again")
    shoot(driver, "map-district", 1280, 900)
    click_css(driver, '[data-testid="lang-switch"]')
    wait(driver, lambda d: "Where members are" in d.title, message="English")
    shoot(driver, "map-district-en", 1280, 900)


def test_a_members_new_city_moves_their_flag_on_the_open_map(district, browsers):
    data, server = district
    branch = next(b for b in data["branches"] if b["name"] == "柳村党支部")
    secretary = next(m for m in branch["members"] if m["secretary"])
    me = next(m for m in branch["members"] if not m["secretary"] and m["city"] == "深圳")

    async def open_meeting():
        host = Client(server.ws_url)
        await host.connect(secretary["token"])
        await host.ok("session.open")
        await host.ok("session.start")
        await host.close()

    run(open_meeting())
    office = browsers(1280, 900)
    open_map(office, server, data["office"])
    assert dict(flags(office))[me["id"]] == "深圳市"

    phone = browsers()
    visit(phone, server, me["token"])
    phone.execute_script("document.querySelector('[data-testid=my-attendance] details').open = true")
    phone.find_element("css selector", '[data-keep="city"]').click()
    wait(phone, lambda d: d.execute_script("return document.getElementById('places').options.length") > 700,
         message="the city field offers the map's places")
    assert phone.execute_script(
        "return [...document.getElementById('places').options].some(o => o.value === '哈尔滨市' && o.label === '黑龙江省')")
    phone.find_element("css selector", '[data-keep="city"]').send_keys("哈尔滨")
    click_css(phone, 'form[data-form="me.city"] button')
    wait(office, lambda d: dict(flags(d)).get(me["id"]) == "哈尔滨市", 15, "the flag moved to 哈尔滨 on the open map")
    assert len(flags(office)) == 119
    assert office.execute_script("return performance.getEntriesByType('navigation').length") == 1, "no reload"
    shoot(office, "map-moved", 1280, 900)


def test_a_secretary_sees_their_own_branch_on_the_map(district, browsers):
    data, server = district
    branch = next(b for b in data["branches"] if b["name"] == "桃村党支部")
    secretary = next(m for m in branch["members"] if m["secretary"])
    status, answer = call(server, "GET", "/api/map", secretary["token"])
    assert status == 200, answer
    assert answer["scope"] == {"kind": "branch", "name": "桃村党支部"}
    assert {m["id"] for m in answer["members"]} == {m["id"] for m in branch["members"]}
    member = next(m for m in branch["members"] if not m["secretary"])
    status, _, _ = server.get("/api/map", member["token"])
    assert status == 403, "a member who is not the secretary sees no map"
    # From the branch office, one tap.
    phone = browsers(360, 740)
    phone.get(f"{server.http_url}/office/#t={secretary['token']}")
    wait(phone, lambda d: by_testid(d, "office-sessions") != [], 15, "the office never loaded")
    click_css(phone, '[data-testid="office-map"]')
    wait(phone, lambda d: len(flags(d)) == 30, 15, "the branch's thirty flags")
    assert by_testid(phone, "filter-organisation") == []
    shoot(phone, "map-branch", 360, 740)


def test_the_district_reads_each_branchs_cadence_and_files_the_sheets(district, browsers, tmp_path):
    import csv
    import io

    import openpyxl

    data, server = district
    branch = next(b for b in data["branches"] if b["name"] == "柳村党支部")
    secretary = next(m for m in branch["members"] if m["secretary"])
    came = [m for m in branch["members"] if not m["secretary"]][:2]

    async def hold_meeting():
        host = Client(server.ws_url)
        await host.connect(secretary["token"])
        await host.ok("session.open")
        phones = []
        for member in came:
            phone = Client(server.ws_url)
            await phone.connect(member["token"])
            phones.append(phone)
        await host.ok("session.start")
        await host.ok("session.end")
        for phone in phones:
            await phone.close()
        await host.close()

    run(hold_meeting())
    status, report = call(server, "GET", "/api/dashboard", data["office"])
    assert status == 200, report
    lines = {b["name"]: b["dashboard"] for b in report["branches"]}
    assert len(lines) == 4
    standing = {c["kind"]: c["standing"] for c in lines["柳村党支部"]["cadence"]}
    assert standing["branch-meeting"] == "done" and standing["committee"] == "overdue"
    assert all(c["standing"] == "overdue" for c in lines["桃村党支部"]["cadence"])
    assert lines["桃村党支部"].get("attendanceRate") is None
    attended = {m["name"] for m in lines["柳村党支部"]["members"] if m["attended"] == 1}
    assert {m["name"] for m in came} <= attended
    assert 0 < lines["柳村党支部"]["attendanceRate"] < 0.2

    status, headers, body = server.get("/api/dashboard/members.csv", data["office"])
    assert status == 200 and "text/csv" in headers["Content-Type"]
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][:2] == ["支部", "姓名"] and len(rows) == 121
    status, _, body = server.get("/api/dashboard/branches.xlsx?lang=en", data["office"])
    assert status == 200
    sheet = openpyxl.load_workbook(io.BytesIO(body)).active
    cells = [[c.value for c in row] for row in sheet.iter_rows()]
    assert cells[0][0] == "Branch" and len(cells) == 5
    assert next(r for r in cells if r[0] == "柳村党支部")[4] == "held"
    assert server.get("/api/dashboard/everyone.pdf", data["office"])[0] == 404
    member = next(m for m in branch["members"] if not m["secretary"])
    assert server.get("/api/dashboard", member["token"])[0] == 403

    driver = browsers(1280, 900)
    open_map(driver, server, data["office"])
    wait(driver, lambda d: len(d.find_elements("css selector", "[data-testid=cadence] tr[data-branch]")) == 4,
         message="a row per branch")
    done = driver.execute_script(
        "return [...document.querySelectorAll('[data-testid=cadence] .standing.done')].map(s => s.closest('tr').cells[0].innerText)")
    assert done == ["柳村党支部"]
    # This month: one assembly held, across the district; 柳村's members, each with their record.
    month = datetime.now(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m")
    assert driver.execute_script(
        "return document.querySelector(`[data-testid=held-by-month] tr[data-month='${arguments[0]}'] td[data-kind=branch-meeting]`).innerText",
        month) == "1"
    records = driver.execute_script(
        "return [...document.querySelectorAll('[data-testid=member-attendance] details[data-branch=\"' + arguments[0] + '\"] tr[data-member]')]"
        ".map(r => [r.cells[0].textContent.trim(), r.cells[1].textContent.trim()])", branch["id"])
    assert len(records) == 30 and {name for name, seen in records if seen == "1 / 1"} == {m["name"] for m in came} | {secretary["name"]}
    driver.execute_script("document.querySelector('[data-testid=cadence]').scrollIntoView()")
    driver.save_screenshot(str(tmp_path / "cadence.png"))
    shoot_element(driver, "map-cadence")


def shoot_element(driver, name):
    from browser import SHOTS, painted

    SHOTS.mkdir(parents=True, exist_ok=True)
    painted(driver)
    driver.execute_script("document.querySelector('[data-testid=member-attendance] details').open = true")
    driver.find_element("css selector", "[data-key=cadence]").screenshot(str(SHOTS / f"{name}-1280.png"))
