"""HTTPS and WSS in Muster itself (`--tls-cert`, `--tls-key`), with a throwaway certificate made here."""

import asyncio
import http.client
import json
import signal
import ssl
import subprocess
import urllib.error
import urllib.request

import pytest
import websockets

from browser import status, wait
from conftest import Server, free_port, run


def certificate(folder, name):
    """A self-signed certificate for 127.0.0.1, valid two days: (certificate, key)."""
    cert, key = folder / f"{name}.pem", folder / f"{name}.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    return cert, key


def trusting(cert):
    context = ssl.create_default_context(cafile=str(cert))
    return context


@pytest.fixture
def tls_server(demo, tmp_path):
    data, db = demo
    cert, key = certificate(tmp_path, "server")
    running = Server(db, "--tls-cert", str(cert), "--tls-key", str(key)).start()
    yield running, cert, key
    running.stop()


def test_a_meeting_runs_over_https_and_wss_in_chromium(demo, tls_server, browsers):
    data, _ = demo
    server, cert, _ = tls_server
    assert server.http_url.startswith("https://")
    secretary = browsers(1024, 768, trust=cert)
    secretary.get(f"{server.http_url}/#t={data.host['token']}")
    wait(secretary, lambda d: status(d) == "online", 15, "the console never came online over wss")
    phone = browsers(360, 740, trust=cert)
    phone.get(f"{server.http_url}/#t={data.members[0]['token']}")
    wait(phone, lambda d: status(d) == "online", 15, "the member page never came online over wss")
    assert secretary.execute_script("return location.protocol") == "https:"

    with urllib.request.urlopen(f"{server.http_url}/healthz", context=trusting(cert)) as response:
        assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
        assert json.load(response)["connections"] == 2


def test_plain_http_and_ws_are_refused_when_tls_is_on(demo, tls_server):
    data, _ = demo
    server, cert, _ = tls_server
    with pytest.raises((urllib.error.URLError, ConnectionError, OSError)):
        urllib.request.urlopen(f"http://127.0.0.1:{server.port}/healthz", timeout=5)

    async def plain():
        async with websockets.connect(f"ws://127.0.0.1:{server.port}/ws", open_timeout=5) as ws:
            await ws.send(json.dumps({"type": "hello", "token": data.members[0]["token"]}))
            await ws.recv()

    with pytest.raises(Exception):
        run(plain())


def test_sighup_loads_a_renewed_certificate_without_dropping_anyone(demo, tls_server, tmp_path):
    data, _ = demo
    server, cert, key = tls_server
    renewed, renewed_key = certificate(tmp_path, "renewed")

    async def scenario():
        ws = await websockets.connect(server.ws_url, ssl=trusting(cert))
        await ws.send(json.dumps({"type": "hello", "token": data.members[0]["token"]}))
        assert json.loads(await asyncio.wait_for(ws.recv(), 5))["type"] == "welcome"
        # The renewal lands in the same files, then the server is told.
        cert.write_bytes(renewed.read_bytes())
        key.write_bytes(renewed_key.read_bytes())
        server.process.send_signal(signal.SIGHUP)
        await asyncio.sleep(0.5)
        served = ssl.get_server_certificate(("127.0.0.1", server.port))
        assert ssl.PEM_cert_to_DER_cert(served) == ssl.PEM_cert_to_DER_cert(renewed.read_text())
        # The phone connected before the renewal is still served (an answer to its command).
        await ws.send(json.dumps({"type": "cmd", "id": "c1", "cmd": "me.city", "city": "哈尔滨"}))
        while (answer := json.loads(await asyncio.wait_for(ws.recv(), 5))).get("id") != "c1":
            pass
        assert answer["type"] in ("ack", "error")
        await ws.close()

    run(scenario())


def test_plain_http_on_the_redirect_port_is_sent_to_the_https_address(demo, tmp_path):
    data, db = demo
    cert, key = certificate(tmp_path, "server")
    port, plain = free_port(), free_port()
    server = Server(db, "--listen", f"127.0.0.1:{port}", "--base-url", f"https://127.0.0.1:{port}",
                    "--tls-cert", str(cert), "--tls-key", str(key), "--redirect-http", f"127.0.0.1:{plain}")
    server.start()  # its own --listen wins over the default one before it
    try:
        connection = http.client.HTTPConnection("127.0.0.1", plain, timeout=5)
        connection.request("GET", "/")
        answer = connection.getresponse()
        assert answer.status == 301
        assert answer.getheader("Location") == f"https://127.0.0.1:{port}/"
        with urllib.request.urlopen(answer.getheader("Location") + "healthz", context=trusting(cert)) as page:
            assert page.status == 200
    finally:
        server.stop()
