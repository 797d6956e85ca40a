"""Keepalive: the server pings quiet sockets and drops silent ones (test_limits has the silent one)."""

import asyncio

from conftest import Client, run, started_session


def test_a_client_that_answers_pings_stays_through_long_silences(demo, server):
    data, _ = demo

    async def scenario():
        host = await started_session(server, data)
        member = Client(server.ws_url)
        await member.connect(data.members[0]["token"])
        # Silent for four times the keepalive (1 s here), answering the server's pings by itself.
        await asyncio.sleep(4)
        await member.ok("me.city", city="哈尔滨")
        left = [e for e in server.log(data.session, data.host["token"])
                if e["event"]["kind"] == "member.left" and e["event"].get("member") == data.members[0]["id"]]
        assert left == []
        await member.close()
        await host.close()

    run(scenario())
