"""What a member does on the page beyond the meeting itself: saying where
they are now, and what they see of a post the secretary hid."""

from browser import click_css, text_of, wait
from conftest import Client, run, started_session
from test_page import log, visit


def test_a_member_reports_a_new_city_and_the_secretary_sees_it(demo, server, browsers):
    data, _ = demo
    run(started_session(server, data))
    me = data.members[0]
    phone = browsers()
    visit(phone, server, me["token"])
    console = browsers(1280, 900)
    visit(console, server, data.host["token"])

    phone.execute_script("document.querySelector('[data-testid=my-attendance] details').open = true")
    phone.find_element("css selector", '[data-keep="city"]').send_keys("鹤岗")
    click_css(phone, 'form[data-form="me.city"] button')
    wait(phone, lambda d: "鹤岗" in (text_of(d, "my-attendance") or ""), message="the member sees the new city")
    row = f'[data-member="{me["id"]}"]'
    wait(console, lambda d: "鹤岗" in d.execute_script("return document.querySelector(arguments[0]).innerText", row),
         message="the secretary's roster shows the new city")
    moved = [e["event"] for e in log(server, data) if e["event"]["kind"] == "member.moved"]
    assert moved == [{"kind": "member.moved", "member": me["id"], "city": "鹤岗"}]
    assert phone.execute_script("return document.querySelector('[data-keep=city]').value") == "", \
        "the field is emptied once sent"


def test_a_hidden_post_shows_members_no_body_and_the_secretary_a_marked_one(demo, server, browsers):
    data, _ = demo

    async def discussion():
        host = await started_session(server, data)
        await host.ok("thread.open", title="村集体经济")
        author = Client(server.ws_url)
        await author.connect(data.members[1]["token"])
        await author.ok("post.add", thread="T1", body="一条不当言论")
        await author.ok("post.add", thread="T1", body="一条正常发言")
        await author.close()
        await host.close()

    run(discussion())
    phone = browsers()
    visit(phone, server, data.members[0]["token"])
    console = browsers(1280, 900)
    visit(console, server, data.host["token"])
    wait(phone, lambda d: "一条不当言论" in d.page_source, message="the post is shown before it is hidden")

    async def hide():
        again = Client(server.ws_url)
        await again.connect(data.host["token"])
        await again.ok("post.hide", post="P1")
        await again.close()

    run(hide())
    wait(phone, lambda d: "（此发言已被书记隐藏）" in d.page_source, message="the member sees it hidden")
    assert "一条不当言论" not in phone.page_source, "a member still sees a hidden post's body"
    assert "一条正常发言" in phone.page_source
    # A member opening the page afresh gets no body either.
    fresh = browsers()
    visit(fresh, server, data.members[2]["token"])
    wait(fresh, lambda d: "（此发言已被书记隐藏）" in d.page_source, message="a fresh page shows it hidden")
    assert "一条不当言论" not in fresh.page_source
    # The secretary keeps the body for the record, marked hidden, with no hide button left on it.
    wait(console, lambda d: "（此发言已被书记隐藏）" in d.page_source and "一条不当言论" in d.page_source,
         message="the secretary sees the body, marked hidden")
    assert console.execute_script("return document.querySelectorAll('[data-action=\"post.hide\"]').length") == 1
