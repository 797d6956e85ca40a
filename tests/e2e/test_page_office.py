"""The branch office in a real Chromium, as a secretary runs the month from it:
a roster uploaded (one refused file, one good), a member added, slips
printed, a session planned, a link replaced under an open page, the meeting
held, its sheets downloaded from the history. Screenshots in both languages.
(Runs after test_page.py, whose screenshot test empties the folder first.)"""

import csv
import io
import json
import time
from datetime import datetime
from zoneinfo import ZoneInfo

import openpyxl
from selenium.webdriver.common.by import By

from browser import by_testid, click, click_css, painted, shoot, status, text_of, wait
from conftest import Client, run, started_session


def office(driver, server, token):
    driver.get(f"{server.http_url}/office/#t={token}")
    wait(driver, lambda d: by_testid(d, "office-sessions") != [], 15, "the office never loaded")


def rows(driver):
    return driver.execute_script(
        "return [...document.querySelectorAll('[data-testid=roster-table] tr[data-member]')].map(r => r.cells[0].innerText.split('\\n')[0].trim())")


def upload(driver, path):
    driver.find_element(By.CSS_SELECTOR, '[data-testid="roster-file"]').send_keys(str(path))


def test_a_secretary_runs_the_month_from_the_office(demo, server, browsers, tmp_path):
    data, _ = demo
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    driver = browsers(1280, 900)
    driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    office(driver, server, data.host["token"])
    assert len(rows(driver)) == 13

    # A roster saved by Excel on a Chinese Windows (GBK): a wrong status on line 3 is refused whole.
    bad = tmp_path / "名单-错.csv"
    bad.write_bytes("姓名,身份,城市\r\n孙一,正式党员,大连\r\n孙二,党委,沈阳\r\n".encode("gb18030"))
    upload(driver, bad)
    wait(driver, lambda d: "Line 3" in (text_of(d, "office-message") or ""), message="the bad line named")
    assert by_testid(driver, "roster-preview") == [] and len(rows(driver)) == 13

    good = tmp_path / "名单.csv"
    good.write_bytes("姓名,身份,城市\r\n孙一,正式党员,大连\r\n孙二,预备党员,沈阳\r\n".encode("gb18030"))
    upload(driver, good)
    wait(driver, lambda d: by_testid(d, "roster-preview") != [], message="the preview")
    assert "GB18030" in text_of(driver, "roster-preview") and "孙二" in text_of(driver, "roster-preview")
    assert len(rows(driver)) == 13, "a preview imports nothing"
    click(driver, "import-confirm")
    wait(driver, lambda d: len(by_testid(d, "slip")) == 2, message="two new links")
    assert {"孙一", "孙二"} <= set(rows(driver))

    # One more by hand; their slip has the link and its QR code.
    form = driver.find_element(By.CSS_SELECTOR, '[data-testid="add-member"]')
    form.find_element(By.NAME, "name").send_keys("赵新")
    form.find_element(By.NAME, "city").send_keys("鹤岗")
    form.find_element(By.CSS_SELECTOR, "button").click()
    wait(driver, lambda d: len(by_testid(d, "slip")) == 1 and "赵新" in text_of(d, "issued"), message="the new slip")
    link = text_of(driver, "slip-link")
    assert link.startswith(f"{server.http_url}/#t=") and driver.find_elements(By.CSS_SELECTOR, ".slip .qr svg")
    assert "赵新" in rows(driver)

    # The slips as they print on A4: nothing but the slips.
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    assert driver.execute_script("return getComputedStyle(document.querySelector('.bar')).display") == "none"
    shoot(driver, "office-slips-print", 1280, 900)
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})

    # A session planned for next month, at the branch's time.
    plan = driver.find_element(By.CSS_SELECTOR, '[data-testid="plan-form"]')
    plan.find_element(By.NAME, "title").send_keys("十二月党课")
    driver.execute_script(
        "const f = arguments[0]; f.elements.kind.value = 'lesson'; f.elements.text.value = 'oath';"
        "f.elements.startsAt.value = '2030-12-01T19:30';", plan)
    click(driver, "plan-submit")
    wait(driver, lambda d: "十二月党课" in (text_of(d, "office-sessions") or ""), message="the planned session listed")
    assert "2030/12/01 19:30" in text_of(driver, "office-sessions")

    # Changed a week later, then called off: the session keeps its record, cancelled, with the reason.
    lesson = driver.execute_script(
        "return [...document.querySelectorAll('[data-testid=office-sessions] tr[data-session]')]"
        ".find(r => r.innerText.includes('十二月党课')).dataset.session")
    click_css(driver, f'[data-testid="replan"][data-session="{lesson}"]')
    form = driver.find_element(By.CSS_SELECTOR, '[data-testid="replan-form"]')
    assert form.find_element(By.NAME, "startsAt").get_attribute("value") == "2030-12-01T19:30"
    driver.execute_script("arguments[0].elements.startsAt.value = '2030-12-08T20:00'; arguments[0].elements.title.value = '十二月党课（改期）';", form)
    form.find_element(By.CSS_SELECTOR, "button").click()
    wait(driver, lambda d: "2030/12/08 20:00" in (text_of(d, "office-sessions") or ""), message="the new time listed")
    assert "十二月党课（改期）" in text_of(driver, "office-sessions")
    click_css(driver, f'[data-testid="cancel"][data-session="{lesson}"]')
    driver.switch_to.alert.send_keys("与县里的党课时间冲突")
    driver.switch_to.alert.accept()
    wait(driver, lambda d: "与县里的党课时间冲突" in (text_of(d, "office-sessions") or ""), message="the cancelled session and its reason")
    assert "已取消" in text_of(driver, "office-sessions")

    # A lost phone: a new link, and the page still open on the old one is told at once.
    phone = browsers(360, 740)
    phone.get(f"{server.http_url}/#t={data.members[0]['token']}")
    wait(phone, lambda d: status(d) == "online", 15, "the member's page came online")
    click_css(driver, f'[data-testid="relink"][data-member="{data.members[0]["id"]}"]')
    driver.switch_to.alert.accept()
    wait(driver, lambda d: data.members[0]["name"] in (text_of(d, "issued") or ""), message="the new link shown")
    wait(phone, lambda d: "链接无效或已更换" in d.find_element(By.TAG_NAME, "body").text, 10, "the old page told")

    # The meeting is held from the console, reached from the office's list; a member opens their
    # own record from their page meanwhile.
    driver.find_element(By.CSS_SELECTOR, f'tr[data-session="{data.session}"] a').click()
    wait(driver, lambda d: by_testid(d, "session-open") != [], 15, "the console of the planned session")
    click(driver, "session-open")
    click(driver, "session-start")
    wait(driver, lambda d: by_testid(d, "session-end") != [], message="the meeting under way")
    member = browsers(360, 740)
    member.get(f"{server.http_url}/#t={data.members[1]['token']}")
    wait(member, lambda d: by_testid(d, "my-record-link") != [], 15, "the member's page offers their record")
    # In a tab of its own: the meeting's page stays, and with it their presence.
    meeting_tab = member.current_window_handle
    click(member, "my-record-link")
    wait(member, lambda d: len(d.window_handles) == 2, message="the record opens in a new tab")
    member.switch_to.window(next(h for h in member.window_handles if h != meeting_tab))
    wait(member, lambda d: data.session in d.execute_script(
        "return [...document.querySelectorAll('[data-testid=my-record] tr')].map(r => r.dataset.session).join()"),
        message="their record lists the meeting")
    assert "出席" in text_of(member, "my-record"), "still present: the meeting's page is open"
    click(driver, "session-end")
    driver.switch_to.alert.accept()
    wait(driver, lambda d: "已结束" in d.find_element(By.CSS_SELECTOR, ".bar .phase").text, message="the meeting ended")
    member.refresh()
    wait(member, lambda d: by_testid(d, "read-minutes") != [], message="the minutes of what they attended")

    # The console's own export (its download code is loaded when first asked for).
    click_css(driver, '[data-action="export"][data-path="log.json"]')
    record = downloads / f"{data.session}-log.json"
    wait(driver, lambda d: record.exists() and json.loads(record.read_text())[0]["event"]["kind"] == "session.opened",
         message="the console's download of the record")

    # Its sheets come from the history, back in the office (the link is at the top, under the sticky bar).
    driver.execute_script("window.scrollTo(0, 0)")
    click(driver, "office-link")
    wait(driver, lambda d: by_testid(d, "export-csv") != [], 15, "the ended session's sheets offered")
    click_css(driver, f'[data-testid="export-csv"][data-session="{data.session}"]')
    click_css(driver, f'[data-testid="export-xlsx"][data-session="{data.session}"]')
    deadline = time.monotonic() + 10
    while len([p for p in downloads.iterdir() if not p.name.endswith(".crdownload")]) < 3:
        assert time.monotonic() < deadline, list(downloads.iterdir())
        time.sleep(0.1)
    sheet = list(csv.reader(io.StringIO((downloads / f"{data.session}-attendance.csv").read_text("utf-8-sig"))))
    workbook = openpyxl.load_workbook(downloads / f"{data.session}-attendance.xlsx").active
    cells = [["" if v is None else str(v) for v in row] for row in workbook.iter_rows(values_only=True)]
    assert cells == sheet
    assert sheet[0][:3] == ["姓名", "身份", "出席情况"]
    secretary = next(row for row in sheet if row[0] == data.host["name"])
    assert secretary[1:4] == ["正式党员", "出席", "远程"]
    joined = datetime.strptime(secretary[4], "%Y-%m-%d %H:%M:%S").replace(tzinfo=ZoneInfo("Asia/Shanghai"))
    assert abs((joined - datetime.now(ZoneInfo("UTC"))).total_seconds()) < 600, "times are Shanghai's, not UTC"


def test_screenshots_of_the_office_and_a_members_record(demo, server, browsers):
    data, _ = demo

    async def meeting():
        host = await started_session(server, data)
        phone = Client(server.ws_url)
        await phone.connect(data.members[0]["token"])
        await host.ok("session.end")

    run(meeting())
    for language in ("zh", "en"):
        for width, height in ((360, 740), (1280, 900)):
            for page, token, ready in (("office", data.host["token"], "office-sessions"),
                                       ("me", data.members[0]["token"], "my-record")):
                driver = browsers(width, height)
                driver.get(f"{server.http_url}/healthz")
                driver.execute_script(f"localStorage.setItem('muster.lang', '{language}')")
                driver.get(f"{server.http_url}/{page}/#t={token}")
                wait(driver, lambda d: by_testid(d, ready) != [], 15, f"{page} loaded")
                painted(driver)
                shoot(driver, f"{page}-{language}", width, height)
                driver.quit()


def test_a_members_open_page_shows_a_cancellation_and_its_reason(demo, server, browsers):
    data, _ = demo
    phone = browsers(360, 740)
    phone.get(f"{server.http_url}/#t={data.members[0]['token']}")
    wait(phone, lambda d: status(d) == "online", 15, "the member's page came online")

    async def cancel():
        host = Client(server.ws_url)
        await host.connect(data.host["token"])
        await host.ok("session.cancel", reason="村里停电，改到下周")
        await host.close()

    run(cancel())
    wait(phone, lambda d: "村里停电，改到下周" in (text_of(d, "cancelled") or ""), message="the reason shown")
    assert "已取消" in phone.find_element(By.CSS_SELECTOR, ".bar .phase").text
    shoot(phone, "member-cancelled-zh", 360, 740)
