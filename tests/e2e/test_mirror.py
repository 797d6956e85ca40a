"""The page's mirror is a copy of the server's apply logic: a welcome plus
every event after it must equal a fresh welcome. Checked in Chromium with
the page's own mirror.js, fed the real frames of a whole meeting."""

import json

from browser import chromium
from conftest import Client, run, started_session

# Derived from the time the state is looked at, not from events: left out.
MOVING = {"secondsPresent"}


def normalized(value):
    if isinstance(value, dict):
        return {k: normalized(v) for k, v in value.items() if k not in MOVING and v is not None}
    if isinstance(value, list):
        return [normalized(v) for v in value]
    return value


def test_a_welcome_plus_the_events_after_it_equals_a_fresh_welcome(demo, server):
    data, _ = demo

    async def meeting():
        watcher = Client(server.ws_url)
        await watcher.connect(data.host["token"])
        member_watcher = Client(server.ws_url)
        await member_watcher.connect(data.members[5]["token"])
        host = await started_session(server, data)
        phones = [Client(server.ws_url) for _ in range(8)]
        for phone, member in zip(phones, data.members):
            await phone.connect(member["token"])
        await host.ok("member.onsite", member=data.members[9]["id"], present=True)
        await host.ok("member.excuse", member=data.members[10]["id"], reason="夜班")
        await host.ok("rollcall.start", seconds=60)
        for phone in phones[:4]:
            await phone.ok("rollcall.answer")
        await host.ok("rollcall.close")
        await host.ok("text.set", title="学习材料", lines=["第一句", "第二句", "第三句"])
        await host.ok("text.advance", line=2)
        await host.ok("thread.open", title="议题")
        await phones[0].ok("post.add", thread="T1", body="同意")
        await phones[1].ok("post.add", thread="T1", body="不当言论", replyTo="P1")
        await host.ok("post.hide", post="P2")
        await host.ok("vote.open", question="通过？")
        for phone in phones[:5]:
            await phone.ok("vote.cast", vote="V1", choice="赞成")
        await host.ok("vote.close", vote="V1")
        await host.ok("vote.open", question="选举", secret=True)
        for phone in phones[:3]:
            await phone.ok("vote.cast", vote="V2", choice="反对")
        await phones[2].ok("me.city", city="广州")
        await phones[7].close()
        await host.ok("session.lock", locked=True)
        frames = {}
        for name, client in (("host", watcher), ("member", member_watcher)):
            await client.until(lambda m: m["type"] == "event" and m["event"]["kind"] == "session.locked")
            fresh = Client(server.ws_url)
            token = data.host["token"] if name == "host" else data.members[5]["token"]
            # The host's fresh view watches (no arrival of its own); the member's arrives after its welcome.
            fresh_welcome = await fresh.connect(token, watch=name == "host")
            frames[name] = ([client.welcome] + client.stream, fresh_welcome)
        return frames

    frames = run(meeting())
    browser = chromium(800, 600)
    try:
        browser.get(f"{server.http_url}/healthz")
        for name, (stream, fresh) in frames.items():
            mirrored = browser.execute_async_script(
                """const [frames, done] = arguments;
                   import('/js/mirror.js').then(({ Mirror }) => {
                     const mirror = new Mirror();
                     const inStep = frames.every((frame) => mirror.receive(frame));
                     done(JSON.stringify({ inStep, state: mirror.state, seq: mirror.seq }));
                   });""",
                stream)
            result = json.loads(mirrored)
            assert result["inStep"], f"{name}: the mirror fell out of step"
            # The fresh welcome also carries the new device's own arrival, which came after.
            expected = normalized(fresh["state"])
            got = normalized(result["state"])
            assert result["seq"] == fresh["seq"], (name, result["seq"], fresh["seq"])
            for key in expected:
                assert got.get(key) == expected[key], f"{name}: {key} differs:\n{got.get(key)}\n{expected[key]}"
    finally:
        browser.quit()
