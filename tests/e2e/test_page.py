"""The page in a real browser against the real server: a secretary and members
in separate browser sessions, as on a village meeting night."""

import json
import shutil
import subprocess
import time
from pathlib import Path


from browser import by_testid, click, click_css, painted, shoot, status, text_of, wait
from conftest import MUSTER, Client, Server, run, started_session



def visit(driver, server, token, path="/"):
    driver.get(f"{server.http_url}{path}#t={token}")
    wait(driver, lambda d: status(d) == "online", 15, "page never came online")


def current_line(driver):
    return text_of(driver, "current-line")


def meeting_in_browsers(data, server, browsers, members=3):
    """The secretary opens the lobby from the console, members come in from their phones, the secretary starts."""
    secretary = browsers(1280, 900)
    visit(secretary, server, data.host["token"])
    click(secretary, "session-open")
    phones = [browsers() for _ in range(members)]
    for driver, member in zip(phones, data.members):
        visit(driver, server, member["token"])
    click(secretary, "session-start")
    return secretary, phones


def screen_credential(server, data):
    """The big screen's watch-only credential, as the console gets it."""
    async def ask():
        host = Client(server.ws_url)
        welcome = await host.connect(data.host["token"])
        await host.close()
        return welcome["screen"]
    return run(ask())


def log(server, data):
    return server.log(data.session, data.host["token"])


def test_the_secretary_leads_and_every_member_sees_the_same_line(demo, server, browsers):
    data, _ = demo
    secretary, members = meeting_in_browsers(data, server, browsers)
    wait(secretary, lambda d: "9" not in (text_of(d, "quorum") or "") and "4" in text_of(d, "quorum"), message="4 present")
    assert len(by_testid(secretary, "member-row")) == 13

    click(secretary, "text-next")
    click(secretary, "text-next")
    wait(secretary, lambda d: current_line(d) == "遵守党的章程，")
    secretary.find_element("css selector", "body").send_keys("\ue014")  # arrow right
    for driver in members + [secretary]:
        wait(driver, lambda d: current_line(d) == "履行党员义务，", message="line did not follow")
    click(secretary, "text-prev")
    for driver in members:
        wait(driver, lambda d: current_line(d) == "遵守党的章程，")

    # A member who joins late lands on the current line.
    late = browsers()
    visit(late, server, data.members[3]["token"])
    assert current_line(late) == "遵守党的章程，"

    # Roll call answered from a page.
    secretary.find_element("css selector", '[data-keep="rollcall-seconds"]').clear()
    secretary.find_element("css selector", '[data-keep="rollcall-seconds"]').send_keys("120")
    click(secretary, "rollcall-start")
    click(members[0], "rollcall-answer")
    wait(members[0], lambda d: not by_testid(d, "rollcall-answer") and "✓" in d.page_source)
    answered = [e for e in log(server, data) if e["event"]["kind"] == "rollcall.answered"]
    assert [e["event"]["member"] for e in answered] == [data.members[0]["id"]]
    my = text_of(members[0], "my-attendance")
    assert "出席" in my


def test_a_vote_with_quorum_is_cast_from_pages_and_the_result_shown_everywhere(demo, server, browsers):
    data, _ = demo
    secretary, members = meeting_in_browsers(data, server, browsers)
    wait(secretary, lambda d: text_of(d, "vote-open-reason") is not None, message="the reason is shown")
    assert not secretary.execute_script("return document.querySelector('[data-testid=vote-open]').disabled === false")
    assert "过半数" in text_of(secretary, "vote-open-reason")
    # Three more are in the room: the secretary ticks them.
    for count, member in enumerate(data.members[3:6], start=5):
        click_css(secretary, f'[data-member="{member["id"]}"] input[type=checkbox]')
        wait(secretary, lambda d: f"到会 {count} /" in text_of(d, "quorum"), message=f"quorum of {count}")
    secretary.find_element("css selector", '[data-keep="vote-question"]').send_keys("通过村集体经济发展计划？")
    click(secretary, "vote-open")
    for driver in members:
        click(driver, "vote-choice")
    for driver in members:
        wait(driver, lambda d: "您已投票 · 赞成" in d.page_source, message="my open-ballot choice shown")
    click_css(secretary, '[data-action="vote.close"]')
    for driver in members + [secretary]:
        wait(driver, lambda d: "未通过" in d.page_source and "赞成需 7 票" in d.page_source, message="result everywhere")
    closed = [e for e in log(server, data) if e["event"]["kind"] == "vote.closed"][0]["event"]
    assert closed["tally"][0] == {"choice": "赞成", "count": 3}
    assert closed["present"] == 7


def test_a_tap_made_offline_is_delivered_once_when_the_network_is_back(demo, server, browsers):
    data, _ = demo

    async def start_roll_call():
        host = await started_session(server, data)
        await host.ok("rollcall.start", seconds=300)
        await host.close()

    phone = browsers()
    visit(phone, server, data.members[0]["token"])
    run(start_roll_call())
    wait(phone, lambda d: by_testid(d, "rollcall-answer") != [], message="roll call shown")

    phone.set_network_conditions(offline=True, latency=0, download_throughput=0, upload_throughput=0)
    wait(phone, lambda d: status(d) == "offline",
         message="page shows it is offline")
    assert "网络中断" in phone.page_source
    click(phone, "rollcall-answer")
    wait(phone, lambda d: "等待发送" in d.page_source, message="the tap waits in the outbox")
    assert [e for e in log(server, data) if e["event"]["kind"] == "rollcall.answered"] == []
    assert not by_testid(phone, "rollcall-answer"), "a tap waiting to be sent is shown as made, not offered again"
    assert "（待发送）" in phone.page_source
    shoot(phone, "member-offline-zh", 360, 740)

    def answers():
        return [e for e in log(server, data) if e["event"]["kind"] == "rollcall.answered"]

    # The phone is closed while still offline (a reload fails): the tap waits in the
    # outbox, kept across page loads, and goes out when the page is opened online.
    phone.refresh()
    phone.delete_network_conditions()
    phone.refresh()
    wait(phone, lambda d: status(d) == "online", 20, "page came back")
    wait(phone, lambda _: len(answers()) == 1, 10, "the waiting tap was sent once the page was back")
    assert answers()[0]["event"]["member"] == data.members[0]["id"]
    # Acked: shown as answered, no longer waiting.
    wait(phone, lambda d: "✓" in d.page_source and "（待发送）" not in d.page_source, message="answer shown as sent")
    assert phone.execute_script("return Object.keys(localStorage).filter(k => k.startsWith('muster.outbox')).map(k => JSON.parse(localStorage[k]).length).reduce((a, b) => a + b, 0)") == 0
    # Reloading sends nothing twice.
    phone.refresh()
    wait(phone, lambda d: status(d) == "online", 15)
    # A later event reaching the page means the page's welcome (and any resend after it) is behind us.
    before = current_line(phone)

    async def advance():
        host = Client(server.ws_url)
        await host.connect(data.host["token"])
        await host.ok("text.advance", line=3)
        await host.close()

    run(advance())
    wait(phone, lambda d: current_line(d) != before, message="the page follows again")
    assert len(answers()) == 1


def test_the_english_switch_is_remembered(demo, server, browsers):
    data, _ = demo
    phone = browsers()
    visit(phone, server, data.members[0]["token"])
    assert "已连接" in text_of(phone, "connection-status")
    click(phone, "lang-switch")
    wait(phone, lambda d: text_of(d, "connection-status") == "Connected")
    assert "Not started" in phone.page_source
    phone.refresh()
    wait(phone, lambda d: text_of(d, "connection-status") == "Connected", message="English after reload")
    click(phone, "lang-switch")
    wait(phone, lambda d: text_of(d, "connection-status") == "已连接")


def test_a_bad_link_and_no_session_are_explained_in_words(demo, server, browsers):
    data, db = demo
    phone = browsers()
    phone.get(f"{server.http_url}/#t=not-a-real-token")
    wait(phone, lambda d: text_of(d, "refused") and "链接无效" in text_of(d, "refused"), message="bad link explained")
    # Once the only session has ended, a member's link says there is nothing now.
    async def end():
        host = await started_session(server, data)
        await host.ok("session.end")
        await host.close()

    run(end())
    other = browsers()
    other.get(f"{server.http_url}/#t={data.members[0]['token']}")
    wait(other, lambda d: text_of(d, "refused") and "没有安排会议" in text_of(d, "refused"), message="no session explained")


def loaded_files(driver):
    """What the page loaded, as Chromium counts it, by path: each file's bytes over the wire
    (headers included), its body as sent (gzipped or not) and its body as the page reads it."""
    entries = driver.execute_script(
        "return performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'))"
        ".map(e => [e.name, e.transferSize, e.encodedBodySize, e.decodedBodySize])")
    return {name.split("/", 3)[-1].split("#")[0]: (sent, body, decoded) for name, sent, body, decoded in entries}


def test_the_page_weighs_at_most_60_kb_and_a_third_of_that_on_the_wire(demo, server, browsers):
    """What a phone downloads, as Chromium counts it: a member's page never loads the console.
    Its files are at most 60 KB as the page reads them, and go gzipped: a third of that sent."""
    data, _ = demo
    loaded = {}
    for who, token in (("member", data.members[0]["token"]), ("console", data.host["token"])):
        driver = browsers()
        visit(driver, server, token)
        if who == "console":  # drawn once its modules are in
            wait(driver, lambda d: by_testid(d, "session-open") != [], message="the console is drawn")
        loaded[who] = {name: sizes for name, sizes in loaded_files(driver).items() if not name.startswith("vendor/")}
    assert not any("console.js" in name or "roster.js" in name for name in loaded["member"]), loaded["member"]
    assert any("console.js" in name for name in loaded["console"]), loaded["console"]
    for who, files in loaded.items():
        decoded = sum(d for _, _, d in files.values())
        sent = sum(s for s, _, _ in files.values())
        print(f"the {who} page: {len(files)} files, {decoded} bytes read, {sent} bytes over the wire")
        assert decoded <= 60 * 1024, f"the {who} page loads {decoded} bytes: {files}"
        assert sent <= decoded * 0.45, f"the {who} page is sent in {sent} bytes for {decoded}: {files}"


def test_a_phone_that_loads_the_page_again_downloads_only_headers(demo, server, browsers):
    """The page's files are kept by the browser and checked at each use (304): opening the link
    again, after the tab was closed or the network dropped, costs a phone headers, not the page."""
    data, _ = demo
    driver = browsers()
    visit(driver, server, data.members[0]["token"])
    first = loaded_files(driver)
    driver.get("about:blank")
    visit(driver, server, data.members[0]["token"])
    again = loaded_files(driver)
    assert sum(sent for sent, _, _ in first.values()) > sum(body for _, body, _ in first.values()), first
    # Headers alone for each file (a 304's, or none from the cache), never a body again.
    # The browser's own ask for /favicon.ico (there is none; 404) comes when it likes, or not at all.
    assert all(again[name][0] < 1024 for name in first if name != "favicon.ico"), again


def test_screenshots_of_every_view_in_both_languages(demo, server, browsers):
    """Writes test-artifacts/screenshots/*.png: look at them."""
    data, _ = demo
    shots_dir = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
    shutil.rmtree(shots_dir, ignore_errors=True)  # old files must not satisfy the count below

    async def set_the_scene():
        host = await started_session(server, data)
        members = []
        for member in data.members[:7]:
            client = Client(server.ws_url)
            await client.connect(member["token"])
            members.append(client)
        await host.ok("member.excuse", member=data.members[11]["id"], reason="在外地务工，夜班")
        # The phones below go when this scene ends; these four stay, ticked as in the room.
        for member in data.members[7:11]:
            await host.ok("member.onsite", member=member["id"], present=True)
        await host.ok("text.advance", line=3)
        await host.ok("thread.open", title="村集体经济怎么发展？")
        await members[0].ok("post.add", thread="T1", body="建议成立茶叶合作社，带动大家增收。")
        await members[1].ok("post.add", thread="T1", body="同意，可以先试点。", replyTo="P1")
        await host.ok("vote.open", question="通过年度发展计划？", secret=False)
        for client in members[:6]:
            await client.ok("vote.cast", vote="V1", choice="赞成")
        await host.ok("vote.cast", vote="V1", choice="赞成")
        await host.ok("vote.close", vote="V1")
        await host.ok("rollcall.start", seconds=300)
        for client in members[:3]:
            await client.ok("rollcall.answer")
        return host, members

    host, members = run(set_the_scene())
    views = [("member", data.members[8]["token"], "/"), ("console", data.host["token"], "/"),
             ("screen", screen_credential(server, data), "/screen/")]
    for language in ("zh", "en"):
        for name, token, path in views:
            for width, height in ((360, 740), (1280, 800), (1920, 1080)):
                driver = browsers(width, height)
                driver.get(f"{server.http_url}/healthz")
                driver.execute_script(f"localStorage.setItem('muster.lang', '{language}')")
                visit(driver, server, token, path)
                wait(driver, lambda d: current_line(d) == ("履行党员义务，"), message="scene loaded")
                shoot(driver, f"{name}-{language}", width, height)
                driver.quit()
    # The minutes, as the secretary prints them.
    minutes = shots_dir / "minutes.html"
    subprocess.run([MUSTER, "export", "minutes", data.session, "-o", str(minutes), "--db", str(server.db)], check=True,
                   capture_output=True)
    driver = browsers(1280, 1600)
    driver.get(minutes.as_uri())
    shoot(driver, "minutes-zh", 1280, 1600)
    shots = {p.stem for p in shots_dir.glob("*.png")}
    expected = {f"{view}-{language}-{w}x{h}" for view in ("member", "console", "screen") for language in ("zh", "en")
                for w, h in ((360, 740), (1280, 800), (1920, 1080))} | {"minutes-zh-1280x1600"}
    assert expected <= shots, expected - shots


def test_every_view_fits_a_320_pixel_phone(demo, server, browsers):
    data, _ = demo

    async def scene():
        host = await started_session(server, data)
        await host.ok("thread.open", title="一个很长很长的讨论题目，看看窄屏幕上会不会超出边界而出现横向滚动条")
        await host.ok("rollcall.start", seconds=120)
        await host.close()

    run(scene())
    for token, path in ((data.members[0]["token"], "/"), (data.host["token"], "/"),
                        (screen_credential(server, data), "/screen/")):
        driver = browsers(320, 640)
        visit(driver, server, token, path)
        wait(driver, lambda d: status(d) == "online", message="the page is live")
        painted(driver)
        overflow = driver.execute_script("return document.scrollingElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} is {overflow}px too wide at 320px"
