#!/usr/bin/python3
"""A real WebSocket client (Debian's python3-websockets) against argusd.

usage: websocket_client.py ARGUSD CONFIG WORKDIR [NO_PUSH_CONFIG]

Starts `argusd --demo --http-port 0` with CONFIG (update_interval lowered by
the caller), then checks /ws as a browser or a script would use it: no
token -> refused before the upgrade (401); a viewer token as
`access_token` -> accepted with permessage-deflate negotiated; a bad request
-> an error naming the field; a metrics subscription -> a `subscribed`
answer, then live snapshots of the dashboard with per-topic sequence
numbers that grow by one; a snapshot request -> the last one; a message over
websocket_max_message_bytes -> closed with 1009; /metrics counts the closes
by reason; three clients' snapshots are deflated once for all three;
fragmented and compressed client messages are understood; RFC 6455's
failures (unmasked frame, bad UTF-8, bad key, wrong version) get their
codes, a ping its pong. With NO_PUSH_CONFIG (enable_real_time_updates off), a second
daemon pushes no metrics and answers a snapshot request with the dashboard
as it is. Prints one line per check; exits 0 when all passed.
"""

import asyncio
import json
import sys
import time

import websockets


from demo_daemon import DemoDaemon, fail


async def refused(url, status, what):
    try:
        async with websockets.connect(url):
            fail(what + ": the upgrade was accepted")
    except websockets.exceptions.InvalidStatusCode as e:
        if e.status_code != status:
            fail(f"{what}: HTTP {e.status_code}, not {status}")
    print(f"{what}: {status}")


async def checks(base, token):
    # Refused before the upgrade completes, with an HTTP status.
    await refused(base + "/ws", 401, "no token")
    await refused(base + "/ws?access_token=wrong", 401, "wrong token")
    await refused(base + "/elsewhere?access_token=" + token, 404,
                  "other path")

    async with websockets.connect(base + "/ws?access_token=" + token,
                                  max_size=None) as ws:
        ext = ws.response_headers.get("Sec-WebSocket-Extensions", "")
        if "permessage-deflate" not in ext:
            fail("permessage-deflate not negotiated: " + repr(ext))
        print("permessage-deflate:", ext)
        await ws.send(json.dumps({"op": "subscribe", "topic": "traces",
                                  "filter": {"severity": "high"}}))
        answer = json.loads(await asyncio.wait_for(ws.recv(), 5))
        if answer.get("type") != "error" or "filter.severity" not in answer.get(
                "reason", ""):
            fail("a bad filter was not refused by name: " + repr(answer))
        print("bad filter:", answer["reason"])
        await ws.send(json.dumps({"op": "subscribe", "topic": "metrics",
                                  "id": "m"}))
        answer = json.loads(await asyncio.wait_for(ws.recv(), 5))
        if answer != {"type": "subscribed", "topic": "metrics", "id": "m"}:
            fail("subscribe not answered: " + repr(answer))
        print("subscribed: metrics")
        seqs = []
        while len(seqs) < 3:
            msg = json.loads(await asyncio.wait_for(ws.recv(), 10))
            if msg.get("type") != "metrics":
                fail("unexpected message on metrics: " + repr(msg)[:200])
            if "dashboard" not in msg or not isinstance(msg["dashboard"],
                                                         dict):
                fail("a metrics message without the dashboard")
            seqs.append(msg["seq"])
        if seqs != list(range(seqs[0], seqs[0] + 3)):
            fail("sequence numbers do not grow by one: " + repr(seqs))
        print("metrics seqs:", seqs)
        await ws.send(json.dumps({"op": "snapshot", "topic": "metrics"}))
        while True:
            msg = json.loads(await asyncio.wait_for(ws.recv(), 10))
            if msg.get("seq", 0) >= seqs[-1]:
                break
        print("snapshot seq:", msg["seq"])
        # Over the limit (64 KiB by default): closed with 1009.
        await ws.send("x" * (70 * 1024))
        try:
            while True:
                await asyncio.wait_for(ws.recv(), 10)
        except websockets.exceptions.ConnectionClosed as e:
            if e.code != 1009:
                fail(f"an oversized message closed with {e.code}, not 1009")
        print("oversized: 1009")


def raw_silent_client(base, token):
    """A client that upgrades, subscribes to everything, then never reads
    again (so it never answers a ping), with a tiny receive buffer."""
    import base64
    import os
    import socket
    host, port = base[len("ws://"):].split(":")
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect((host, int(port)))
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall(("GET /ws?access_token=%s HTTP/1.1\r\nHost: %s:%s\r\n"
                  "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                  "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n"
                  % (token, host, port, key)).encode())
    head = b""
    while b"\r\n\r\n" not in head:
        head += sock.recv(1)
    if b" 101 " not in head.split(b"\r\n")[0]:
        fail("the silent client was not upgraded: %r" % head[:100])
    for topic in ("metrics", "traces", "status", "tracking", "alerts"):
        payload = json.dumps({"op": "subscribe", "topic": topic}).encode()
        mask = os.urandom(4)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        sock.sendall(bytes([0x81, 0x80 | len(payload)]) + mask + masked)
    return sock


async def slow_and_silent(base, token, idle_timeout_s):
    """A client that stops reading neither slows the others nor stays: a
    reading client gets every snapshot on time meanwhile, and the silent
    one is closed once its heartbeat goes unanswered."""
    sock = raw_silent_client(base, token)
    opened = time.time()
    async with websockets.connect(base + "/ws?access_token=" + token,
                                  max_size=None) as ws:
        await ws.send(json.dumps({"op": "subscribe", "topic": "metrics"}))
        json.loads(await asyncio.wait_for(ws.recv(), 5))  # subscribed
        seqs, gaps, last = [], [], time.time()
        while time.time() - opened < idle_timeout_s + 3:
            msg = json.loads(await asyncio.wait_for(ws.recv(), 5))
            now = time.time()
            gaps.append(now - last)
            last = now
            seqs.append(msg["seq"])
        if seqs != list(range(seqs[0], seqs[0] + len(seqs))):
            fail("the reading client missed snapshots: %r" % seqs)
        # update_interval is 500 ms: a snapshot late by more than another
        # interval means the silent client held the others up.
        if max(gaps[1:]) > 1.0:
            fail("a snapshot came %.2f s after the one before" % max(gaps[1:]))
        print("reading client beside a silent one: %d snapshots in order, "
              "largest gap %.2f s" % (len(seqs), max(gaps[1:])))
    # The silent client was closed: what it was sent ends in EOF.
    sock.setblocking(True)
    sock.settimeout(10)
    closed = False
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                closed = True
                break
    except ConnectionResetError:
        closed = True
    except socket_timeout():
        pass  # still open 10 s on: not closed
    if not closed:
        fail("the silent client was never closed")
    print("silent client closed by the server (heartbeat timeout %g s)"
          % idle_timeout_s)


def live_counters(url, token):
    """The argus_live_* samples of /metrics, by series text."""
    import urllib.request
    req = urllib.request.Request(url + "/metrics",
                                 headers={"Authorization": "Bearer " + token})
    with urllib.request.urlopen(req, timeout=10) as r:
        text = r.read().decode()
    found = {}
    for line in text.splitlines():
        if line.startswith("argus_live_"):
            series, value = line.rsplit(" ", 1)
            found[series] = float(value)
    return found


def check_live_counters(url, token, interval_s):
    want = {'argus_live_closed_total{reason="heartbeat"}': 1,
            'argus_live_closed_total{reason="too_big"}': 1,
            'argus_live_messages_total{topic="metrics"}': 3}
    deadline = time.monotonic() + 10 * interval_s + 5
    while True:
        found = live_counters(url, token)
        if all(found.get(k, 0) >= v for k, v in want.items()):
            break
        if time.monotonic() > deadline:
            fail("/metrics lacks the live counters: " + repr(found))
        time.sleep(interval_s)
    print("live counters on /metrics:",
          ", ".join("%s=%g" % (k, found[k]) for k in sorted(want)))


async def no_push(base, token, interval_s):
    async with websockets.connect(base + "/ws?access_token=" + token,
                                  max_size=None) as ws:
        await ws.send(json.dumps({"op": "subscribe", "topic": "metrics"}))
        json.loads(await asyncio.wait_for(ws.recv(), 5))  # subscribed
        try:
            msg = await asyncio.wait_for(ws.recv(), 3 * interval_s)
            fail("a snapshot was pushed with real-time updates off: "
                 + repr(msg)[:200])
        except asyncio.TimeoutError:
            pass
        print("real-time off: nothing pushed in %g s" % (3 * interval_s))
        await ws.send(json.dumps({"op": "snapshot", "topic": "metrics"}))
        msg = json.loads(await asyncio.wait_for(ws.recv(), 10))
        if msg.get("type") != "metrics" or not isinstance(
                msg.get("dashboard"), dict) or "metrics" not in msg[
                    "dashboard"]:
            fail("a snapshot request was not answered with the dashboard: "
                 + repr(msg)[:200])
        print("real-time off: snapshot on request, %d series"
              % len(msg["dashboard"]["metrics"]))


def api_counters(url, token):
    import urllib.request
    req = urllib.request.Request(url + "/api/status",
                                 headers={"Authorization": "Bearer " + token})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read().decode())["counters"]


async def shared_compression(base, url, token):
    """Three clients on metrics: each snapshot is deflated once and the same
    bytes go to all three (a compressor per client would deflate it three
    times); each client inflates it to the same dashboard."""
    clients = [await websockets.connect(base + "/ws?access_token=" + token,
                                        max_size=None) for _ in range(3)]
    try:
        for ws in clients:
            await ws.send(json.dumps({"op": "subscribe", "topic": "metrics"}))
            json.loads(await asyncio.wait_for(ws.recv(), 5))  # subscribed
        for ws in clients:  # the snapshot under way when they subscribed
            json.loads(await asyncio.wait_for(ws.recv(), 10))
        before = api_counters(url, token)
        texts = [[], [], []]
        for _ in range(4):
            for i, ws in enumerate(clients):
                texts[i].append(await asyncio.wait_for(ws.recv(), 10))
        after = api_counters(url, token)
    finally:
        for ws in clients:
            await ws.close()
    for a, b in zip(texts[0], texts[1]):
        if a != b:
            fail("two clients inflated different texts for one snapshot")
    frames = (after["gateway_websocket_frames_compressed"]
              - before["gateway_websocket_frames_compressed"])
    deflated = (after["gateway_websocket_messages_deflated"]
                - before["gateway_websocket_messages_deflated"])
    if frames < 12 or deflated < 1 or frames < 2.5 * deflated:
        fail("compressed frames %d for %d deflations: not shared"
             % (frames, deflated))
    print("shared compression: %d compressed frames from %d deflations"
          % (frames, deflated))


def raw_upgrade(base, token, key=None, version="13", extensions=None):
    """A handshake by hand; returns (socket, status line, head)."""
    import base64
    import os
    import socket
    host, port = base[len("ws://"):].split(":")
    sock = socket.create_connection((host, int(port)), timeout=10)
    key = key if key is not None else base64.b64encode(os.urandom(16)).decode()
    head = ("GET /ws?access_token=%s HTTP/1.1\r\nHost: %s:%s\r\n"
            "Upgrade: websocket\r\nConnection: Upgrade\r\n"
            "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: %s\r\n"
            % (token, host, port, key, version))
    if extensions:
        head += "Sec-WebSocket-Extensions: %s\r\n" % extensions
    sock.sendall((head + "\r\n").encode())
    got = b""
    while b"\r\n\r\n" not in got:
        chunk = sock.recv(1)
        if not chunk:
            break
        got += chunk
    return sock, got.split(b"\r\n")[0].decode(), got.decode()


def masked(first, payload):
    import os
    mask = os.urandom(4)
    n = len(payload)
    head = bytes([first])
    if n < 126:
        head += bytes([0x80 | n])
    else:
        head += bytes([0x80 | 126, n >> 8, n & 0xff])
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


def read_frame(sock):
    def exactly(n):
        data = b""
        while len(data) < n:
            chunk = sock.recv(n - len(data))
            if not chunk:
                fail("the connection ended inside a frame")
            data += chunk
        return data
    b0, b1 = exactly(2)
    n = b1 & 0x7f
    if n == 126:
        n = int.from_bytes(exactly(2), "big")
    elif n == 127:
        n = int.from_bytes(exactly(8), "big")
    return b0 & 0x0f, exactly(n)


def close_code_after(sock, frame):
    """Sends `frame`; returns the code of the server's close frame."""
    sock.sendall(frame)
    while True:
        op, payload = read_frame(sock)
        if op == 0x8:
            return int.from_bytes(payload[:2], "big") if payload else None


async def protocol_edges(base, token):
    # Handshakes the server cannot accept are answered in HTTP.
    sock, status, _ = raw_upgrade(base, token, key="short")
    sock.close()
    if " 400 " not in status + " ":
        fail("a bad Sec-WebSocket-Key was answered " + status)
    sock, status, head = raw_upgrade(base, token, version="8")
    sock.close()
    if " 426 " not in status + " " or "Sec-WebSocket-Version: 13" not in head:
        fail("version 8 was answered " + status)
    print("handshake: bad key 400, version 8 426")
    # An offer the shared compressor cannot honour: no compression.
    sock, status, head = raw_upgrade(
        base, token, extensions="permessage-deflate; server_max_window_bits=10")
    sock.close()
    if " 101 " not in status + " " or "permessage-deflate" in head:
        fail("a 10-bit server window was accepted: " + head)
    # A ping is answered with its payload; an unmasked frame fails the
    # connection with 1002, text that is not UTF-8 with 1007.
    sock, status, _ = raw_upgrade(base, token)
    sock.sendall(masked(0x89, b"are you there"))
    op, payload = read_frame(sock)
    if op != 0xa or payload != b"are you there":
        fail("a ping was answered %r %r" % (op, payload))
    code = close_code_after(sock, bytes([0x81, 0x02]) + b"hi")
    sock.close()
    if code != 1002:
        fail("an unmasked frame closed with %r, not 1002" % code)
    sock, status, _ = raw_upgrade(base, token)
    code = close_code_after(sock, masked(0x81, b"\xc3\x28"))
    sock.close()
    if code != 1007:
        fail("invalid UTF-8 closed with %r, not 1007" % code)
    print("frames: ping answered, unmasked 1002, bad UTF-8 1007")
    # A message sent in fragments (compressed by the client: RSV1 on the
    # first frame only) is one request.
    async with websockets.connect(base + "/ws?access_token=" + token,
                                  max_size=None) as ws:
        request = json.dumps({"op": "subscribe", "topic": "status",
                              "id": "in-pieces"})
        await ws.send([request[:10], request[10:25], request[25:]])
        answer = json.loads(await asyncio.wait_for(ws.recv(), 5))
        if answer != {"type": "subscribed", "topic": "status",
                      "id": "in-pieces"}:
            fail("a fragmented request was answered " + repr(answer))
    print("a fragmented, compressed request understood")


def socket_timeout():
    import socket
    return socket.timeout


def main():
    argusd, config, workdir = sys.argv[1:4]
    with DemoDaemon(argusd, config, workdir + "/demo.db") as daemon:
        asyncio.run(asyncio.wait_for(checks(daemon.ws, daemon.token), 90))
        asyncio.run(asyncio.wait_for(
            shared_compression(daemon.ws, daemon.url, daemon.token), 60))
        asyncio.run(asyncio.wait_for(protocol_edges(daemon.ws, daemon.token),
                                     60))
        asyncio.run(asyncio.wait_for(
            slow_and_silent(daemon.ws, daemon.token, 3.0), 60))
        check_live_counters(daemon.url, daemon.token, 0.5)
    if len(sys.argv) > 4:
        with DemoDaemon(argusd, sys.argv[4], workdir + "/nopush.db") as daemon:
            asyncio.run(asyncio.wait_for(
                no_push(daemon.ws, daemon.token, 0.5), 60))
    print("ok")


if __name__ == "__main__":
    main()
