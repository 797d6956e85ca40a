"""Backups, restores and checks of the data file (`muster backup`, `restore`, `check`)."""

import asyncio
import hashlib
import json
import sqlite3
import subprocess

from conftest import MUSTER, Server, run, started_session


def muster_cli(*args):
    return subprocess.run([MUSTER, *args], capture_output=True, text=True, timeout=60)


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_backup_taken_mid_meeting_under_load_holds_every_ack_before_it(demo, tmp_path):
    data, db = demo
    server = Server(db, "--commands-per-second", "1000").start()
    backup = tmp_path / "backup.sqlite"
    acked = {}  # command id -> seq
    before_backup = {}

    async def scenario():
        host = await started_session(server, data)
        await host.ok("thread.open", title="备份测试")
        ids = [await host.cmd("post.add", id=f"p{i}", thread="T1", body=f"p{i}") for i in range(400)]

        async def read_acks():
            while len(acked) < len(ids):
                message = await host.recv(10)
                if message["type"] == "ack":
                    acked[message["id"]] = message["seq"]

        reader = asyncio.create_task(read_acks())
        while len(acked) < 100:
            await asyncio.sleep(0.005)
        # The backup starts while posts are still being committed.
        before_backup.update(acked)
        out = await asyncio.to_thread(muster_cli, "backup", str(backup), "--db", str(db))
        assert out.returncode == 0, out.stderr
        await reader
        await host.close()

    try:
        run(scenario())
    finally:
        server.stop()
    assert len(before_backup) < len(acked), "the backup was not taken mid-meeting"

    restored = tmp_path / "restored.sqlite"
    out = muster_cli("restore", str(backup), "--db", str(restored))
    assert out.returncode == 0, out.stderr
    assert muster_cli("check", "--db", str(restored)).returncode == 0
    log = json.loads(muster_cli("export", "log", data.session, "--db", str(restored)).stdout)
    bodies = {entry["seq"]: entry["event"].get("body") for entry in log}
    for id, seq in before_backup.items():
        assert bodies.get(seq) == id, f"acked {id} at seq {seq} before the backup, missing from it"


def test_check_names_a_damaged_session_and_restore_will_not_put_it_back(demo, tmp_path):
    data, db = demo
    server = Server(db).start()

    async def meeting():
        host = await started_session(server, data)
        await host.ok("text.advance", line=2)
        await host.close()

    run(meeting())
    server.stop()
    good = tmp_path / "good.sqlite"
    damaged = tmp_path / "damaged.sqlite"
    assert muster_cli("backup", str(good), "--db", str(db)).returncode == 0
    assert muster_cli("backup", str(damaged), "--db", str(db)).returncode == 0
    with sqlite3.connect(damaged) as connection:
        connection.execute("UPDATE event SET body = '{\"kind\":\"nonsense\"}' WHERE sessionId = ? AND seq = 2",
                           (data.session,))

    out = muster_cli("check", "--db", str(damaged))
    assert out.returncode == 1
    assert data.session in out.stderr and "event 2" in out.stderr, out.stderr
    assert muster_cli("check", "--db", str(good)).returncode == 0

    before = digest(db)
    out = muster_cli("restore", str(damaged), "--db", str(db))
    assert out.returncode == 1 and data.session in out.stderr, out.stderr
    assert digest(db) == before, "a damaged backup changed the data file"
    assert not (tmp_path / "muster.sqlite.before-restore").exists()

    out = muster_cli("restore", str(good), "--db", str(db))
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "muster.sqlite.before-restore").exists()
    assert muster_cli("check", "--db", str(db)).returncode == 0
