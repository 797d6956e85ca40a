"""/metrics for Prometheus: its own loopback listener, counting what a meeting did."""

import re
import time
import urllib.error
import urllib.request

import pytest

from conftest import Client, Server, free_port, run, started_session


def sample(text, name, labels=""):
    match = re.search(rf"^{re.escape(name)}{re.escape(labels)} ([0-9.e+]+)$", text, re.MULTILINE)
    return float(match.group(1)) if match else None


def test_metrics_count_what_a_scripted_meeting_did(demo):
    data, db = demo
    port = free_port()
    server = Server(db, "--metrics-listen", f"127.0.0.1:{port}").start()
    try:
        async def meeting():
            host = await started_session(server, data)
            phones = []
            for member in data.members[:3]:
                phone = Client(server.ws_url)
                await phone.connect(member["token"])
                phones.append(phone)
            for line in range(1, 6):
                await host.ok("text.advance", line=line)
            for phone in phones:
                await phone.event("text.advanced")
            stranger = Client(server.ws_url)
            with pytest.raises(AssertionError):
                await stranger.connect("no-such-token")
            for client in [host, *phones]:
                await client.close()

        run(meeting())
        # The phones' departures are still being committed as they close: read until the two agree.
        deadline = time.monotonic() + 5
        while True:
            log = server.log(data.session, data.host["token"])
            text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
            if sample(text, "muster_events_committed_total") == len(log) or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        assert sample(text, "muster_events_committed_total") == len(log)
        assert sample(text, "muster_hellos_refused_total", '{reason="unauthorized"}') == 1
        # Five advances to four devices, besides welcomes, acks and counts.
        assert sample(text, "muster_frames_sent_total") >= 20
        assert sample(text, "muster_bytes_sent_total") > sample(text, "muster_frames_sent_total")
        assert sample(text, "muster_commit_seconds_count") >= 1
        assert "muster_connections" in text and "muster_sessions_live" in text
        # The page's listener has no /metrics, and the metrics' listener no page.
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(f"{server.http_url}/metrics", timeout=5)
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5)
    finally:
        server.stop()
