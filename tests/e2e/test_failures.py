"""When the disk says no: a full disk (a small tmpfs; the tests run as root)
and a data file locked by another process. After a failed commit, the record's
presence matches the sockets again once writes work, hosts are told, and
nothing acknowledged is lost (the trust issue, finding 4)."""

import asyncio
import json
import os
import sqlite3
import subprocess
import threading
import time

import pytest

from conftest import Client, Server, eventually, muster, run, started_session


def attendance(server, data):
    status, _, body = server.get(f"/sessions/{data.session}/attendance.json", data.host["token"])
    assert status == 200, body
    return {line["member"]: line for line in json.loads(body)["attendance"]}


@pytest.fixture
def small_disk(tmp_path):
    mount = tmp_path / "disk"
    mount.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount)]).returncode != 0:
        pytest.skip("cannot mount a tmpfs here (the tests need root)")
    yield mount
    subprocess.run(["umount", "-l", str(mount)])


def fill(directory):
    """Fills the disk; returns the filler's path."""
    path = directory / "filler"
    # Unbuffered: a write cut short by the full disk leaves nothing for close() to fail on.
    with open(path, "wb", buffering=0) as f:
        try:
            while True:
                f.write(b"\0" * 65536)
        except OSError:
            pass
    return path


def test_a_full_disk_loses_no_presence_once_it_has_room_again(small_disk):
    db = small_disk / "muster.sqlite"
    from conftest import Demo
    data = Demo(muster("demo", db=db))
    server = Server(db).start()
    try:
        async def scenario():
            host = await started_session(server, data)
            leaving = Client(server.ws_url)
            await leaving.connect(data.members[0]["token"])
            await host.line(data.members[0]["id"], lambda l: l["presentNow"])
            filler = fill(small_disk)
            # Commits now fail: a join and a leave are lost, and a command is refused.
            arriving = Client(server.ws_url)
            await arriving.connect(data.members[1]["token"])
            await leaving.close()
            notice = await host.until(lambda m: m["type"] == "notice", timeout=10)
            assert notice["code"] == "save_failed", notice
            refused = await host.cmd("text.advance", line=1)
            answer = await host.reply(refused, timeout=10)
            assert answer["type"] == "error" and answer["code"] == "internal", answer

            os.remove(filler)
            recovered = await host.until(lambda m: m["type"] == "notice" and m["code"] == "save_recovered", timeout=10)
            assert recovered
            lines = attendance(server, data)
            assert lines[data.members[1]["id"]]["presentNow"] is True, "a connected member is recorded present"
            assert lines[data.members[0]["id"]]["presentNow"] is False, "a member who left is not counted present"
            await host.ok("text.advance", line=1)

        run(scenario())
    finally:
        server.stop()


def test_a_locked_file_delays_and_then_saves(demo):
    data, db = demo
    server = Server(db).start()
    try:
        async def scenario():
            host = await started_session(server, data)
            # Another program (a spreadsheet tool, a backup script) holds the write lock for 7 s.
            locker = sqlite3.connect(db, timeout=1, isolation_level=None, check_same_thread=False)
            locker.execute("BEGIN IMMEDIATE")
            release = threading.Timer(7, lambda: locker.execute("COMMIT"))
            release.start()
            arriving = Client(server.ws_url)
            await arriving.connect(data.members[2]["token"])
            notice = await host.until(lambda m: m["type"] == "notice", timeout=15)
            assert notice["code"] == "save_failed"
            await host.until(lambda m: m["type"] == "notice" and m["code"] == "save_recovered", timeout=15)
            release.join()
            locker.close()
            assert attendance(server, data)[data.members[2]["id"]]["presentNow"] is True
            started = time.monotonic()
            await host.ok("text.advance", line=2)
            assert time.monotonic() - started < 2, "acks flow again at once"

        run(scenario())
    finally:
        server.stop()
