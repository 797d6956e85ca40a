"""Large type for older members: a remembered switch; nothing runs off the side of a small phone."""

import pytest

from browser import by_testid, click, shoot, status, wait
from conftest import Client, run, started_session


def meeting_under_way(server, data):
    """A started session with the roll being called and a vote open (the secretary over a socket)."""
    async def start():
        host = await started_session(server, data)
        for member in data.members[1:7]:  # a quorum for the vote: 7 of 13
            await Client(server.ws_url).connect(member["token"])
        await host.ok("text.advance", line=3)
        await host.ok("rollcall.start", seconds=120)
        await host.ok("vote.open", question="是否同意接收李明同志为预备党员？", options=["同意", "不同意", "弃权"])
        await host.close()

    run(start())


@pytest.mark.parametrize("width", [320, 360])
def test_big_text_fits_a_small_phone_and_keeps_big_targets(demo, server, browsers, width):
    data, _ = demo
    meeting_under_way(server, data)
    phone = browsers(width, 740)
    phone.get(f"{server.http_url}/#t={data.members[0]['token']}")
    wait(phone, lambda d: status(d) == "online", 15, "the page never came online")
    wait(phone, lambda d: by_testid(d, "vote-choice"), 10, "no vote shown")
    normal = phone.execute_script("return getComputedStyle(document.body).fontSize")
    shoot(phone, f"member-normal-text-{width}", width, 740)
    click(phone, "big-switch")
    wait(phone, lambda d: d.execute_script("return document.documentElement.classList.contains('big')"))
    assert phone.execute_script("return getComputedStyle(document.body).fontSize") != normal
    wait(phone, lambda d: by_testid(d, "rollcall-answer") and by_testid(d, "vote-choice"))
    overflow = phone.execute_script(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{overflow} px run off the side at {width} px"
    for testid in ("rollcall-answer", "vote-choice"):
        for element in by_testid(phone, testid):
            assert element.size["height"] >= 48 and element.size["width"] >= 48, (testid, element.size)
    shoot(phone, f"member-big-text-{width}", width, 740)
    # Remembered, like the language.
    phone.refresh()
    wait(phone, lambda d: status(d) == "online", 15)
    assert phone.execute_script("return document.documentElement.classList.contains('big')")
