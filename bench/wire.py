"""A bare WebSocket client that counts what crosses the wire: the bytes of a
message as sent, compressed (permessage-deflate) or not. Python's
`websockets` hides both, and the benchmarks run on the system's Python."""

import base64
import json
import os
import socket
import zlib


class Socket:
    """One WebSocket to a server on loopback; offers permessage-deflate, as browsers do."""

    def __init__(self, port, path="/ws"):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=60)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                           f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
                           "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n").encode())
        head = b""
        while b"\r\n\r\n" not in head:
            head += self.sock.recv(1)
        if b" 101 " not in head.split(b"\r\n")[0]:
            raise RuntimeError(f"the upgrade was refused: {head[:80]!r}")
        self.deflating = b"permessage-deflate" in head.lower()
        self.inflater = zlib.decompressobj(-15)
        self.buffered = b""

    def send(self, message):
        self.send_frame(json.dumps(message, ensure_ascii=False).encode())

    def send_frame(self, payload, first=0x81):
        """One masked frame, as a client sends it: `first` is its first byte (0x81: a whole text
        message; 0xC1: the same, compressed, with `payload` already deflated)."""
        mask, size = os.urandom(4), len(payload)
        if size < 126:
            length = bytes([0x80 | size])
        elif size < 1 << 16:
            length = bytes([0x80 | 126]) + size.to_bytes(2, "big")
        else:
            length = bytes([0x80 | 127]) + size.to_bytes(8, "big")
        key = int.from_bytes(mask * (size // 4 + 1), "little")
        masked = (int.from_bytes(payload, "little") ^ key).to_bytes(size + 4, "little")[:size]
        self.sock.sendall(bytes([first]) + length + mask + masked)

    def take(self, count):
        while len(self.buffered) < count:
            chunk = self.sock.recv(1 << 16)
            if not chunk:
                raise RuntimeError("the server closed the socket")
            self.buffered += chunk
        taken, self.buffered = self.buffered[:count], self.buffered[count:]
        return taken

    def receive(self):
        """The next message, and the bytes its frames took on the wire (headers included)."""
        parts, wire, compressed = [], 0, False
        while True:
            first, second = self.take(2)
            length, wire = second & 0x7F, wire + 2
            if length >= 126:
                size = 2 if length == 126 else 8
                length, wire = int.from_bytes(self.take(size), "big"), wire + size
            payload, wire = self.take(length), wire + length
            if first & 0x0F in (0x1, 0x2):
                compressed = bool(first & 0x40)
            if first & 0x0F in (0x0, 0x1, 0x2):
                parts.append(payload)
            if first & 0x80 and first & 0x0F in (0x0, 0x1, 0x2):
                break
        data = b"".join(parts)
        if compressed:
            data = self.inflater.decompress(data + b"\x00\x00\xff\xff")
        return json.loads(data), wire

    def close(self):
        self.sock.close()
