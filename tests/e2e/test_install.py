"""deploy/install and the service it sets up, run under a folder instead of / (no systemd here)."""

import shlex
import signal
import subprocess
import time
import urllib.request

from conftest import MUSTER, ROOT, muster


def installed(tmp_path):
    root = tmp_path / "root"
    out = subprocess.run(["bash", str(ROOT / "deploy" / "install"), "--root", str(root), "--binary", MUSTER,
                          "--listen", "127.0.0.1:0"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return root


def in_root(root, text):
    for folder in ("/opt/muster", "/var/lib/muster", "/var/backups/muster", "/etc/muster"):
        text = text.replace(folder, f"{root}{folder}")
    return text


def test_the_units_command_line_serves_the_page_from_the_installed_tree(tmp_path):
    root = installed(tmp_path)
    unit = (root / "etc/systemd/system/muster.service").read_text()
    exec_start = next(line for line in unit.splitlines() if line.startswith("ExecStart="))[len("ExecStart="):]
    env = (root / "etc/muster/muster.env").read_text().strip()
    options = shlex.split(env.split("=", 1)[1])[0]
    command = shlex.split(in_root(root, exec_start.replace("$MUSTER_OPTIONS", options)))
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        line = server.stdout.readline()
        assert "serving on" in line, line
        port = int(line.strip().rsplit(":", 1)[1])
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as page:
            assert b"<script" in page.read(), "the page was not found beside the installed binary"
        assert (root / "var/lib/muster/muster.sqlite").exists()
    finally:
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=15) == 0


def test_the_nightly_backup_keeps_the_newest_and_no_more(tmp_path):
    root = installed(tmp_path)
    data = root / "var/lib/muster/muster.sqlite"
    muster("demo", db=data)
    backups = root / "var/backups/muster"
    rotate = root / "opt/muster/bin/muster-backup-rotate"
    for _ in range(4):
        subprocess.run([str(rotate), str(data), str(backups), "2"], check=True, capture_output=True, timeout=60)
        time.sleep(1.1)  # backups are named by the second
    kept = sorted(backups.glob("muster-*.sqlite"))
    assert len(kept) == 2
    check = subprocess.run([MUSTER, "check", "--db", str(kept[-1])], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
