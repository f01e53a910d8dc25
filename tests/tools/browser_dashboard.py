#!/usr/bin/python3
"""The web dashboard in a real browser (Debian's chromium + chromedriver,
python3-selenium) against a real `argusd --demo`.

usage: browser_dashboard.py ARGUSD CONFIG WORKDIR [SCREENSHOT_DIR]

Signs in with the viewer token argusd printed, then checks what a trader
sees: the page loads fast with no console error; the live connection
negotiated permessage-deflate; the overview's components equal
/api/status and its trading figures equal /api/metrics/dashboard of the
same snapshot; a drift alert is on the page within two update intervals of
firing; clicking a request shows its waterfall (every span, the critical
path marked) and its decision path; the Models and Regimes pages draw their
charts; a phone-width window needs no sideways scrolling. Screenshots of
each page go to SCREENSHOT_DIR (default WORKDIR). Prints one line per
check; exits 0 when all passed.
"""

import json
import os
import sys
import tempfile
import time
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

UPDATE_INTERVAL_S = 1.0  # the caller's config says the same


from demo_daemon import DemoDaemon, fail


def get(base, token, path):
    req = urllib.request.Request(base + path,
                                 headers={"Authorization": "Bearer " + token})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.load(r)


def browser(profile):
    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for a in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
              "--disable-gpu", "--window-size=1280,900", "--no-first-run",
              "--no-default-browser-check", "--user-data-dir=" + profile):
        opts.add_argument(a)
    opts.set_capability("goog:loggingPrefs",
                        {"browser": "ALL", "performance": "ALL"})
    d = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
    d.set_page_load_timeout(20)
    # The viewport itself at 1280x800, whatever the window's frame takes.
    d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                      {"width": 1280, "height": 800, "deviceScaleFactor": 1,
                       "mobile": False})
    return d


def body(d, name):
    return d.find_element(By.TAG_NAME, "body").get_attribute("data-" + name)


def inked(d, box_id):
    """Pixels drawn on the chart's canvas (uPlot draws on one canvas)."""
    return d.execute_script("""
        const c = document.querySelector('#' + arguments[0] + ' canvas');
        if (!c) return 0;
        const g = c.getContext('2d'), px = g.getImageData(0, 0, c.width, c.height).data;
        let n = 0; for (let i = 3; i < px.length; i += 4) if (px[i] > 0) n++;
        return n;""", box_id)


def money(x):
    return ("\u2212" if x < 0 else "") + "%.2f" % abs(x)


def check_overview(d, wait, base, token):
    wait.until(lambda _: body(d, "metrics-seq"))
    wait.until(lambda _: d.find_elements(By.CSS_SELECTOR, "#components tbody tr"))
    # Components: the page's table against the API (states are stable in
    # the demo; restarts too).
    api = get(base, token, "/api/status")
    want = {c["id"]: (c["state"], str(c["restarts"])) for c in api["components"]}
    # Read in one step: the table is redrawn at each status message.
    rows = d.execute_script("""
        return [...document.querySelectorAll('#components tbody tr')]
          .map(r => [...r.cells].map(c => c.textContent));""")
    got = {cells[0]: (cells[1], cells[2]) for cells in rows}
    if got != want:
        fail("components on the page %r != /api/status %r" % (got, want))
    print("components equal /api/status:", len(got))
    # Trading figures of the same snapshot: the page shows the one /ws
    # published, the API serves the one published last; compare when the
    # two are the same.
    for _ in range(60):
        page_time = body(d, "dashboard-time")
        dash = get(base, token, "/api/metrics/dashboard")
        # (Within a microsecond: JavaScript holds nanoseconds in a double.)
        if page_time and abs(int(float(page_time)) - dash["time_ns"]) < 1000:
            p = dash["performance"]
            pnl, trades, sharpe, now = d.execute_script("""
                return ['kpi-pnl', 'kpi-trades', 'kpi-sharpe']
                  .map(id => document.getElementById(id).textContent)
                  .concat([document.body.dataset.dashboardTime]);""")
            if now != page_time:
                continue  # the page moved on while we read it
            if pnl != money(p["total_pnl"]) or trades != str(p["closed_trades"]) \
                    or sharpe != "%.2f" % p["sharpe"]:
                fail("overview %r/%r/%r != API %r/%r/%r" % (
                    pnl, trades, sharpe, p["total_pnl"], p["closed_trades"],
                    p["sharpe"]))
            print("trading figures equal the API's: pnl", pnl, "trades",
                  trades, "sharpe", sharpe)
            break
        time.sleep(0.1)
    else:
        fail("never saw the page and the API on the same dashboard snapshot")
    wait.until(lambda _: int(d.find_element(By.ID, "chart-equity")
                             .get_attribute("data-points") or 0) > 10)
    if inked(d, "chart-equity") < 1000:
        fail("the equity chart drew nothing")
    wait.until(lambda _: d.find_elements(By.CSS_SELECTOR, "#latencies tbody tr"))
    print("equity chart and latencies drawn")


def check_alert_latency(d, base, token):
    """A drift alert fired after the page opened is on it within two
    update intervals of the time the ML monitor stamped on it."""
    seen = set(d.execute_script(
        "return argus.alerts.map(a => a.time_ns + a.method + a.model_id)"))
    deadline = time.time() + 60
    while time.time() < deadline:
        fresh = d.execute_script("""
            const seen = new Set(arguments[0]);
            return argus.alerts.filter(a => !seen.has(a.time_ns + a.method + a.model_id)
                                            && a.message.startsWith('fired'))
                               .map(a => [a.time_ns, a.message]);""", list(seen))
        if fresh:
            now = time.time()
            fired_ns, message = fresh[0]
            lag = now - fired_ns / 1e9
            if lag > 2 * UPDATE_INTERVAL_S:
                fail("a drift alert reached the page %.2f s after firing" % lag)
            texts = [e.text for e in d.find_elements(By.CSS_SELECTOR,
                                                      "#open-alerts td.msg")]
            if message not in texts:
                fail("alert %r not in the open alerts table" % message)
            api = get(base, token, "/api/ml/drift?severity=low&limit=500")
            if not any(abs(a["time_ns"] - fired_ns) < 1000 and a["message"] == message
                       for a in api):
                fail("the page's alert is not in /api/ml/drift")
            print("drift alert on the page %.3f s after firing: %s" % (lag, message))
            return
        time.sleep(0.05)
    fail("no drift alert fired within 60 s of the demo's drift")


def check_traces(d, wait, base, token):
    d.find_element(By.CSS_SELECTOR, 'nav a[data-page="traces"]').click()
    wait.until(lambda _: len(d.find_elements(By.CSS_SELECTOR, "#traces tbody tr")) >= 20)
    # A request a second or two old, whose late spans have all arrived;
    # rows stay in place while new ones stream in above them.
    time.sleep(1.5)
    corr = d.execute_script("""
        const rows = document.querySelectorAll('#traces tbody tr');
        return rows[Math.min(40, rows.length - 1)].dataset.corr;""")
    d.find_element(By.CSS_SELECTOR, 'tr[data-corr="%s"]' % corr).click()
    wait.until(lambda _: body(d, "detail") == corr)
    trace = get(base, token, "/api/tracing/correlation/" + corr)
    spans = d.find_elements(By.CSS_SELECTOR, "#waterfall .row.span")
    if len(spans) != trace["span_count"]:
        fail("waterfall shows %d spans, the API %d" % (len(spans), trace["span_count"]))
    critical = d.find_elements(By.CSS_SELECTOR, "#waterfall .bar.critical")
    if len(critical) != len(trace["critical_path"]):
        fail("critical path: %d marked, %d in the API" % (len(critical), len(trace["critical_path"])))
    decisions = get(base, token, "/api/tracking/decisions?id=" + corr)
    steps = d.find_elements(By.CSS_SELECTOR, "#decision-path tr.step")
    if len(steps) != len(decisions.get("steps", [])):
        fail("decision path: %d steps shown, %d in the API" % (len(steps), len(decisions.get("steps", []))))
    if not d.find_elements(By.ID, "votes") or not d.find_elements(By.ID, "fills"):
        fail("the votes or fills section is missing")
    print("trace %s: %d spans, %d critical, %d decision steps" % (
        corr, len(spans), len(critical), len(steps)))


def check_page(d, wait, page, charts):
    d.find_element(By.CSS_SELECTOR, 'nav a[data-page="%s"]' % page).click()
    wait.until(lambda _: body(d, "loaded") == page)
    for c in charts:
        # Values drawn (not only axes): the page refreshes every 5 s, and
        # feature drift has its first scores after the first checks.
        WebDriverWait(d, 40, poll_frequency=0.1).until(
            lambda _: int(d.find_element(By.ID, c).get_attribute("data-values") or 0) > 1)
        if inked(d, c) < 500:
            fail("%s: chart %s drew nothing" % (page, c))
    print(page, "drawn:", ", ".join(charts))


def main():
    argusd, config, workdir = sys.argv[1:4]
    shots = sys.argv[4] if len(sys.argv) > 4 else workdir
    os.makedirs(shots, exist_ok=True)
    daemon = DemoDaemon(argusd, config, workdir + "/browser.db",
                        "--demo-drift-after", "12")
    base, token = daemon.url, daemon.token
    d = None
    try:
        d = browser(tempfile.mkdtemp(dir=workdir))
        wait = WebDriverWait(d, 20, poll_frequency=0.05)
        d.get(base + "/")
        load_ms = d.execute_script(
            "const n = performance.getEntriesByType('navigation')[0];"
            "return n.domContentLoadedEventEnd - n.startTime;")
        if load_ms > 1000:
            fail("the page took %.0f ms to load" % load_ms)
        print("page loaded in %.0f ms" % load_ms)
        # First visit: a token form, nothing else.
        wait.until(lambda _: d.find_element(By.ID, "login").is_displayed())
        if d.find_element(By.ID, "app").is_displayed():
            fail("the dashboard shows before a token was given")
        d.find_element(By.ID, "token").send_keys("wrong-token")
        d.find_element(By.CSS_SELECTOR, "#login button").click()
        wait.until(lambda _: "401" in d.find_element(By.ID, "login-error").text)
        # The refused request is the one console error allowed (the
        # browser logs every 401 it gets); the rest of the run has none.
        early = [e for e in d.get_log("browser") if e["level"] == "SEVERE"
                 and "401" not in e["message"]]
        if early:
            fail("console errors: %r" % early[:3])
        print("a wrong token is refused on the page")
        d.find_element(By.ID, "token").clear()
        d.find_element(By.ID, "token").send_keys(token)
        d.find_element(By.CSS_SELECTOR, "#login button").click()
        wait.until(lambda _: body(d, "ws") == "open")
        if token in d.current_url:
            fail("the token is in the page's URL")
        print("signed in, live connection open")

        check_overview(d, wait, base, token)
        d.save_screenshot(os.path.join(shots, "overview.png"))
        check_alert_latency(d, base, token)
        check_traces(d, wait, base, token)
        d.save_screenshot(os.path.join(shots, "traces.png"))
        check_page(d, wait, "models", ["chart-drift", "chart-importance"])
        wait.until(lambda _: d.find_elements(By.CSS_SELECTOR, "#models tbody tr"))
        d.save_screenshot(os.path.join(shots, "models.png"))
        check_page(d, wait, "regimes", ["chart-regime", "chart-weights"])
        if not d.find_elements(By.CSS_SELECTOR, "#transitions tbody tr"):
            fail("no transition matrix")
        d.save_screenshot(os.path.join(shots, "regimes.png"))

        # The browser's own view of the upgrade: deflate negotiated.
        ext = None
        for entry in d.get_log("performance"):
            msg = json.loads(entry["message"])["message"]
            if msg["method"] == "Network.webSocketHandshakeResponseReceived":
                headers = msg["params"]["response"]["headers"]
                ext = headers.get("Sec-WebSocket-Extensions") or headers.get(
                    "sec-websocket-extensions")
        if not ext or "permessage-deflate" not in ext:
            fail("the browser's WebSocket did not negotiate deflate: %r" % ext)
        print("browser negotiated:", ext)

        # A phone: the overview fits its width.
        d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                          {"width": 390, "height": 844, "deviceScaleFactor": 1,
                           "mobile": True})
        d.find_element(By.CSS_SELECTOR, 'nav a[data-page="overview"]').click()
        wait.until(lambda _: body(d, "loaded") == "overview")
        time.sleep(0.3)
        wide = d.execute_script(
            "return document.documentElement.scrollWidth - window.innerWidth")
        if wide > 1:
            fail("at phone width the page is %d px too wide" % wide)
        over = d.execute_script(
            "return document.querySelector('#chart-equity canvas')"
            ".getBoundingClientRect().right - window.innerWidth")
        if over > 1:
            fail("at phone width the equity chart is %d px too wide" % over)
        d.save_screenshot(os.path.join(shots, "phone.png"))
        print("phone width: no sideways scrolling")

        severe = [e for e in d.get_log("browser") if e["level"] == "SEVERE"]
        if severe:
            fail("console errors: %r" % severe[:3])
        print("no console errors")
    finally:
        if d:
            d.quit()
        daemon.stop()
    print("ok")


if __name__ == "__main__":
    main()
