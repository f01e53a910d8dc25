"""Reports delivered by a real argusd to real SMTP servers on loopback
(Debian python3-aiosmtpd), read back with Python's e-mail parser and
poppler (pdftotext, pdftoppm).

  report_delivery.py ARGUSD ARGUSCTL WORKDIR CA_PEM SERVER_CERT SERVER_KEY

Four argusd runs, each with --demo (a bot trading):
  main     the four reports on a cron schedule of every minute, mailed over
           STARTTLS verified against a test CA, with AUTH; on-demand reports
           over the API, their figures against the API's; a custom report
           added over the API that survives a restart
  refused  use_tls against a server that offers no STARTTLS: nothing sent,
           the run failed with the reason
  down     the server is down when the run starts and comes up later: the
           run retries and the mail arrives once
  plain    use_tls off, AUTH in clear text on loopback: sent
and argusctl reports, offline and with --server, against the main run.
Prints one line per check; exits 1 at the first failure.
"""

import email
import email.policy
import json
import os
import pathlib
import re
import socket
import ssl
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

PASSWORD = "s3cret-smtp-pass-77"
USER = "argus"
ARGUSCTL = None
TYPES = ["executive_summary", "model_analysis", "performance_summary",
         "risk_assessment"]


def fail(why):
    print("FAIL", why, flush=True)
    sys.exit(1)


def check(cond, what):
    if not cond:
        fail(what)
    print("ok", what, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- SMTP servers ---------------------------------------------------------


class Sink:
    """Keeps every message with its envelope, TLS state and login."""

    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append({
                "bytes": envelope.original_content or envelope.content,
                "mail_from": envelope.mail_from,
                "rcpt": list(envelope.rcpt_tos),
                "tls": server.transport.get_extra_info("ssl_object")
                is not None,
                "user": session.auth_data.decode()
                if isinstance(session.auth_data, bytes) else None,
            })
        return "250 Message accepted for delivery"

    def count(self):
        with self.lock:
            return len(self.messages)


def authenticator(server, session, envelope, mechanism, data):
    ok = (isinstance(data, LoginPassword) and data.login == USER.encode()
          and data.password == PASSWORD.encode())
    return AuthResult(success=ok, handled=False,
                      auth_data=data.login if ok else None)


def smtp_server(port, sink, cert=None, key=None, auth=True):
    kw = {}
    if cert:
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(cert, key)
        kw.update(tls_context=tls, require_starttls=True)
    if auth:
        kw.update(authenticator=authenticator, auth_required=True,
                  auth_require_tls=bool(cert))
    ctl = Controller(sink, hostname="127.0.0.1", port=port, ready_timeout=5,
                     **kw)
    ctl.start()
    return ctl


# -- argusd ---------------------------------------------------------------


class Argusd:
    def __init__(self, argusd, workdir, name, config, db):
        self.log = workdir / (name + ".stderr")
        self.err = open(self.log, "w")
        env = dict(os.environ, ARGUS_TEST_SMTP_PASSWORD=PASSWORD)
        self.proc = subprocess.Popen(
            [argusd, "--config", str(config), "--demo", "--http-port", "0",
             "--db", str(db), "--log-level", "info"],
            stdout=subprocess.PIPE, stderr=self.err, text=True, env=env)
        line = self.proc.stdout.readline()
        m = re.search(r"url=(http://127\.0\.0\.1:\d+)", line)
        if not m:
            self.proc.kill()
            fail("%s: argusd did not print its URL: %r %s" %
                 (name, line, self.log.read_text()[-2000:]))
        self.url = m.group(1)
        threading.Thread(target=self.proc.stdout.read, daemon=True).start()
        self.tokens = {}
        deadline = time.time() + 10
        while len(self.tokens) < 3 and time.time() < deadline:
            for role, token in re.findall(
                    r"generated for this run: (\w+) token ([0-9a-f]+)",
                    self.log.read_text()):
                self.tokens[role] = token
            time.sleep(0.05)
        if "admin" not in self.tokens or "viewer" not in self.tokens:
            fail("%s: no admin and viewer tokens printed" % name)

    def request(self, method, path, body=None, role="admin", timeout=30):
        headers = {}
        if role:
            headers["Authorization"] = "Bearer " + self.tokens[role]
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        req = urllib.request.Request(self.url + path, data=data,
                                     headers=headers, method=method)
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                return r.status, dict(r.headers), r.read()
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read()

    def get_json(self, path, role="viewer"):
        code, _, body = self.request("GET", path, role=role)
        if code != 200:
            fail("GET %s: %d %s" % (path, code, body[:300]))
        return json.loads(body)

    def history(self):
        return self.get_json("/api/reports/history?limit=100")["runs"]

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            fail("argusd did not stop on SIGTERM")
        self.err.close()
        return self.proc.returncode


def write_config(path, port, use_tls, ca, automated, reports=""):
    path.write_text(f"""monitoring:
  storage:
    batch_interval: 50ms
  runtime:
    threads: 2
  report_scheduler:
    enable_automated_reports: {"true" if automated else "false"}
    time_zone: Europe/Berlin
    output_directory: reports
    retry_initial: 500ms
    retry_max_age: 40s
    default_recipients: ["desk@example.com"]
{reports}    email:
      smtp_server: 127.0.0.1
      smtp_port: {port}
      username: {USER}
      password: "${{ARGUS_TEST_SMTP_PASSWORD}}"
      use_tls: {"true" if use_tls else "false"}
      ca_file: "{ca}"
      from_address: argus@example.com
      reply_to: desk@example.com
      timeout: 10s
""")


def wait_for(what, cond, seconds):
    deadline = time.time() + seconds
    while time.time() < deadline:
        got = cond()
        if got:
            return got
        time.sleep(0.2)
    fail("timed out after %ds waiting for %s" % (seconds, what))


def run_of(d, file_path, final=True):
    """The history row of the run that wrote `file_path`."""
    for r in d.history():
        if r["file_path"] == file_path and (
                not final or r["status"] != "sending"):
            return r
    return None


# -- the message as a mail client reads it --------------------------------


def parse_mail(raw):
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    for h in ("From", "Reply-To", "To", "Date", "Subject", "Message-ID"):
        if not msg[h]:
            fail("header %s missing: %s" % (h, raw[:600]))
    if msg.get_content_type() != "multipart/mixed":
        fail("top level is %s" % msg.get_content_type())
    html, images, attachments = None, {}, []
    for part in msg.walk():
        ct = part.get_content_type()
        if part.get_content_disposition() == "attachment" or \
                part.get_filename():
            attachments.append((part.get_filename(), ct,
                                part.get_payload(decode=True)))
        elif ct == "text/html":
            html = part.get_content()
        elif ct == "image/png":
            images[part["Content-ID"].strip("<>")] = part.get_payload(
                decode=True)
    return msg, html, images, attachments


def check_mail(m, expect_type, files):
    msg, html, images, attachments = parse_mail(m["bytes"])
    check(msg["From"].addresses[0].addr_spec == "argus@example.com"
          and str(msg["Reply-To"]) == "desk@example.com",
          "%s: From and Reply-To as configured" % expect_type)
    check(re.fullmatch(r"<[^<>@\s]+@[^<>@\s]+>", str(msg["Message-ID"]))
          is not None and msg["Date"].datetime is not None,
          "%s: a Message-ID and an RFC 5322 Date" % expect_type)
    check(html and "<html" in html and "http://" not in html,
          "%s: an HTML body that needs no network" % expect_type)
    cids = re.findall(r'src="cid:([^"]+)"', html)
    check(all(c in images and images[c].startswith(b"\x89PNG") for c in cids)
          and "data:image" not in html,
          "%s: %d charts as inline PNG parts the HTML names by cid"
          % (expect_type, len(cids)))
    check(len(attachments) == 1, "%s: one attachment" % expect_type)
    name, ct, payload = attachments[0]
    path = files.get(name)
    check(path is not None and pathlib.Path(path).read_bytes() == payload,
          "%s: the attachment %s is byte-identical to the file written"
          % (expect_type, name))
    return msg, html, cids


def money(x):
    s = "{:,.2f}".format(abs(x))
    return ("-" if x < 0 and s != "0.00" else "") + s


def pdftotext(path):
    r = subprocess.run(["pdftotext", "-layout", str(path), "-"],
                       capture_output=True, text=True)
    if r.returncode != 0:
        fail("pdftotext: %s" % r.stderr)
    return r.stdout


def pdf_pages(path):
    r = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True)
    m = re.search(r"^Pages:\s+(\d+)", r.stdout, re.M)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True,
                           text=True).stdout
    embedded = [l for l in fonts.splitlines()[2:] if l.strip()]
    all_embedded = embedded and all(l.split()[-5] == "yes" for l in embedded)
    return int(m.group(1)) if m else 0, all_embedded


# -- the runs -------------------------------------------------------------


def main_run(argusd, work, ca, cert, key):
    port = free_port()
    sink = Sink()
    server = smtp_server(port, sink, cert, key)
    reports = "    reports:\n" + "".join(
        f"""      {t}:
        schedule: "* * * * *"
        format: {"html" if t == "model_analysis" else "pdf"}
        recipients: ["{t.split('_')[0]}@example.com"]
""" for t in TYPES)
    config = work / "main.yaml"
    write_config(config, port, True, ca, True, reports)
    db = work / "main.db"
    d = Argusd(argusd, work, "main", config, db)
    started = time.time()

    schedule = d.get_json("/api/reports/schedule")["reports"]
    check(sorted(r["name"] for r in schedule) == TYPES
          and all(r["next_run"] and r["schedule"] == "* * * * *"
                  for r in schedule)
          and all(re.search(r" (CET|CEST)$", r["next_run_local"])
                  for r in schedule),
          "the schedule lists the four reports, each due within the minute, "
          "in Berlin time")

    # Reports on demand while the schedule waits: a period of the demo.
    time.sleep(4)
    since = int(started) - 60
    until = int(time.time())
    code, headers, pdf = d.request("POST", "/api/reports/generate", {
        "type": "performance_summary", "format": "pdf",
        "since": str(since), "until": str(until)})
    check(code == 200 and pdf.startswith(b"%PDF-")
          and headers.get("Content-Type") == "application/pdf",
          "POST /api/reports/generate answers a PDF")
    pdf_path = work / "on_demand.pdf"
    pdf_path.write_bytes(pdf)
    perf = d.get_json("/api/metrics/performance?since=%d&until=%d"
                      % (since, until))
    overall = perf["overall"]
    text = pdftotext(pdf_path)
    figures = {
        "Net PnL": money(overall["realized_pnl"]),
        "Fills": "{:,}".format(overall["fills"]),
        "Fees": money(overall["fees"]),
    }
    if overall.get("win_rate") is not None:
        figures["Win rate"] = "{:.2f} %".format(overall["win_rate"] * 100)
    check(overall["fills"] > 0, "the demo traded in the period (%d fills)"
          % overall["fills"])
    for label, value in figures.items():
        check(re.search(re.escape(label) + r"\s+" + re.escape(value), text)
              is not None,
              "the PDF's %s is the API's for the same period: %s"
              % (label, value))
    pages, fonts = pdf_pages(pdf_path)
    check(pages >= 2 and fonts, "the PDF has %d pages, every font embedded"
          % pages)
    check(re.search(r"page 1 of %d" % pages, text, re.I) is not None,
          "pages are numbered (page 1 of %d)" % pages)
    png = work / "first_page"
    r = subprocess.run(["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1",
                        "-singlefile", str(pdf_path), str(png)],
                       capture_output=True)
    check(r.returncode == 0 and (work / "first_page.png").stat().st_size
          > 10000, "pdftoppm renders the first page")

    for fmt in ("json", "html"):
        code, headers, body = d.request("POST", "/api/reports/generate", {
            "type": "risk_assessment", "format": fmt, "since": "1h"})
        ok = code == 200
        if fmt == "json":
            doc = json.loads(body) if ok else {}
            ok = ok and doc.get("type") == "risk_assessment" \
                and "var_95" in doc and "drifting_decisions" in doc
        else:
            ok = ok and b"<html" in body and b"data:image/png;base64" in body
        check(ok, "an on-demand risk_assessment in %s" % fmt)

    for body, want, why in [
        ({"type": "weekly_digest"}, 400, "unknown report type"),
        ({"type": "risk_assessment", "format": "docx"}, 400, "format"),
        ({"type": "risk_assessment", "since": "10", "until": "5"}, 400,
         "period is empty"),
        ({"type": "risk_assessment", "recipients": ["nobody"]}, 400,
         "is not an e-mail address"),
        ({"type": "risk_assessment", "time_zone": "Mars/Base"}, 400, "Mars"),
        ({"type": "risk_assessment", "send": "yes"}, 400, "send"),
    ]:
        code, _, answer = d.request("POST", "/api/reports/generate", body)
        check(code == want and why.encode() in answer,
              "a bad request is refused: %s -> %d %s" % (
                  json.dumps(body), code, answer[:120]))
    code, _, _ = d.request("POST", "/api/reports/generate",
                           {"type": "risk_assessment"}, role=None)
    check(code == 401, "generate without a token: 401")
    code, _, _ = d.request("POST", "/api/reports/generate",
                           {"type": "risk_assessment"}, role="viewer")
    check(code == 403, "generate as a viewer: 403")

    # A custom report added at run time, persisted across a restart.
    code, _, body = d.request("PUT", "/api/reports/configs/ny_open_risk", {
        "type": "risk_assessment", "schedule": "30 9 * * 1-5",
        "time_zone": "America/New_York", "format": "json",
        "recipients": ["risk@example.com"]})
    entry = json.loads(body) if code == 200 else {}
    check(code == 200 and entry.get("name") == "ny_open_risk"
          and entry.get("next_run_local", "").endswith(("EST", "EDT")),
          "a custom report is added over the API: next run %s"
          % entry.get("next_run_local"))
    code, _, body = d.request("PUT", "/api/reports/configs/bad", {
        "type": "risk_assessment", "schedule": "every tuesday"})
    check(code == 400, "a custom report with a bad schedule: 400 %s"
          % body[:100])

    # The four scheduled runs: one mail each, over STARTTLS with AUTH.
    wait_for("four scheduled mails", lambda: sink.count() >= 4, 100)
    time.sleep(1)
    scheduled = [r for r in wait_for(
        "four sent runs in report_history",
        lambda: (lambda rows: rows if len(rows) >= 4 else None)(
            [r for r in d.history() if r["schedule_type"] == "cron"
             and r["status"] == "sent"]), 20)]
    check(sorted(r["report_type"] for r in scheduled[:4]) == TYPES,
          "report_history shows each of the four scheduled runs as sent")
    files = {pathlib.Path(r["file_path"]).name: r["file_path"]
             for r in scheduled}
    by_type = {}
    for m in sink.messages[:4]:
        check(m["tls"] and m["user"] == USER,
              "mail to %s over STARTTLS (test CA) after AUTH as %s"
              % (m["rcpt"], USER))
        rtype = next(t for t in TYPES if m["rcpt"] == [
            t.split("_")[0] + "@example.com"])
        msg, html, cids = check_mail(m, rtype, files)
        by_type[rtype] = msg
    check(all(PASSWORD not in m["bytes"].decode("latin-1")
              for m in sink.messages),
          "the password is in no message")

    # A run's file over the API is the file mailed.
    run = scheduled[0]
    code, _, body = d.request("GET", "/api/reports/%d/file" % run["id"],
                              role="viewer")
    check(code == 200 and body == pathlib.Path(run["file_path"]).read_bytes(),
          "GET /api/reports/{id}/file serves the run's file")
    code, _, _ = d.request("GET", "/api/reports/999999/file", role="viewer")
    check(code == 404, "an unknown run: 404")
    code, _, _ = d.request("GET", "/api/reports/x1/file", role="viewer")
    check(code == 400, "a run id that is not a number: 400")
    pathlib.Path(run["file_path"]).unlink()
    code, _, _ = d.request("GET", "/api/reports/%d/file" % run["id"],
                           role="viewer")
    check(code == 410, "a run whose file is gone: 410")

    check(d.stop() == 0, "argusd stops cleanly")
    log = d.log.read_text()
    check(PASSWORD not in log, "the password is in no log line")
    check(PASSWORD.encode() not in db.read_bytes(),
          "the password is not in the database")
    server.stop()

    # Restarted on the same database: the custom report is still planned.
    d = Argusd(argusd, work, "main-restart", config, db)
    names = [r["name"] for r in d.get_json("/api/reports/schedule")["reports"]]
    check("ny_open_risk" in names, "the custom report survives a restart")
    argusctl_checks(d, config, db, since, until)
    d.stop()


def ctl(*args):
    env = dict(os.environ, ARGUS_TEST_SMTP_PASSWORD=PASSWORD)
    env.pop("ARGUS_SERVER", None)
    return subprocess.run([ARGUSCTL, *args], capture_output=True, env=env)


def argusctl_checks(d, config, db, since, until):
    """argusctl reports, offline and with --server, agree."""
    server = ["--server", d.url, "--token", d.tokens["admin"]]
    local = ["--db", str(db), "--config", str(config)]
    offline = ctl("reports", "list", *local)
    remote = ctl("reports", "list", *server)
    check(offline.returncode == 0 and offline.stdout == remote.stdout
          and b"ny_open_risk" in offline.stdout,
          "argusctl reports list: the same offline and from the server")
    sched = ctl("reports", "schedule", *server)
    check(sched.returncode == 0 and re.search(
        rb"ny_open_risk .* \d\d:30 E[SD]T", sched.stdout) is not None,
          "argusctl reports schedule shows the next run in its zone")
    h1 = ctl("reports", "history", "--db", str(db), "--limit", "50")
    h2 = ctl("reports", "history", *server, "--limit", "50")
    check(h1.returncode == 0 and h1.stdout == h2.stdout
          and h1.stdout.count(b" sent ") >= 4,
          "argusctl reports history: the same offline and from the server")
    period = ["--since", str(since), "--until", str(until)]
    j1 = ctl("reports", "generate", "performance_summary", *local, *period,
             "--format", "json", "--out", "-")
    j2 = ctl("reports", "generate", "performance_summary", *server, *period,
             "--format", "json", "--out", "-")
    ok = j1.returncode == 0 and j2.returncode == 0
    a = json.loads(j1.stdout) if ok else {}
    b = json.loads(j2.stdout) if ok else {}
    check(ok and a["performance"] == b["performance"]
          and a["performance"]["overall"]["fills"] > 0,
          "argusctl reports generate: the same figures offline and from "
          "the server")
    out = d.log.parent / "ctl.pdf"
    g = ctl("reports", "generate", "risk_assessment", *server, "--out",
            str(out))
    check(g.returncode == 0 and out.read_bytes().startswith(b"%PDF-"),
          "argusctl reports generate --server --out writes the PDF")
    bad = ctl("reports", "generate", "weekly_digest", *local)
    check(bad.returncode == 2 and b"unknown report type" in bad.stderr,
          "argusctl reports generate refuses an unknown type")
    send = ctl("reports", "generate", "risk_assessment", *local, "--send")
    check(send.returncode == 2 and b"--server" in send.stderr,
          "argusctl reports generate --send offline says it needs --server")


def on_demand_mail(d, recipients=("desk@example.com",)):
    code, _, body = d.request("POST", "/api/reports/generate", {
        "type": "executive_summary", "format": "pdf", "send": True,
        "recipients": list(recipients), "since": "1h"})
    meta = json.loads(body) if code in (200, 202) else {}
    if code != 202 or meta.get("status") != "sending":
        fail("POST generate with send: %d %s" % (code, body[:200]))
    return meta


def refused_run(argusd, work, ca):
    port = free_port()
    sink = Sink()
    server = smtp_server(port, sink, auth=False)  # no STARTTLS on offer
    config = work / "refused.yaml"
    write_config(config, port, True, ca, False)
    d = Argusd(argusd, work, "refused", config, work / "refused.db")
    meta = on_demand_mail(d)
    run = wait_for("the refused run to end",
                   lambda: run_of(d, meta["file"]), 30)
    check(run["status"].startswith("failed") and "STARTTLS" in run["status"],
          "use_tls against a server without STARTTLS: %s" % run["status"])
    check(sink.count() == 0, "nothing was sent in clear text")
    d.stop()
    server.stop()


def down_then_up_run(argusd, work, ca, cert, key):
    port = free_port()
    config = work / "down.yaml"
    write_config(config, port, True, ca, False)
    d = Argusd(argusd, work, "down", config, work / "down.db")
    meta = on_demand_mail(d)
    wait_for("a retry to be logged",
             lambda: "report-delivery-retry" in d.log.read_text(), 15)
    # The API answers while the run waits for the server.
    t0 = time.time()
    d.get_json("/api/status")
    check(time.time() - t0 < 1, "the API answers while a delivery retries")
    check(run_of(d, meta["file"]) is None, "the run is not over yet")
    time.sleep(2)
    sink = Sink()
    server = smtp_server(port, sink, cert, key)
    run = wait_for("the retried run to be sent",
                   lambda: run_of(d, meta["file"]), 40)
    check(run["status"] == "sent", "down then up: the run is %s"
          % run["status"])
    time.sleep(1.5)
    check(sink.count() == 1, "the mail arrived once (%d)" % sink.count())
    retries = d.log.read_text().count("report-delivery-retry")
    check(retries >= 1, "it was retried %d times with backoff" % retries)
    d.stop()
    server.stop()


def plain_run(argusd, work, ca):
    port = free_port()
    sink = Sink()
    server = smtp_server(port, sink)
    config = work / "plain.yaml"
    write_config(config, port, False, ca, False)
    d = Argusd(argusd, work, "plain", config, work / "plain.db")
    meta = on_demand_mail(d, ["a@example.com", "b@example.com"])
    run = wait_for("the plain run", lambda: run_of(d, meta["file"]), 30)
    check(run["status"] == "sent" and sink.count() == 1
          and not sink.messages[0]["tls"]
          and sink.messages[0]["user"] == USER
          and sorted(sink.messages[0]["rcpt"]) == ["a@example.com",
                                                   "b@example.com"],
          "use_tls off: sent in clear text with AUTH to both recipients")
    check(run["recipients"] == ["a@example.com", "b@example.com"],
          "report_history records the recipients")
    d.stop()
    server.stop()


def main():
    global ARGUSCTL
    argusd, ARGUSCTL, work, ca, cert, key = sys.argv[1:7]
    work = pathlib.Path(work)
    refused_run(argusd, work, ca)
    plain_run(argusd, work, ca)
    down_then_up_run(argusd, work, ca, cert, key)
    main_run(argusd, work, ca, cert, key)
    print("report delivery: all checks passed")


if __name__ == "__main__":
    main()
