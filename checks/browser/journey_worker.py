"""One journey in a real browser, run as its own process by checks/browser/journey.py (which
owns the deadline, the memory cap, the guard proxy and the reaping). Reads a JSON spec on
stdin, writes a JSON result on stdout. Imports no Django: it starts fast and holds no
database connection.

Spec: {"steps": [{"action", "target", "value"}], "chromium", "proxy", "step_timeout_ms",
"artefact_dir", "marker_header", "marker_value", "marker_field"}.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from pathlib import Path

CAP = 20  # console errors and failed requests kept per run
_SELECTOR = re.compile(r"^(css=|xpath=|//|[#.\[]|[a-z]+[#.\[])", re.I)


class StepFailed(Exception):
    pass


def is_selector(target: str) -> bool:
    return bool(_SELECTOR.match(target.strip()))


def _clickable(page, target: str):
    if is_selector(target):
        return page.locator(target.removeprefix("css=")).first
    return (
        page.get_by_role("button", name=target)
        .or_(page.get_by_role("link", name=target))
        .or_(page.get_by_text(target, exact=True))
        .first
    )


def _field(page, target: str):
    if is_selector(target):
        return page.locator(target.removeprefix("css=")).first
    return (
        page.get_by_label(target)
        .or_(page.get_by_placeholder(target))
        .or_(page.locator(f'[name="{target}"]'))
        .first
    )


def run(spec: dict) -> dict:
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    timeout = int(spec.get("step_timeout_ms", 10000))
    marker = spec.get("marker_value", "")
    console: list[str] = []
    failed: list[str] = []
    responses: list[tuple[int, str, str]] = []  # (status, resource type, url)
    steps_log: list[dict] = []
    result: dict = {"ok": False, "failed_step": None, "error": "", "screenshot": None}
    last_field = None
    begun = time.monotonic()
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=spec["chromium"],
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-dev-shm-usage",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                f"--proxy-server={spec['proxy']}",
                "--proxy-bypass-list=<-loopback>",
            ],
        )
        result["launch_ms"] = round((time.monotonic() - begun) * 1000)
        try:
            context = browser.new_context(
                extra_http_headers={spec["marker_header"]: marker} if marker else {},
                viewport={"width": 1280, "height": 800},
            )
            page = context.new_page()
            page.set_default_timeout(timeout)
            page.on(
                "console",
                lambda m: len(console) < CAP and m.type == "error" and console.append(m.text[:300]),
            )
            page.on("pageerror", lambda e: len(console) < CAP and console.append(str(e)[:300]))
            page.on(
                "requestfailed",
                lambda r: (
                    len(failed) < CAP
                    and failed.append(f"{r.method} {r.url[:200]}: {r.failure or 'failed'}")
                ),
            )

            def on_response(r) -> None:
                responses.append((r.status, r.request.resource_type, r.url))
                if r.status >= 400 and len(failed) < CAP:
                    failed.append(f"{r.request.method} {r.url[:200]}: HTTP {r.status}")

            page.on("response", on_response)
            for index, step in enumerate(spec["steps"], start=1):
                action, target = step["action"], step.get("target", "")
                value = step.get("value", "").replace("{marker}", marker)
                started = time.monotonic()
                seen = len(responses)
                try:
                    if action == "visit":
                        response = page.goto(target, wait_until="load")
                        if response is None:
                            raise StepFailed("the page did not load")
                        if response.headers.get("x-launchready-guard") == "refused":
                            raise StepFailed("the network guard refused this address")
                        if response.status >= 400:
                            raise StepFailed(f"the page answered HTTP {response.status}")
                    elif action == "click":
                        _clickable(page, target).click()
                        page.wait_for_load_state("load")
                    elif action == "fill":
                        last_field = _field(page, target)
                        last_field.fill(value)
                    elif action == "submit":
                        if spec.get("marker_field") and marker:
                            form = _clickable(page, target) if target else last_field
                            if form is None:
                                raise StepFailed("there is no form to submit: fill a field first")
                            form.evaluate(
                                "(el, [n, v]) => { const f = el.form || el.closest('form');"
                                " if (f && !f.elements[n]) { const i = document.createElement('input');"
                                " i.type = 'hidden'; i.name = n; i.value = v; f.appendChild(i); } }",
                                [spec["marker_field"], marker],
                            )
                        if target:
                            _clickable(page, target).click()
                        else:
                            last_field.evaluate(  # type: ignore[union-attr]
                                "el => (el.form || el.closest('form')).requestSubmit()"
                            )
                        page.wait_for_load_state("load")
                        bad = [
                            (s, u)
                            for s, kind, u in responses[seen:]
                            if s >= 400 and kind in ("document", "xhr", "fetch")
                        ]
                        if bad:
                            raise StepFailed(f"the submission answered HTTP {bad[-1][0]}")
                    elif action == "expect_text":
                        page.get_by_text(target).first.wait_for(state="visible")
                    elif action == "expect_element":
                        page.locator(target.removeprefix("css=")).first.wait_for(state="visible")
                    elif action == "expect_url":
                        page.wait_for_url(lambda url, t=target: t in url)
                    else:
                        raise StepFailed(f"unknown action {action!r}")
                except (StepFailed, PlaywrightTimeout, PlaywrightError) as exc:
                    result["failed_step"] = index
                    result["error"] = describe(action, target, exc, timeout)
                    steps_log.append({"position": index, "action": action, "ok": False,
                                      "ms": round((time.monotonic() - started) * 1000)})  # fmt: skip
                    shot = Path(spec["artefact_dir"]) / "failure.png"
                    try:
                        shot.parent.mkdir(parents=True, exist_ok=True)
                        page.screenshot(path=str(shot), timeout=5000)
                        result["screenshot"] = shot.name
                    except PlaywrightError:
                        pass
                    break
                steps_log.append({"position": index, "action": action, "ok": True,
                                  "ms": round((time.monotonic() - started) * 1000)})  # fmt: skip
            else:
                result["ok"] = True
            result["final_url"] = page.url
        except BaseException:
            browser.close()
            raise
        # No graceful close on success: the result is written and the process exits at
        # once; the parent reaps Chromium and the driver by the run's token anyway.
        result.update(steps=steps_log, console_errors=console, failed_requests=failed)
        finish(result)  # inside the with: leaving it would wait for Playwright's teardown
    return result


def describe(action: str, target: str, exc: Exception, timeout_ms: int) -> str:
    """The failure in words; Playwright's call log stays out of it."""
    what = {
        "visit": f"open {target}",
        "click": f"click “{target}”",
        "fill": f"fill “{target}”",
        "submit": f"submit the form with “{target}”" if target else "submit the form",
        "expect_text": f"see the text “{target}”",
        "expect_element": f"see the element {target}",
        "expect_url": f"reach an address containing “{target}”",
    }.get(action, action)
    name = type(exc).__name__
    if isinstance(exc, StepFailed):
        why = str(exc)
    elif name == "TimeoutError":
        why = f"not found or not ready within {timeout_ms / 1000:g} s"
    else:
        why = str(exc).splitlines()[0][:200]
        if "ERR_TUNNEL_CONNECTION_FAILED" in why or "ERR_PROXY" in why:
            why = "the network guard refused this address"
    return f"Could not {what}: {why}."[:300]


_STARTED = time.monotonic()


def finish(result: dict) -> None:
    result["worker_ms"] = round((time.monotonic() - _STARTED) * 1000)
    sys.stdout.write(json.dumps(result))
    sys.stdout.flush()
    os._exit(0)  # skip Playwright's teardown; checks/browser/process.py reaps what is left


def main() -> None:
    spec = json.loads(sys.stdin.buffer.read())
    try:
        result = run(spec)
    except Exception as exc:  # the browser would not start, or crashed: still answer in JSON
        result = {"ok": False, "failed_step": None, "error": f"The browser failed: {exc}"[:300],
                  "steps": [], "console_errors": [], "failed_requests": [], "screenshot": None}  # fmt: skip
    finish(result)


if __name__ == "__main__":
    main()
