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
by reason. With NO_PUSH_CONFIG (enable_real_time_updates off), a second
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
        # Over the limit (64 KiB by default): Beast closes with 1009.
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


def socket_timeout():
    import socket
    return socket.timeout


def main():
    argusd, config, workdir = sys.argv[1:4]
    with DemoDaemon(argusd, config, workdir + "/demo.db") as daemon:
        asyncio.run(asyncio.wait_for(checks(daemon.ws, daemon.token), 90))
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
