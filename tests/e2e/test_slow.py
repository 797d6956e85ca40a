"""One slow phone never slows the others down: it is closed (1008, too slow)
and its leave recorded, while the others get every frame; once it resumes
with `since`, it has lost nothing."""

import asyncio
import base64
import json
import os
import socket
import subprocess
import time

import pytest
import websockets

from conftest import Client, MUSTER, Server, run, started_session
from test_limits import raw_websocket, send_text


async def started(server, data):
    host = await started_session(server, data)
    return host


def test_one_slow_phone_is_closed_and_does_not_hold_up_the_others(demo):
    data, db = demo
    server = Server(db, "--queue-limit", "8", "--commands-per-second", "1000", "--replay-window", "2000").start()
    try:
        async def scenario():
            host = await started_session(server, data)
            await host.ok("thread.open", title="长帖")
            slow = raw_websocket(server.port, receive_buffer=4096)
            send_text(slow, json.dumps({"type": "hello", "token": data.members[0]["token"]}))
            joined, _ = await host.line(data.members[0]["id"], lambda l: l["presentNow"])
            fast = Client(server.ws_url)
            await fast.connect(data.members[1]["token"])
            body = "很长的发言" * 390
            start = time.monotonic()
            for _ in range(800):
                await host.ok("post.add", thread="T1", body=body)
            await fast.until(lambda m: m["type"] == "event" and m["event"].get("post") == "P800", timeout=20)
            assert time.monotonic() - start < 20
            # The slow phone is recorded as gone.
            left, _ = await host.line(data.members[0]["id"], lambda l: not l["presentNow"], timeout=10, after=joined["seq"])
            slow.close()
            # Back on a better network, the phone resumes from what it had. 800 events are more than
            # its queue of 8 can take at once, so it gets the whole state instead: nothing is lost.
            resumed = Client(server.ws_url)
            welcome = await resumed.connect(data.members[0]["token"], since=joined["seq"], session=host.welcome["session"])
            assert welcome["resumed"] is False and welcome["seq"] >= left["seq"]
            posts = [p["post"] for p in welcome["state"]["posts"]]
            assert posts == [f"P{n}" for n in range(1, 801)], "the resume lost or repeated a post"
            await resumed.close()
            await fast.close()
            await host.close()

        run(scenario())
    finally:
        server.stop()


def test_a_burst_the_server_makes_itself_does_not_close_a_device_that_reads(demo):
    """Commands that arrive together are committed together (one fsync), so their
    events and acks leave in one burst, here longer than the queue limit. The
    secretary's console reads everything: it is not slow, and must not be closed
    as too slow (it was, in the benchmark, after a slow flush of the disk). 30
    commands make at most 60 frames: more than the limit of 16, less than the 64
    (four times it) a connection may hold however it reads."""
    data, db = demo
    server = Server(db, "--queue-limit", "16", "--commands-per-second", "1000").start()
    try:
        async def scenario():
            host = await started_session(server, data)
            ids = [await host.cmd("text.advance", line=n % 2) for n in range(30)]
            answers = [await host.reply(id) for id in ids]
            assert [a["type"] for a in answers] == ["ack"] * 30
            await host.ok("text.advance", line=0)
            await host.close()

        run(scenario())
    finally:
        server.stop()


def read_frames(sock, wanted, timeout=30, pause=0.0):
    """The server's frames on a bare socket, as (opcode, payload), until `wanted` says it has
    what it waits for, reading at most 2 KB every `pause` seconds. Server frames are never masked."""
    sock.settimeout(timeout)
    buffered = b""

    def take(count):
        nonlocal buffered
        while len(buffered) < count:
            time.sleep(pause)
            chunk = sock.recv(2048)
            assert chunk, "the server closed the socket"
            buffered += chunk
        taken, buffered = buffered[:count], buffered[count:]
        return taken

    frames = []
    while not wanted(frames):
        first, second = take(2)
        assert first & 0x80 and not second & 0x80, f"not a whole unmasked frame: {first:#x} {second:#x}"
        length = second & 0x7F
        if length == 126:
            length = int.from_bytes(take(2), "big")
        elif length == 127:
            length = int.from_bytes(take(8), "big")
        frames.append((first & 0x0F, take(length)))
    return frames


def test_a_phone_that_reads_slowly_gets_every_frame_whole_and_in_order(demo):
    """When a socket takes only part of a frame (its phone is slow to read), lws keeps
    the rest and the frames after it wait in the connection's queue until the socket
    takes more. A phone that reads slowly all along, and one that stops and then reads
    again, get every frame: each one whole, none twice, in the order of the record."""
    data, db = demo
    server = Server(db, "--queue-limit", "400", "--commands-per-second", "1000").start()
    try:
        async def scenario():
            host = await started_session(server, data)
            await host.ok("thread.open", title="长帖")
            phones = []
            for member in data.members[:2]:
                phone = raw_websocket(server.port, receive_buffer=4096)
                send_text(phone, json.dumps({"type": "hello", "token": member["token"]}))
                await host.line(member["id"], lambda l: l["presentNow"])
                phones.append(phone)
            body = "很长的发言" * 390  # about 5.8 KB: 600 of them are more than a socket holds
            last_seq = {}

            def has_all(frames):
                return bool(frames) and frames[-1][0] == 1 and "last" in last_seq and \
                    json.loads(frames[-1][1]).get("seq", 0) >= last_seq["last"]

            # The first phone reads 2 KB every 2 ms while the posts come; the second reads nothing until the end.
            slow_reader = asyncio.get_running_loop().run_in_executor(
                None, lambda: read_frames(phones[0], has_all, pause=0.002))
            for _ in range(600):
                await host.ok("post.add", thread="T1", body=body)
            last_seq["last"] = (await host.ok("text.advance", line=1))["seq"]
            received = [await slow_reader, read_frames(phones[1], has_all)]
            for phone, frames in zip(phones, received):
                phone.close()
                messages = [json.loads(payload) for opcode, payload in frames if opcode == 1]
                assert messages[0]["type"] == "welcome"
                events = [m for m in messages[1:] if m["type"] == "event"]
                seqs = [e["seq"] for e in events]
                assert seqs == sorted(set(seqs)), "a frame was repeated or out of order"
                posts = [e["event"]["post"] for e in events if e["event"]["kind"] == "post.added"]
                assert posts == [f"P{n}" for n in range(1, 601)], "a post was lost"
                assert all(e["event"]["body"] == body for e in events if e["event"]["kind"] == "post.added")
                assert events[-1]["event"]["kind"] == "text.advanced"
            # Neither was too slow to keep: no departure is on the record before they hung up.
            log = server.log(data.session, data.host["token"])
            assert not [e for e in log if e["event"]["kind"] == "member.left" and e["seq"] <= last_seq["last"]]
            await host.close()

        run(scenario())
    finally:
        server.stop()
