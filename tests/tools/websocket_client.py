#!/usr/bin/python3
"""A real WebSocket client (Debian's python3-websockets) against argusd.

usage: websocket_client.py ARGUSD CONFIG WORKDIR

Starts `argusd --demo --http-port 0` with CONFIG (update_interval lowered by
the caller), then checks /ws as a browser or a script would use it: no
token -> refused before the upgrade (401); a viewer token as
`access_token` -> accepted with permessage-deflate negotiated; a bad request
-> an error naming the field; a metrics subscription -> a `subscribed`
answer, then live snapshots of the dashboard with per-topic sequence
numbers that grow by one; a snapshot request -> the last one; a message over
websocket_max_message_bytes -> closed with 1009. Prints one line per check;
exits 0 when all passed.
"""

import asyncio
import json
import re
import subprocess
import sys
import threading

import websockets


def fail(why):
    print("FAIL", why)
    sys.exit(1)


def start(argusd, config, workdir):
    proc = subprocess.Popen(
        [argusd, "--config", config, "--demo", "--http-port", "0",
         "--db", workdir + "/demo.db", "--log-level", "warn"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    ready = proc.stdout.readline()
    m = re.search(r"url=http://(127\.0\.0\.1:\d+)", ready)
    if not m:
        proc.kill()
        fail("argusd did not print its URL: %r" % ready)
    token = None
    for line in proc.stderr:
        t = re.search(r"viewer token ([0-9a-f]{32})$", line.strip())
        if t:
            token = t.group(1)
            break
    if not token:
        proc.kill()
        fail("argusd did not print a viewer token")
    # Keep reading both pipes so that argusd never blocks on them.
    for pipe in (proc.stdout, proc.stderr):
        threading.Thread(target=pipe.read, daemon=True).start()
    return proc, "ws://" + m.group(1), token


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


def main():
    argusd, config, workdir = sys.argv[1:4]
    proc, base, token = start(argusd, config, workdir)
    try:
        asyncio.run(asyncio.wait_for(checks(base, token), 90))
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
    print("ok")


if __name__ == "__main__":
    main()
