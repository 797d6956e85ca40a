"""The HTTP edges: only GET and HEAD, no request bodies, a cap on open
connections per address, and security headers on every response, the page
still working under its policy (test_page.py checks the browser side)."""

import gzip
import http.client
import shutil
import socket
import time

from conftest import WEB, Server


def raw_request(server, text, timeout=3):
    with socket.create_connection(("127.0.0.1", server.port), timeout=timeout) as s:
        s.sendall(text.encode())
        data = b""
        try:
            while chunk := s.recv(4096):
                data += chunk
                if b"\r\n\r\n" in data:
                    break
        except socket.timeout:
            pass
        return data.decode(errors="replace")


def test_only_get_and_head_are_accepted(demo, server):
    for method in ("POST", "PUT", "DELETE", "OPTIONS", "PATCH"):
        for path in ("/", "/healthz", "/sessions/S1/attendance.csv"):
            answer = raw_request(server, f"{method} {path} HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
            assert answer.startswith("HTTP/1.1 405"), (method, path, answer[:80])
            assert "allow: get, head" in answer.lower()
    assert raw_request(server, "HEAD / HTTP/1.1\r\nHost: x\r\n\r\n").startswith("HTTP/1.1 200")


def test_a_slow_body_cannot_hold_a_connection(demo, server):
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as s:
        s.sendall(b"POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n")
        answer = b""
        try:
            while len(answer) < 200:
                s.sendall(b"a")  # one byte at a time, as a slowloris would
                chunk = s.recv(4096)
                if not chunk:
                    break
                answer += chunk
                time.sleep(0.05)
        except (ConnectionResetError, BrokenPipeError):
            pass
    assert answer.startswith(b"HTTP/1.1 405"), answer[:80]
    assert time.monotonic() - started < 5
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as s:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nabcde")
        assert s.recv(4096).startswith(b"HTTP/1.1 413")


def test_every_response_carries_the_security_headers(demo, server):
    data, _ = demo
    for path, token in (("/", None), ("/js/app.js", None), ("/healthz", None),
                        (f"/sessions/{data.session}/minutes.html", data.host["token"])):
        status, headers, _ = server.get(path, token)
        assert status == 200, path
        policy = headers["content-security-policy"]
        assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy, (path, policy)
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["x-frame-options"] == "DENY"


def test_the_pages_files_are_kept_by_the_browser_and_checked_again(demo, server):
    """A phone that loads the page again is answered 304 for each file it kept, not the file whole;
    what a secretary downloads (the record) is still never stored."""
    data, _ = demo
    for path in ("/", "/js/app.js", "/css/muster.css", "/office/", "/screen/"):
        status, headers, body = server.get(path)
        assert status == 200 and body, path
        assert headers["cache-control"] == "must-revalidate, private, max-age=1", (path, headers["cache-control"])
        etag = headers["etag"]
        answer = raw_request(server, f"GET {path} HTTP/1.1\r\nHost: x\r\nIf-None-Match: {etag}\r\n\r\n")
        assert answer.startswith("HTTP/1.1 304"), (path, answer[:80])
        assert "no-store" not in answer.lower(), (path, answer)
    status, headers, _ = server.get(f"/sessions/{data.session}/minutes.html", data.host["token"])
    assert status == 200 and headers["cache-control"] == "no-store"


def fetch(server, path, method="GET", **headers):
    """(status, headers with lower-case names, body) as the server sent them, nothing decoded."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    try:
        connection.request(method, path, headers=headers)
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


PAGE_FILES = ("/", "/js/app.js", "/css/muster.css", "/office/", "/screen/", "/geo/places.tsv", "/vendor/qrcode.js")


def test_the_pages_files_go_gzipped_to_a_browser_that_takes_it(demo, server):
    """A phone that accepts gzip downloads a third of the page; one that does not, the files as
    they are; each version has its own ETag, answered with 304."""
    for path in PAGE_FILES:
        status, plain_headers, plain = fetch(server, path)
        assert status == 200 and "content-encoding" not in plain_headers, (path, plain_headers)
        status, headers, body = fetch(server, path, **{"Accept-Encoding": "gzip, deflate, br"})
        assert status == 200 and headers["content-encoding"] == "gzip", (path, headers)
        assert gzip.decompress(body) == plain, path
        assert len(body) <= len(plain) * 0.9 and int(headers["content-length"]) == len(body), path
        assert headers["vary"] == plain_headers["vary"] == "accept-encoding", path
        assert headers["content-type"] == plain_headers["content-type"], path
        assert headers["cache-control"] == "must-revalidate, private, max-age=1", path
        assert headers["etag"] != plain_headers["etag"], "a cache must never take one version for the other"
        status, again, _ = fetch(server, path, **{"Accept-Encoding": "gzip", "If-None-Match": headers["etag"]})
        assert status == 304, (path, again)
        status, _, _ = fetch(server, path, **{"If-None-Match": headers["etag"]})
        assert status == 200, "the gzip's ETag is not the plain file's"
        status, head, nothing = fetch(server, path, "HEAD", **{"Accept-Encoding": "gzip"})
        assert status == 200 and nothing == b"" and head["content-length"] == headers["content-length"], path
    with open(WEB + "/js/app.js", "rb") as file:
        assert fetch(server, "/js/app.js")[2] == file.read()
    for path in ("/js/nope.js", "/favicon.ico"):
        assert fetch(server, path, **{"Accept-Encoding": "gzip"})[0] == 404, path
    status, headers, _ = fetch(server, "/screen", **{"Accept-Encoding": "gzip"})
    assert status == 301 and headers["location"].endswith("/screen/")


def test_what_the_server_makes_goes_gzipped_too_when_it_is_worth_it(demo, server):
    """The minutes, the sheets and the office's JSON are made for each request: a browser that
    takes gzip gets them gzipped (a county's run to megabytes), the same bytes once unpacked."""
    data, _ = demo
    bearer = {"Authorization": f"Bearer {data.host['token']}"}
    for path in (f"/sessions/{data.session}/minutes.html", "/api/branch", "/api/dashboard", "/api/map"):
        status, plain_headers, plain = fetch(server, path, **bearer)
        assert status == 200 and "content-encoding" not in plain_headers and len(plain) >= 1024, (path, len(plain))
        status, headers, body = fetch(server, path, **bearer, **{"Accept-Encoding": "gzip"})
        assert status == 200 and headers["content-encoding"] == "gzip", (path, headers)
        assert gzip.decompress(body) == plain and len(body) < len(plain), path
        assert int(headers["content-length"]) == len(body) and headers["cache-control"] == "no-store", path
        assert headers["content-type"] == plain_headers["content-type"], path
    # Small answers (the roll of a meeting not yet opened), and a spreadsheet (a zip already), go as they are.
    status, headers, _ = fetch(server, "/healthz", **{"Accept-Encoding": "gzip"})
    assert status == 200 and "content-encoding" not in headers
    status, headers, body = fetch(server, f"/sessions/{data.session}/attendance.csv", **bearer, **{"Accept-Encoding": "gzip"})
    assert status == 200 and "content-encoding" not in headers and body.startswith("\ufeff".encode())
    status, headers, body = fetch(server, f"/sessions/{data.session}/attendance.xlsx", **bearer, **{"Accept-Encoding": "gzip"})
    assert status == 200 and "content-encoding" not in headers and body[:2] == b"PK"
    status, headers, _ = fetch(server, f"/sessions/{data.session}/minutes.html", **{"Accept-Encoding": "gzip"})
    assert status == 401 and "content-encoding" not in headers


def test_a_file_changed_under_a_running_server_is_served_as_it_is_now(demo, tmp_path):
    """Files are gzipped once, not frozen: a page updated on disk goes out new, gzipped or not."""
    _, db = demo
    web = tmp_path / "web"
    shutil.copytree(WEB, web)
    server = Server(db, "--web", str(web)).start()
    try:
        script = web / "js" / "app.js"
        before = fetch(server, "/js/app.js", **{"Accept-Encoding": "gzip"})[2]
        assert gzip.decompress(before) == script.read_bytes()
        script.write_bytes(script.read_bytes() + b"\n// a newer page\n")
        status, _, after = fetch(server, "/js/app.js", **{"Accept-Encoding": "gzip"})
        assert status == 200 and gzip.decompress(after) == script.read_bytes()
        assert fetch(server, "/js/app.js")[2] == script.read_bytes()
    finally:
        server.stop()


def test_one_address_holds_a_capped_number_of_connections(demo):
    data, db = demo
    server = Server(db, "--max-connections-per-address", "8").start()
    try:
        held = [socket.create_connection(("127.0.0.1", server.port), timeout=3) for _ in range(8)]
        time.sleep(0.3)
        extra = socket.create_connection(("127.0.0.1", server.port), timeout=3)
        extra.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        try:
            refused = extra.recv(4096) == b""
        except ConnectionResetError:
            refused = True
        assert refused, "a ninth connection from one address is dropped"
        extra.close()
        for s in held:
            s.close()
        deadline = time.monotonic() + 5
        while True:  # the server notices the closes on its next pass
            try:
                if server.get("/healthz")[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "once they close, the address may connect again"
            time.sleep(0.05)
    finally:
        server.stop()
