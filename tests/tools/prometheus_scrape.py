#!/usr/bin/python3
"""A real Prometheus server scrapes argusd's /metrics with a bearer token.

usage: prometheus_scrape.py ARGUSD CONFIG WORKDIR

Starts `argusd --demo --http-port 0` with CONFIG (which names no tokens),
takes the URL it prints on standard output and the viewer token it makes
for the run from standard error, then starts Debian's `prometheus` with a
scrape job for it (interval 1 s) using that token, and asks Prometheus's
query API until it holds an argus engine series and a trading KPI scraped
from argusd. Prints what it found; exits 0 when all arrived, 1 otherwise.
"""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def query(port, expr):
    url = "http://127.0.0.1:%d/api/v1/query?%s" % (
        port, urllib.parse.urlencode({"query": expr}))
    with urllib.request.urlopen(url, timeout=5) as r:
        return json.load(r)["data"]["result"]


def main():
    argusd, base_config, work = sys.argv[1:4]
    os.makedirs(work, exist_ok=True)
    daemon = subprocess.Popen(
        [argusd, "--config", base_config, "--demo", "--demo-rate", "50",
         "--http-port", "0", "--log-level", "warn",
         "--db", os.path.join(work, "demo.db")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    prom = None
    try:
        ready = daemon.stdout.readline()
        m = re.search(r"url=http://127\.0\.0\.1:(\d+)", ready)
        if not m:
            print("argusd did not print its URL: %r" % ready)
            return 1
        target = "127.0.0.1:%s" % m.group(1)
        token = None
        for line in daemon.stderr:
            t = re.search(r"generated for this run: viewer token ([0-9a-f]{32})$",
                          line.strip())
            if t:
                token = t.group(1)
                break
        if not token:
            print("argusd did not print a viewer token")
            return 1
        # Keep reading both pipes so that argusd never blocks on them.
        for pipe in (daemon.stdout, daemon.stderr):
            threading.Thread(target=pipe.read, daemon=True).start()
        prom_port = free_port()
        prom_config = os.path.join(work, "prometheus.yml")
        with open(prom_config, "w") as f:
            f.write(
                "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n"
                "scrape_configs:\n  - job_name: argus\n"
                "    authorization:\n      credentials: %s\n"
                "    static_configs:\n      - targets: ['%s']\n"
                % (token, target))
        prom = subprocess.Popen(
            ["prometheus", "--config.file", prom_config,
             "--storage.tsdb.path", os.path.join(work, "tsdb"),
             "--web.listen-address", "127.0.0.1:%d" % prom_port],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wanted = {
            "up": 'up{job="argus"} == 1',
            "engine": 'argus_events_accepted_total{job="argus"}',
            "trading": 'argus_trading_fills{job="argus"}',
        }
        found = {}
        deadline = time.time() + 90
        while time.time() < deadline and len(found) < len(wanted):
            for name, expr in wanted.items():
                if name in found:
                    continue
                try:
                    result = query(prom_port, expr)
                except OSError:
                    result = []
                if result:
                    found[name] = result[0]["value"][1]
            time.sleep(0.5)
        for name in wanted:
            print("%s=%s" % (name, found.get(name, "missing")))
        return 0 if len(found) == len(wanted) else 1
    finally:
        for p in (prom, daemon):
            if p is not None:
                p.send_signal(signal.SIGTERM)
        for p in (prom, daemon):
            if p is not None:
                try:
                    p.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    p.kill()


if __name__ == "__main__":
    sys.exit(main())
