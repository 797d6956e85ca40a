"""End-to-end tests: the real `muster` binary on a free loopback port, driven
by an independent WebSocket client (Python `websockets`)."""

import asyncio
import json
import os
import signal
import socket
import subprocess
import threading
import time
import urllib.request
from pathlib import Path

import pytest
import websockets

ROOT = Path(__file__).resolve().parents[2]
MUSTER = os.environ.get("MUSTER_BIN", str(ROOT / ".build" / "debug" / "muster"))
WEB = str(ROOT / "web")


def free_port():
    """A loopback port nobody listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def muster(*args, db):
    """Runs a muster command and returns its parsed --json output."""
    out = subprocess.run([MUSTER, *args, "--db", str(db), "--json"], check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


class Server:
    """A `muster serve` process on 127.0.0.1, on a port the OS picked."""

    def __init__(self, db, *extra, preexec=None):
        self.db = db
        self.extra = extra
        self.preexec = preexec  # run in the child before muster starts (its limits, say)
        self.process = None
        self.port = None
        self.log_lines = []  # what it wrote on standard error, read as it comes so the pipe never fills

    def start(self):
        self.process = subprocess.Popen(
            [MUSTER, "serve", "--listen", "127.0.0.1:0", "--db", str(self.db), "--web", WEB, *self.extra],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=self.preexec)
        self.log_lines = []
        reader = threading.Thread(target=lambda lines, stream: lines.extend(stream), args=(self.log_lines, self.process.stderr),
                                  daemon=True)
        reader.start()
        self.reader = reader
        line = self.process.stdout.readline()
        if "serving on" not in line:
            self.process.wait(timeout=10)
            reader.join(timeout=5)
        assert "serving on" in line, f"server did not start: {line!r} {''.join(self.log_lines)}"
        self.port = int(line.strip().rsplit(":", 1)[1])
        return self

    @property
    def tls(self):
        return "--tls-cert" in self.extra

    @property
    def ws_url(self):
        return f"{'wss' if self.tls else 'ws'}://127.0.0.1:{self.port}/ws"

    @property
    def http_url(self):
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    def stop(self, sig=signal.SIGTERM, timeout=10):
        if self.process and self.process.poll() is None:
            self.process.send_signal(sig)
            self.process.wait(timeout=timeout)
        self.reader.join(timeout=5)
        return self.process.returncode

    def kill(self):
        self.process.kill()
        self.process.wait(timeout=10)

    def get(self, path, token=None):
        request = urllib.request.Request(self.http_url + path)
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read()

    def log(self, session, token):
        status, _, body = self.get(f"/sessions/{session}/log.json", token)
        assert status == 200, body
        return json.loads(body)


class Demo:
    """The demo branch: one secretary, twelve members, the oath session."""

    def __init__(self, data):
        self.data = data
        self.session = data["session"]["id"]
        self.host = next(m for m in data["members"] if m["secretary"])
        self.members = [m for m in data["members"] if not m["secretary"]]


class Client:
    """One device: a WebSocket speaking protocol v2, remembering what it saw."""

    def __init__(self, url, origin=None):
        self.url = url
        self.origin = origin
        self.ws = None
        self.seq = None
        self.events = []
        self.stream = []  # events and counts, in order
        self.welcome = None
        self.counter = 0
        self.inbox = []  # received, not yet looked for

    async def connect(self, token, since=None, session=None, watch=False):
        headers = {"Origin": self.origin} if self.origin else None
        self.ws = await websockets.connect(self.url, additional_headers=headers, max_size=None, max_queue=None)
        hello = {"type": "hello", "token": token}
        if since is not None:
            hello["since"] = since
        if session is not None:
            hello["session"] = session
        if watch:
            hello["watch"] = True
        await self.send(hello)
        self.welcome = await self.recv()
        assert self.welcome["type"] == "welcome", self.welcome
        self.seq = self.welcome["seq"]
        return self.welcome

    async def send(self, message):
        await self.ws.send(json.dumps(message, ensure_ascii=False))

    async def recv(self, timeout=5):
        message = json.loads(await asyncio.wait_for(self.ws.recv(), timeout))
        if message["type"] == "event":
            # Arrivals and departures (for members also others' answers and ballots) come as counts: seqs skip.
            assert message["seq"] > self.seq, f"duplicate or out of order: had {self.seq}, got {message['seq']}"
            self.seq = message["seq"]
            self.events.append(message)
            self.stream.append(message)
        elif message["type"] == "counts":
            assert message["seq"] >= self.seq, f"counts out of order: had {self.seq}, got {message['seq']}"
            self.seq = message["seq"]
            self.stream.append(message)
        return message

    async def cmd(self, name, id=None, **fields):
        """Sends a command; returns its id."""
        self.counter += 1
        id = id or f"c{self.counter}-{time.monotonic_ns()}"
        await self.send({"type": "cmd", "id": id, "cmd": name, **fields})
        return id

    async def until(self, predicate, timeout=5):
        """The first message, received before or from now on, that matches."""
        for index, message in enumerate(self.inbox):
            if predicate(message):
                return self.inbox.pop(index)
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("no matching message")
            message = await self.recv(remaining)
            if predicate(message):
                return message
            self.inbox.append(message)

    async def reply(self, id, timeout=5):
        """The ack or error for command `id`."""
        return await self.until(lambda m: m.get("id") == id and m["type"] in ("ack", "error"), timeout)

    async def ok(self, name, **fields):
        """Sends a command that must be acked; returns the ack."""
        id = await self.cmd(name, **fields)
        answer = await self.reply(id)
        assert answer["type"] == "ack", f"{name} refused: {answer}"
        return answer

    async def refused(self, name, code, **fields):
        id = await self.cmd(name, **fields)
        answer = await self.reply(id)
        assert answer["type"] == "error" and answer["code"] == code, answer
        assert answer["message"]
        return answer

    async def line(self, member, predicate=lambda line: True, timeout=5, after=0):
        """The first frame (an event or counts) after seq `after` carrying `member`'s attendance line that
        matches; returns (frame, line)."""
        def matching(message):
            lines = message.get("attendance") or []
            return next((l for l in lines if l["member"] == member and predicate(l)), None)
        message = await self.until(
            lambda m: m["type"] in ("event", "counts") and m["seq"] > after and matching(m) is not None, timeout)
        return message, matching(message)

    async def event(self, kind, timeout=5):
        return await self.until(lambda m: m["type"] == "event" and m["event"]["kind"] == kind, timeout)

    async def close(self):
        if self.ws:
            await self.ws.close()


async def started_session(server, data):
    """The secretary's device, with the demo session opened and started."""
    host = Client(server.ws_url)
    await host.connect(data.host["token"])
    await host.ok("session.open")
    await host.ok("session.start")
    return host


@pytest.fixture
def demo(tmp_path):
    db = tmp_path / "muster.sqlite"
    return Demo(muster("demo", db=db)), db


@pytest.fixture
def server(demo):
    data, db = demo
    running = Server(db, "--hello-timeout", "2", "--keepalive", "1").start()
    yield running
    running.stop()


async def eventually(predicate, timeout=10, message="condition"):
    """Waits until `predicate()` holds (a commit landed, a socket closed) instead of sleeping."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {message}")
        await asyncio.sleep(0.05)


def run(coroutine):
    return asyncio.run(coroutine)


@pytest.fixture
def browsers():
    """Opens headless Chromiums (width, height); on the way out, checks none broke the page's CSP."""
    from browser import chromium, csp_violations

    opened = []
    violations = []

    def open_browser(width=360, height=740, trust=None):
        driver = chromium(width, height, trust=trust)
        close = driver.quit

        def quit_checking():
            # Whatever the browser refused under the server's policy, before it goes.
            violations.extend(csp_violations(driver))
            close()
            driver.quit = lambda: None

        driver.quit = quit_checking
        opened.append(driver)
        return driver

    yield open_browser
    for driver in opened:
        driver.quit()
    assert violations == [], f"the page broke its own Content-Security-Policy: {violations}"
