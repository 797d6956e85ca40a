"""The page changes only what an event changed: what a person has opened,
typed or is looking at survives the meeting going on around it."""

from browser import painted, status, text_of, wait
from conftest import Client, run, started_session
from test_page import screen_credential, visit


def mark(driver, selector):
    """Tags the element now at `selector`, to tell later whether it is still the same node."""
    driver.execute_script("document.querySelector(arguments[0]).musterSeen = true", selector)


def same_node(driver, selector):
    return driver.execute_script(
        "const e = document.querySelector(arguments[0]); return e !== null && e.musterSeen === true", selector)


def test_events_leave_open_details_typed_text_and_unchanged_rows_alone(demo, server, browsers):
    data, _ = demo
    run(started_session(server, data))
    console = browsers(1280, 900)
    visit(console, server, data.host["token"])
    phone = browsers()
    visit(phone, server, data.members[0]["token"])

    # The secretary opens "set the text" and starts typing; the member opens "my city" and types.
    console.execute_script("document.querySelector('form[data-form=\"text.set\"]').closest('details').open = true")
    console.find_element("css selector", '[data-keep="text-title"]').send_keys("学习材料")
    row = f'[data-member="{data.members[0]["id"]}"]'
    mark(console, row)
    phone.execute_script("document.querySelector('[data-testid=my-attendance] details').open = true")
    city = phone.find_element("css selector", '[data-keep="city"]')
    city.send_keys("鹤岗")

    async def meeting_goes_on():
        others = []
        for member in data.members[1:4]:
            device = Client(server.ws_url)
            await device.connect(member["token"])
            others.append(device)
        host = Client(server.ws_url)
        await host.connect(data.host["token"])
        await host.ok("text.advance", line=5)
        for device in others:
            await device.close()
        await host.close()

    run(meeting_goes_on())
    wait(console, lambda d: "到会" in (text_of(d, "quorum") or ""), message="console live")
    wait(phone, lambda d: text_of(d, "current-line") == "严守党的纪律，", message="the phone followed the text")
    wait(console, lambda d: text_of(d, "current-line") == "严守党的纪律，", message="the console followed the text")

    assert console.execute_script("return document.querySelector('form[data-form=\"text.set\"]').closest('details').open"), \
        "an event closed the secretary's open form"
    assert console.execute_script("return document.querySelector('[data-keep=text-title]').value") == "学习材料"
    assert same_node(console, row), "a roster row that did not change was rebuilt"
    assert phone.execute_script("return document.querySelector('[data-testid=my-attendance] details').open"), \
        "an event closed the member's open form"
    assert phone.execute_script("return document.activeElement.dataset.keep") == "city", "the member lost the cursor"
    assert phone.execute_script("return document.activeElement.value") == "鹤岗"


def test_the_big_screen_does_not_redraw_its_qr_code_on_each_event(demo, server, browsers):
    data, _ = demo
    run(started_session(server, data))
    screen = browsers(1280, 720)
    visit(screen, server, screen_credential(server, data), "/screen/")
    wait(screen, lambda d: d.execute_script("return document.querySelector('[data-testid=screen-qr] svg') !== null"),
         message="the QR code is drawn")
    mark(screen, "[data-testid=screen-qr] svg")

    async def advance():
        host = Client(server.ws_url)
        await host.connect(data.host["token"])
        for line in range(1, 6):
            await host.ok("text.advance", line=line)
        await host.close()

    run(advance())
    wait(screen, lambda d: text_of(d, "current-line") == "严守党的纪律，", message="the screen followed")
    painted(screen)
    assert same_node(screen, "[data-testid=screen-qr] svg"), "the QR code was rebuilt by an event"
    assert status(screen) == "online"
