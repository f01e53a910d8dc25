"""A real `argusd --demo` for the Python tests: started on an ephemeral
port with the caller's config, its URL and generated viewer token read from
what it prints, its pipes drained so it never blocks, stopped with SIGTERM.
"""

import re
import subprocess
import sys
import threading


def fail(why):
    print("FAIL", why)
    sys.exit(1)


class DemoDaemon:
    def __init__(self, argusd, config, db, *extra):
        self.proc = subprocess.Popen(
            [argusd, "--config", config, "--demo", "--http-port", "0",
             "--db", db, "--log-level", "warn", *extra],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        ready = self.proc.stdout.readline()
        m = re.search(r"url=(http://(127\.0\.0\.1:\d+))", ready)
        if not m:
            self.proc.kill()
            fail("argusd did not print its URL: %r" % ready)
        self.url = m.group(1)           # http://127.0.0.1:PORT
        self.ws = "ws://" + m.group(2)  # ws://127.0.0.1:PORT
        self.token = None
        for line in self.proc.stderr:
            t = re.search(r"viewer token ([0-9a-f]{32})$", line.strip())
            if t:
                self.token = t.group(1)
                break
        if not self.token:
            self.proc.kill()
            fail("argusd did not print a viewer token")
        for pipe in (self.proc.stdout, self.proc.stderr):
            threading.Thread(target=pipe.read, daemon=True).start()

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
