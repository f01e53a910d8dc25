#!/usr/bin/python3
"""`argusctl follow` and `argusctl top` against a real `argusd --demo`.

usage: live_cli.py ARGUSD ARGUSCTL CONFIG WORKDIR

Checks: `follow alerts` prints the demo's drift alert as it fires (within
two update intervals of the ML monitor's time stamp); `follow traces
--errors-only -o json` prints only failed requests, one JSON message a line
with per-topic sequence numbers that grow; a filter the server refuses
exits 2 with the server's reason; a wrong token exits 1 naming the 401;
`top -n 2` prints every component /api/status lists and an event rate.
Prints one line per check; exits 0 when all passed.
"""

import json
import os
import re
import subprocess
import sys
import time
import urllib.request

UPDATE_INTERVAL_S = 1.0


from demo_daemon import DemoDaemon, fail


def ctl(argusctl, base, token, *args, timeout=90):
    env = dict(os.environ, ARGUS_SERVER=base, ARGUS_TOKEN=token)
    return subprocess.run([argusctl, *args], env=env, capture_output=True,
                          text=True, timeout=timeout)


def main():
    argusd, argusctl, config, workdir = sys.argv[1:5]
    daemon = DemoDaemon(argusd, config, workdir + "/live_cli.db",
                        "--demo-drift-after", "4")
    base, token = daemon.url, daemon.token
    try:
        # One line each, read as they come: the alert is timed on arrival.
        env = dict(os.environ, ARGUS_SERVER=base, ARGUS_TOKEN=token)
        follow = subprocess.Popen(
            [argusctl, "follow", "alerts", "--severity", "low", "-n", "1",
             "-o", "json"], env=env, stdout=subprocess.PIPE, text=True)
        line = follow.stdout.readline()
        arrived = time.time()
        follow.wait(30)
        alert = json.loads(line)
        if alert.get("type") != "drift_alert" or alert.get("change") != "fired":
            fail("follow alerts printed %r" % line[:200])
        lag = arrived - alert["time_ns"] / 1e9
        if lag > 2 * UPDATE_INTERVAL_S:
            fail("the alert reached argusctl %.2f s after firing" % lag)
        print("follow alerts: %s %.3f s after firing" % (alert["message"], lag))

        r = ctl(argusctl, base, token, "follow", "traces", "--errors-only",
                "-n", "3", "-o", "json")
        msgs = [json.loads(x) for x in r.stdout.splitlines()]
        if r.returncode != 0 or len(msgs) != 3:
            fail("follow traces: rc %d, %r" % (r.returncode, r.stdout[:300]))
        for m in msgs:
            if m["type"] != "request" or not (m["status"] == "failed"
                                              or m["error_spans"] > 0):
                fail("errors-only let through %r" % m)
        seqs = [m["seq"] for m in msgs]
        if seqs != sorted(seqs) or len(set(seqs)) != 3:
            fail("sequence numbers do not grow: %r" % seqs)
        print("follow traces --errors-only: 3 failed requests, seqs", seqs)

        r = ctl(argusctl, base, token, "follow", "traces", "--component",
                "bogus")
        if r.returncode != 2 or "filter.component" not in r.stderr:
            fail("a refused filter: rc %d %r" % (r.returncode, r.stderr))
        print("refused filter:", r.stderr.strip())

        r = ctl(argusctl, base, "wrong", "follow", "status", "-n", "1")
        if r.returncode != 1 or "401" not in r.stderr:
            fail("a wrong token: rc %d %r" % (r.returncode, r.stderr))
        print("wrong token:", r.stderr.strip())

        r = ctl(argusctl, base, token, "top", "-n", "2")
        req = urllib.request.Request(base + "/api/status",
                                     headers={"Authorization": "Bearer " + token})
        with urllib.request.urlopen(req, timeout=10) as resp:
            ids = [c["id"] for c in json.load(resp)["components"]]
        frames = r.stdout.split("argus  ")[1:]
        if r.returncode != 0 or len(frames) != 2:
            fail("top -n 2: rc %d, %d frames" % (r.returncode, len(frames)))
        for i in ids:
            if not re.search(r"^%s\s+running" % i, frames[1], re.M):
                fail("top does not show %s running:\n%s" % (i, frames[1]))
        rate = re.search(r"events/s (\d+)", frames[1])
        if not rate or int(rate.group(1)) <= 0:
            fail("top shows no event rate: %r" % frames[1][:200])
        if not re.search(r"^exchange\s+\d+\.\d+\s+\d+\.\d+", frames[1], re.M):
            fail("top shows no latency of the exchange")
        print("top: %d components, %s events/s" % (len(ids), rate.group(1)))
    finally:
        daemon.stop()
    print("ok")


if __name__ == "__main__":
    main()
