"""Every limit: each refusal is clear and leaves the state and the log unchanged."""

import asyncio
import base64
import json
import os
import resource
import socket
import subprocess
import time

import pytest
import websockets

from conftest import Client, MUSTER, Server, run, started_session


async def started(server, data):
    host = await started_session(server, data)
    return host


def log_length(server, data):
    return len(server.log(data.session, data.host["token"]))


async def closed_with(client, code, timeout=5):
    """Waits for the server to close the socket; returns the close code."""
    try:
        while True:
            await asyncio.wait_for(client.ws.recv(), timeout)
    except websockets.ConnectionClosed as closed:
        assert closed.rcvd is not None, "closed without a close frame"
        assert closed.rcvd.code == code, closed.rcvd
        return closed.rcvd


def test_frames_over_64_kib_are_refused_with_1009(demo, server):
    data, _ = demo

    async def scenario():
        host = await started_session(server, data)
        before = log_length(server, data)
        big = Client(server.ws_url)
        await big.connect(data.members[0]["token"])
        await big.send({"type": "cmd", "id": "big", "cmd": "post.add", "thread": "T1", "body": "字" * 30_000})
        error = await big.until(lambda m: m["type"] == "error")
        assert error["code"] == "too_large"
        await closed_with(big, 1009)
        # Only the member's arrival and departure were recorded.
        await host.line(data.members[0]["id"], lambda l: not l["presentNow"], after=before)
        kinds = [e["event"]["kind"] for e in server.log(data.session, data.host["token"])[before:]]
        assert kinds == ["member.joined", "member.left"]
        await host.close()

    run(scenario())


def test_binary_frames_are_refused_with_1003(demo, server):
    data, _ = demo

    async def scenario():
        client = Client(server.ws_url)
        await client.connect(data.members[0]["token"])
        await client.ws.send(b"\x00\x01binary")
        await closed_with(client, 1003)

    run(scenario())


def test_commands_beyond_the_rate_limit_are_refused_and_not_applied(demo, tmp_path):
    data, db = demo
    server = Server(db, "--commands-per-second", "2").start()
    try:
        async def scenario():
            host = await started_session(server, data)
            before = log_length(server, data)
            ids = [await host.cmd("text.advance", line=i % 12) for i in range(60)]
            answers = [await host.reply(id) for id in ids]
            acked = [a for a in answers if a["type"] == "ack"]
            limited = [a for a in answers if a["type"] == "error" and a["code"] == "rate_limited"]
            assert limited and acked
            assert len(acked) + len(limited) == 60
            # An ack follows the commit: the log already holds exactly the acked ones.
            assert log_length(server, data) == before + len(acked)
            await host.close()

        run(scenario())
    finally:
        server.stop()


def test_a_socket_that_never_says_hello_is_closed(demo, server):
    async def scenario():
        ws = await websockets.connect(server.ws_url)
        start = time.monotonic()
        with pytest.raises(websockets.ConnectionClosed):
            await asyncio.wait_for(ws.recv(), 10)
        assert 1.5 < time.monotonic() - start < 6

    run(scenario())


def test_cross_origin_upgrades_are_refused_with_403(demo, server):
    data, _ = demo

    assert upgrade_status(server.port, "http://evil.example") == 403
    assert upgrade_status(server.port, f"http://127.0.0.1:{server.port}") == 101
    assert upgrade_status(server.port, None) == 101  # not a browser: no Origin to check
    for path in ("/", "/ws/other", "/healthz", "/sessions/S1/log.json"):
        assert upgrade_status(server.port, None, path) == 404, path  # only /ws upgrades

    async def scenario():
        # The server's own page may connect.
        own = Client(server.ws_url, origin=f"http://127.0.0.1:{server.port}")
        await own.connect(data.members[0]["token"])
        await own.close()

    run(scenario())


def test_the_base_url_is_the_only_origin_allowed(demo):
    data, db = demo
    server = Server(db, "--base-url", "https://muster.example.cn").start()
    try:
        assert upgrade_status(server.port, f"http://127.0.0.1:{server.port}") == 403

        async def scenario():
            own = Client(server.ws_url, origin="https://muster.example.cn")
            await own.connect(data.members[0]["token"])
            await own.close()

        run(scenario())
    finally:
        server.stop()


def test_wrong_and_reissued_tokens_are_unauthorized_and_closed(demo, server):
    data, db = demo

    async def scenario():
        for token in ["wrong", data.members[0]["token"]]:
            if token != "wrong":
                subprocess.run([MUSTER, "member", "relink", data.members[0]["id"], "--db", str(db)], check=True,
                               capture_output=True)
            ws = await websockets.connect(server.ws_url)
            await ws.send(json.dumps({"type": "hello", "token": token}))
            error = json.loads(await asyncio.wait_for(ws.recv(), 5))
            assert error["type"] == "error" and error["code"] == "unauthorized"
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await asyncio.wait_for(ws.recv(), 5)
            assert closed.value.rcvd.code == 1008

    run(scenario())
    assert log_length(server, data) == 0


def test_members_cannot_send_host_commands(demo, server):
    data, _ = demo

    async def scenario():
        host = await started_session(server, data)
        member = Client(server.ws_url)
        await member.connect(data.members[0]["token"])
        await member.event("member.joined")
        before = log_length(server, data)
        for name, fields in [("text.advance", {"line": 3}), ("session.end", {}), ("vote.open", {"question": "?"}),
                             ("rollcall.start", {"seconds": 60}), ("post.hide", {"post": "P1"})]:
            await member.refused(name, "forbidden", **fields)
        assert log_length(server, data) == before
        await member.close()
        await host.close()

    run(scenario())


def test_malformed_and_unknown_messages_are_bad_requests(demo, server):
    data, _ = demo

    async def scenario():
        host = await started_session(server, data)
        before = log_length(server, data)
        await host.ws.send("{not json")
        assert (await host.until(lambda m: m["type"] == "error"))["code"] == "bad_request"
        await host.send({"type": "cmd", "id": "u1", "cmd": "session.explode"})
        assert (await host.reply("u1"))["code"] == "bad_request"
        await host.send({"type": "cmd", "id": "u2", "cmd": "text.advance"})
        assert (await host.reply("u2"))["code"] == "bad_request"
        await host.send({"type": "cmd", "id": "u3", "cmd": "member.join"})
        assert (await host.reply("u3"))["code"] == "bad_request"
        await host.refused("text.advance", "bad_request", line=99)
        await host.refused("vote.cast", "not_found", vote="V9", choice="赞成")
        # The connection stays up after command errors.
        await host.ok("text.advance", line=1)
        assert log_length(server, data) == before + 1
        await host.close()

    run(scenario())


def test_commands_after_the_end_are_refused(demo, server):
    data, _ = demo

    async def scenario():
        host = await started_session(server, data)
        await host.ok("session.end")
        before = log_length(server, data)
        await host.refused("text.advance", "session_ended", line=1)
        await host.refused("session.start", "session_ended")
        late = Client(server.ws_url)
        welcome = await late.connect(data.members[0]["token"], session=data.session)
        assert welcome["state"]["session"]["phase"] == "ended"
        await late.refused("rollcall.answer", "session_ended")
        assert log_length(server, data) == before
        await late.close()
        await host.close()

    run(scenario())


def test_a_locked_session_keeps_newcomers_out(demo, server):
    data, _ = demo

    async def scenario():
        host = await started_session(server, data)
        await host.ok("session.lock", locked=True)
        ws = await websockets.connect(server.ws_url)
        await ws.send(json.dumps({"type": "hello", "token": data.members[0]["token"]}))
        error = json.loads(await asyncio.wait_for(ws.recv(), 5))
        assert error["code"] == "forbidden"
        await host.close()

    run(scenario())


def upgrade_status(port, origin, path="/ws"):
    """The HTTP status the server answers a WebSocket upgrade with."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        key = base64.b64encode(os.urandom(16)).decode()
        origin_line = f"Origin: {origin}\r\n" if origin else ""
        sock.sendall((f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                      f"{origin_line}Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
        status_line = b""
        while not status_line.endswith(b"\r\n"):
            status_line += sock.recv(1)
        return int(status_line.split()[1])


def raw_websocket(port, receive_buffer=None):
    """A bare socket that upgrades and then does only what the test says."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if receive_buffer:  # before connecting, so the TCP window starts small
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
    sock.connect(("127.0.0.1", port))
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall((f"GET /ws HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                  f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
    response = b""
    while b"\r\n\r\n" not in response:
        response += sock.recv(1)
    assert b" 101 " in response.split(b"\r\n")[0]
    return sock


def send_text(sock, text):
    payload = text.encode()
    mask = os.urandom(4)
    header = bytes([0x81])
    if len(payload) < 126:
        header += bytes([0x80 | len(payload)])
    else:
        header += bytes([0x80 | 126]) + len(payload).to_bytes(2, "big")
    sock.sendall(header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))


def test_a_client_that_stops_answering_pings_is_dropped_and_recorded_as_left(demo, server):
    data, _ = demo

    async def scenario():
        host = await started_session(server, data)
        sock = raw_websocket(server.port)
        send_text(sock, json.dumps({"type": "hello", "token": data.members[0]["token"]}))
        joined, _ = await host.line(data.members[0]["id"], lambda l: l["presentNow"])
        # The phone goes silent: it never answers lws's pings (keepalive is 1 s here).
        await host.line(data.members[0]["id"], lambda l: not l["presentNow"], timeout=8, after=joined["seq"])
        assert server.log(data.session, data.host["token"])[-1]["event"]["kind"] == "member.left"
        sock.close()
        await host.close()

    run(scenario())


def test_the_server_lifts_its_open_file_limit_as_far_as_allowed_within_65536(demo):
    """Every member is a socket: started with a low limit, the server lifts it to the hard
    limit, or to 65,536 where the hard limit is higher (lws walks a table that long at every
    close; `LWSServer.openFileLimit`, whose unit test covers a limit above it)."""
    data, db = demo
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    server = Server(db, preexec=lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (256, hard))).start()
    try:
        limits = open(f"/proc/{server.process.pid}/limits").read()
        line = next(line for line in limits.splitlines() if line.startswith("Max open files"))
        expected = 65536 if hard == resource.RLIM_INFINITY else min(hard, 65536)
        assert line.split()[3] == str(expected), line
    finally:
        server.stop()
