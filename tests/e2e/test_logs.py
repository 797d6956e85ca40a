"""The server's log: one line per notable thing, JSON with --log-format json, never a token or what anyone wrote."""

import json
import socket

import websockets

from conftest import Client, Server, run, started_session


def test_a_meetings_log_says_what_happened_and_holds_no_token_or_text(demo):
    data, db = demo
    server = Server(db, "--log-format", "json").start()
    secret = "只在会上说的话 7f3a"

    async def meeting():
        host = await started_session(server, data)
        phone = Client(server.ws_url)
        await phone.connect(data.members[0]["token"])
        await host.ok("thread.open", title="学习体会")
        await phone.ok("post.add", thread="T1", body=secret)
        stranger = Client(server.ws_url)
        try:
            await stranger.connect("not-a-real-token-" + data.members[1]["token"][:6])
        except AssertionError:
            pass
        await host.ok("session.end")
        await phone.close()
        await host.close()

    run(meeting())
    assert server.stop() == 0
    text = "".join(server.log_lines)
    entries = [json.loads(line) for line in server.log_lines if line.strip()]
    messages = [entry["message"] for entry in entries]
    for expected in ("listening", "session opened", "hello refused", "session ended", "stopped"):
        assert any(message.startswith(expected) for message in messages), (expected, messages)
    assert all({"time", "level", "label", "message"} <= entry.keys() for entry in entries)
    refused = next(entry for entry in entries if entry["message"] == "hello refused")
    assert refused["reason"] == "unauthorized" and refused["address"].endswith("127.0.0.1")
    for member in data.data["members"]:
        assert member["token"] not in text, f"{member['name']}'s token is in the log"
    assert secret not in text and "学习体会" not in text


def refused_address(server, headers):
    """Says hello with a wrong token (and these headers); returns the address the log gives."""
    async def hello():
        async with websockets.connect(server.ws_url, additional_headers=headers) as ws:
            await ws.send(json.dumps({"type": "hello", "token": "no-such-token"}))
            await ws.recv()

    run(hello())
    server.stop()
    entries = [json.loads(line) for line in server.log_lines if line.strip()]
    return next(entry["address"] for entry in entries if entry["message"] == "hello refused")


def test_behind_a_trusted_proxy_the_forwarded_address_is_the_phones(demo):
    _, db = demo
    proxied = Server(db, "--log-format", "json", "--trusted-proxy", "127.0.0.1").start()
    assert refused_address(proxied, {"X-Forwarded-For": "198.51.100.4, 203.0.113.7"}) == "203.0.113.7"
    # Anyone else's X-Forwarded-For is ignored: a phone cannot pick its own address.
    direct = Server(db, "--log-format", "json").start()
    assert refused_address(direct, {"X-Forwarded-For": "203.0.113.7"}).endswith("127.0.0.1")


def test_lws_own_errors_are_log_lines_too(demo):
    """What lws itself reports (here: the metrics port is taken) is a line of the server's log, JSON
    with --log-format json, not a line of lws's own format among them."""
    _, db = demo
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        server = Server(db, "--log-format", "json", "--metrics-listen", f"127.0.0.1:{port}").start()
        assert server.stop() == 0
    entries = [json.loads(line) for line in server.log_lines if line.strip()]
    assert any(entry["label"] == "lws" and entry["level"] == "error" for entry in entries), entries
    assert any(entry["message"].startswith("cannot listen for metrics") for entry in entries), entries
