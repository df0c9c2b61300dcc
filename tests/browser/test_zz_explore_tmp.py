import time

from tests.browser.test_browser import NAV_LINKS_JS, login


def test_walk(live_server, page):
    log = []
    page.on("request", lambda r: log.append(f"{time.time():.2f} REQ {r.url}"))
    page.on("requestfinished", lambda r: log.append(f"{time.time():.2f} FIN {r.url}"))
    page.on("requestfailed", lambda r: log.append(f"{time.time():.2f} FAIL {r.url} {r.failure}"))
    login(page, live_server, "admin")
    paths = list(dict.fromkeys(["/", *page.evaluate(NAV_LINKS_JS)]))
    for path in paths:
        t = time.time()
        r = page.goto(live_server.url(path))
        t1 = time.time()
        try:
            page.wait_for_load_state("networkidle", timeout=20000)
            ok = "idle"
        except Exception:
            ok = "NOT IDLE"
        log.append(f"PAGE {path} {r.status} goto={t1 - t:.1f}s idle={time.time() - t1:.1f}s {ok}")
    open("/tmp/walk.txt", "w").write("\n".join(log))
