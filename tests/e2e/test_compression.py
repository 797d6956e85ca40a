"""A secretary's console and a big screen ask for compression (`/ws?compress`) and get
permessage-deflate; a member's page does not ask, and a socket that does not ask is never
compressed, though every client offers it. A county's roster comes whole, compressed in
pieces, and what follows it comes message by message in the record's order; and no more than
64 sockets compress at once."""

import asyncio
import json
import os
import re
import sys
import time
import urllib.request
import zlib

import websockets

from selenium.webdriver.common.by import By

from browser import click, wait
from conftest import MUSTER, ROOT, Client, Server, run
from test_metrics import sample
from test_page import screen_credential, visit
from test_slow import read_frames
from test_tls import certificate, trusting

sys.path.insert(0, str(ROOT / "bench"))
from branch import crowd  # noqa: E402
from wire import Socket  # noqa: E402

MEMBERS = 2000


def deflating(ws):
    """Whether the server took permessage-deflate on this socket (websockets always offers it)."""
    return "permessage-deflate" in (ws.response.headers.get("Sec-WebSocket-Extensions") or "")


def others(welcome):
    """The welcome's attendance lines but the secretary's own (which their devices change)."""
    return [line for line in welcome["state"]["roster"] if line["member"] != welcome["you"]["member"]]


def test_a_county_roster_comes_compressed_whole_and_in_order_to_the_console_that_asks(tmp_path):
    db, host, tokens = crowd(MUSTER, str(tmp_path), MEMBERS)
    server = Server(db, "--commands-per-second", "1000").start()
    try:
        async def scenario():
            plain = Client(server.ws_url)
            await plain.connect(host)
            assert not deflating(plain.ws), "a socket that did not ask was compressed"
            member = Client(server.ws_url)
            await member.connect(tokens[0])
            assert not deflating(member.ws), "a member's socket was compressed"
            packed = Client(server.ws_url + "?compress")
            await packed.connect(host)
            assert deflating(packed.ws), "the console asked for compression and did not get it"

            # Opening the session sends hosts the roster and then the devices already connected, in
            # one go: a long message, compressed in pieces, with short ones queued right behind it.
            await packed.ok("session.open")
            opened = await packed.event("session.opened")
            assert len(opened["event"]["roster"]) == MEMBERS + 1
            assert opened == await plain.event("session.opened")
            # A welcome of about 400 KB of JSON: whole, and what a plain socket gets.
            again = Client(server.ws_url + "?compress")
            welcome = await again.connect(host)
            assert deflating(again.ws) and len(welcome["state"]["roster"]) == MEMBERS + 1
            await again.close()  # a link works on three devices at once
            fresh = Client(server.ws_url)
            await fresh.connect(host)
            assert others(welcome) == others(fresh.welcome)
            # Every event its own message, in order (Client.recv checks each seq), as the plain socket
            # has them; the console's commands, which the client compresses too, acked.
            last = None
            for line in range(1, 31):
                last = (await packed.ok("text.advance", line=line % 3))["seq"]
            for client in (packed, plain):
                await client.until(lambda m: m["type"] == "event" and m["seq"] == last)
            assert [e["seq"] for e in packed.events] == [e["seq"] for e in plain.events]
            assert len(packed.events) >= 31
            # A long post from the console, 6 KB compressed by the client and unpacked by lws in pieces.
            await packed.ok("thread.open", title="长帖")
            body = "很长的发言，" * 333
            await packed.ok("post.add", thread="T1", body=body)
            added = await plain.event("post.added")
            assert added["event"]["body"] == body
            for client in (packed, plain, member, fresh):
                await client.close()

        run(scenario())
    finally:
        server.stop()


def test_over_wss_too_the_roster_comes_compressed_and_whole(tmp_path):
    """TLS under the compression: lws's pieces go through OpenSSL's writes, partial ones included."""
    db, host, _ = crowd(MUSTER, str(tmp_path), MEMBERS)
    cert, key = certificate(tmp_path, "server")
    server = Server(db, "--tls-cert", str(cert), "--tls-key", str(key)).start()
    try:
        async def scenario():
            async with websockets.connect(server.ws_url + "?compress", ssl=trusting(cert), max_size=None) as ws:
                assert deflating(ws)
                await ws.send(json.dumps({"type": "hello", "token": host}))
                welcome = json.loads(await ws.recv())
                await ws.send(json.dumps({"type": "cmd", "id": "o", "cmd": "session.open", "session": welcome["session"]}))
                frames = []
                while not any(f.get("id") == "o" for f in frames):
                    frames.append(json.loads(await asyncio.wait_for(ws.recv(), 10)))
                opened = next(f for f in frames if f.get("event", {}).get("kind") == "session.opened")
                assert len(opened["event"]["roster"]) == MEMBERS + 1
                assert [f["type"] for f in frames if f.get("id") == "o"] == ["ack"]

        run(scenario())
    finally:
        server.stop()


def test_no_more_than_64_sockets_compress_at_once(tmp_path):
    db, host, _ = crowd(MUSTER, str(tmp_path), 10)
    server = Server(db).start()
    try:
        async def scenario():
            url = server.ws_url + "?compress"
            sockets = [await websockets.connect(url) for _ in range(64)]
            assert all(deflating(ws) for ws in sockets)
            over = await websockets.connect(url)
            assert not deflating(over), "a 65th socket compressed"
            # A socket that closes gives its place back; the one over the limit still works, plain.
            await sockets.pop().close()
            await asyncio.sleep(0.3)
            again = await websockets.connect(url)
            assert deflating(again)
            console = Client(url)
            welcome = await console.connect(host)
            assert not deflating(console.ws) and welcome["you"]["role"] == "host"
            for ws in [*sockets, over, again, console.ws]:
                await ws.close()

        run(scenario())
    finally:
        server.stop()


def metrics_port(server, timeout=10):
    """The port the server's /metrics listener took, as its log says."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for line in list(server.log_lines):
            found = re.search(r"port=(\d+) \[MusterServer\] metrics$", line.strip())
            if found:
                return int(found.group(1))
        time.sleep(0.05)
    raise AssertionError(f"no metrics listener in the log: {server.log_lines}")


def compressing(port):
    """How many sockets compress, from the server's /metrics on `port`."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics") as response:
        return sample(response.read().decode(), "muster_compressed_connections") or 0


def test_the_screen_and_a_console_that_has_been_one_or_came_from_the_office_ask_for_compression(demo, browsers):
    """The page knows it is a console from its welcome: the first visit goes plain, the next ones
    (a reload, a reconnection) compressed, or from the first one when the secretary came through
    the branch's office; a screen asks from the start, a member's page never."""
    data, db = demo
    # Port 0, and the port read from the log: a port picked beforehand can be taken meanwhile.
    server = Server(db, "--metrics-listen", "127.0.0.1:0").start()
    try:
        port = metrics_port(server)
        console = browsers(1280, 900)
        visit(console, server, data.host["token"])
        assert compressing(port) == 0
        console.refresh()
        wait(console, lambda d: compressing(port) == 1, 10, "the console, back, compresses")
        screen = browsers(1280, 800)
        visit(screen, server, screen_credential(server, data), "/screen/")
        wait(screen, lambda d: compressing(port) == 2, 10, "the screen compresses")
        phone = browsers()
        visit(phone, server, data.members[0]["token"])
        assert compressing(port) == 2, "a member's page asked for compression"
        # A secretary who opens the branch's office first: its console compresses from the first visit.
        office = browsers(1280, 900)
        office.get(f"{server.http_url}/office/#t={data.host['token']}")
        # The branch's sessions are listed once the office has loaded the branch (its tools show before).
        wait(office, lambda d: d.find_elements(By.CSS_SELECTOR, "[data-session]"), 10, "the office loaded the branch")
        visit(office, server, data.host["token"])
        wait(office, lambda d: compressing(port) == 3, 10, "the console opened after the office compresses")
    finally:
        server.stop()


def test_a_big_branchs_secretary_straight_to_the_console_gets_the_roster_compressed_from_the_first_visit(
        tmp_path, browsers):
    """A secretary of 600 members opens the console for the first time in this browser: the plain
    socket's hello is answered `compress`, and the page connects again compressed, opens the
    session and shows its roster; a member's phone of the same branch is welcomed on its plain
    socket."""
    db, host, tokens = crowd(MUSTER, str(tmp_path), 600)
    server = Server(db, "--metrics-listen", "127.0.0.1:0").start()
    try:
        port = metrics_port(server)
        console = browsers(1280, 900)
        visit(console, server, host)
        wait(console, lambda d: compressing(port) == 1, 10, "the console connected again compressed")
        # The roster comes with session.opened, over the socket that compresses.
        click(console, "session-open")
        wait(console, lambda d: "601" in d.find_element(By.CSS_SELECTOR, "[data-key=roster] h2").text, 10,
             "the console shows the roster of 601")
        assert compressing(port) == 1
        phone = browsers()
        visit(phone, server, tokens[0])
        assert compressing(port) == 1, "a member's page was asked to compress"
    finally:
        server.stop()


def cpu_seconds(pid):
    """The process's user and system CPU time so far, from /proc."""
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_a_compressed_message_over_64_kib_closes_the_socket_before_the_rest_is_unpacked(tmp_path):
    """A message is at most 64 KiB as unpacked, and a compressed one can unpack to a thousand times
    its size: 1 MB of zeros sent is 1 GB unpacked. The server closes it with 1009 at the limit and
    reads no further, rather than unpack the rest only to throw it away (seconds of the service
    thread: it spends less than half of one)."""
    db, host, _ = crowd(MUSTER, str(tmp_path), 10)
    server = Server(db).start()
    try:
        packer = zlib.compressobj(9, zlib.DEFLATED, -15)
        zeros = bytes(1 << 20)
        bomb = b"".join(packer.compress(zeros) for _ in range(1024)) + packer.flush(zlib.Z_SYNC_FLUSH)[:-4]
        sock = Socket(server.port, "/ws?compress")
        assert sock.deflating
        before = cpu_seconds(server.process.pid)
        try:
            sock.send_frame(bomb, first=0xC1)
        except (BrokenPipeError, ConnectionResetError):
            pass  # closed while it was still sending: what is asked for
        received = read_frames(sock.sock, lambda got: any(opcode == 0x8 for opcode, _ in got), timeout=10)
        spent = cpu_seconds(server.process.pid) - before
        closes = [payload for opcode, payload in received if opcode == 0x8]
        assert int.from_bytes(closes[0][:2], "big") == 1009, f"closed with {closes[0]!r}"
        assert spent < 0.5, f"the server spent {spent:.2f} s of CPU unpacking what it threw away"
    finally:
        server.stop()
