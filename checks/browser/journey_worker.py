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
from typing import TYPE_CHECKING, Any

_STARTED = time.monotonic()  # before Playwright's import: the worker's timings start here

from playwright.sync_api import Error as PlaywrightError  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

if TYPE_CHECKING:
    from playwright.sync_api import ConsoleMessage, Locator, Page, Request, Response

CAP = 20  # console errors and failed requests kept per run
_SELECTOR = re.compile(r"^(css=|xpath=|//|[#.\[]|[a-z]+[#.\[])", re.I)


class StepFailed(Exception):
    pass


def is_selector(target: str) -> bool:
    return bool(_SELECTOR.match(target.strip()))


def _clickable(page: Page, target: str) -> Locator:
    if is_selector(target):
        return page.locator(target.removeprefix("css=")).first
    return (
        page.get_by_role("button", name=target)
        .or_(page.get_by_role("link", name=target))
        .or_(page.get_by_text(target, exact=True))
        .first
    )


def _field(page: Page, target: str) -> Locator:
    if is_selector(target):
        return page.locator(target.removeprefix("css=")).first
    return (
        page.get_by_label(target)
        .or_(page.get_by_placeholder(target))
        .or_(page.locator(f'[name="{target}"]'))
        .first
    )


# Adds the marker field to the form (once) before it is submitted.
_ADD_MARKER = """(el, [name, value]) => {
    const form = el.form || el.closest('form');
    if (form && !form.elements[name]) {
        const input = document.createElement('input');
        input.type = 'hidden';
        input.name = name;
        input.value = value;
        form.appendChild(input);
    }
}"""
_REQUEST_SUBMIT = "el => (el.form || el.closest('form')).requestSubmit()"


class _Recorder:
    """What the page says while the steps run: console errors, failed requests, and every
    response (status, resource type, URL) for the submit step's verdict."""

    def __init__(self) -> None:
        self.console: list[str] = []
        self.failed: list[str] = []
        self.responses: list[tuple[int, str, str]] = []

    def attach(self, page: Page) -> None:
        page.on("console", self.on_console)
        page.on("pageerror", self.on_page_error)
        page.on("requestfailed", self.on_request_failed)
        page.on("response", self.on_response)

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error" and len(self.console) < CAP:
            self.console.append(message.text[:300])

    def on_page_error(self, error: PlaywrightError) -> None:
        if len(self.console) < CAP:
            self.console.append(str(error)[:300])

    def on_request_failed(self, request: Request) -> None:
        if len(self.failed) < CAP:
            self.failed.append(
                f"{request.method} {request.url[:200]}: {request.failure or 'failed'}"
            )

    def on_response(self, response: Response) -> None:
        self.responses.append((response.status, response.request.resource_type, response.url))
        if response.status >= 400 and len(self.failed) < CAP:
            method = response.request.method
            self.failed.append(f"{method} {response.url[:200]}: HTTP {response.status}")


class _Journey:
    """The steps, one after the other, on one page."""

    def __init__(self, page: Page, recorder: _Recorder, spec: dict[str, Any]) -> None:
        self.page = page
        self.recorder = recorder
        self.marker = str(spec.get("marker_value", ""))
        self.marker_field = str(spec.get("marker_field", ""))
        self.last_field: Locator | None = None

    def step(self, action: str, target: str, value: str) -> None:
        page = self.page
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
            self.last_field = _field(page, target)
            self.last_field.fill(value.replace("{marker}", self.marker))
        elif action == "submit":
            self.submit(target)
        elif action == "expect_text":
            page.get_by_text(target).first.wait_for(state="visible")
        elif action == "expect_element":
            page.locator(target.removeprefix("css=")).first.wait_for(state="visible")
        elif action == "expect_url":
            page.wait_for_url(lambda url: target in url)
        else:
            raise StepFailed(f"unknown action {action!r}")

    def submit(self, target: str) -> None:
        page = self.page
        seen = len(self.recorder.responses)
        form = _clickable(page, target) if target else self.last_field
        if form is None:
            raise StepFailed("there is no form to submit: fill a field first")
        if self.marker_field and self.marker:
            form.evaluate(_ADD_MARKER, [self.marker_field, self.marker])
        if target:
            form.click()
        else:
            form.evaluate(_REQUEST_SUBMIT)
        page.wait_for_load_state("load")
        bad = [
            status
            for status, kind, _ in self.recorder.responses[seen:]
            if status >= 400 and kind in ("document", "xhr", "fetch")
        ]
        if bad:
            raise StepFailed(f"the submission answered HTTP {bad[-1]}")


def run(spec: dict[str, Any]) -> dict[str, Any]:
    begun = time.monotonic()
    timeout = int(spec.get("step_timeout_ms", 10000))
    steps_log: list[dict[str, Any]] = []
    result: dict[str, Any] = {"ok": False, "failed_step": None, "error": "", "screenshot": None}
    timings: dict[str, int] = {"import_ms": round((begun - _STARTED) * 1000)}
    recorder = _Recorder()
    with sync_playwright() as p:
        timings["driver_ms"] = _ms_since(begun)
        launched = time.monotonic()
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
        timings["launch_ms"] = _ms_since(launched)
        try:
            opening = time.monotonic()
            marker = str(spec.get("marker_value", ""))
            context = browser.new_context(
                extra_http_headers={spec["marker_header"]: marker} if marker else {},
                viewport={"width": 1280, "height": 800},
            )
            page = context.new_page()
            page.set_default_timeout(timeout)
            recorder.attach(page)
            journey = _Journey(page, recorder, spec)
            timings["page_ms"] = _ms_since(opening)
            stepping = time.monotonic()
            for index, step in enumerate(spec["steps"], start=1):
                action, target = step["action"], step.get("target", "")
                started = time.monotonic()
                try:
                    journey.step(action, target, step.get("value", ""))
                except (StepFailed, PlaywrightError) as exc:  # a TimeoutError is an Error
                    result["failed_step"] = index
                    result["error"] = describe(action, target, exc, timeout)
                    steps_log.append(
                        {"position": index, "action": action, "ok": False,
                         "ms": _ms_since(started)}
                    )  # fmt: skip
                    shooting = time.monotonic()
                    result["screenshot"] = _screenshot(page, Path(spec["artefact_dir"]))
                    timings["screenshot_ms"] = _ms_since(shooting)
                    break
                steps_log.append(
                    {"position": index, "action": action, "ok": True, "ms": _ms_since(started)}
                )
            else:
                result["ok"] = True
            timings["steps_ms"] = _ms_since(stepping) - timings.get("screenshot_ms", 0)
            result["final_url"] = page.url
        except BaseException:
            browser.close()
            raise
        # No graceful close on success: the result is written and the process exits at
        # once; the parent reaps Chromium and the driver by the run's token anyway.
        result.update(
            steps=steps_log,
            console_errors=recorder.console,
            failed_requests=recorder.failed,
            timings=timings,
        )
        finish(result)  # inside the with: leaving it would wait for Playwright's teardown
    return result


def _ms_since(start: float) -> int:
    return round((time.monotonic() - start) * 1000)


def _screenshot(page: Page, folder: Path) -> str | None:
    """The failure screenshot (only on failure: a passing run keeps none)."""
    shot = folder / "failure.png"
    try:
        shot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shot), timeout=5000)
    except PlaywrightError:
        return None
    return shot.name


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


def finish(result: dict[str, Any]) -> None:
    result["worker_ms"] = round((time.monotonic() - _STARTED) * 1000)
    sys.stdout.write(json.dumps(result))
    sys.stdout.flush()
    os._exit(0)  # skip Playwright's teardown; checks/browser/process.py reaps what is left


def main() -> None:
    spec = json.loads(sys.stdin.buffer.read())
    try:
        result = run(spec)
    except Exception as exc:  # the browser would not start, or crashed: still answer in JSON
        result = {
            "ok": False,
            "failed_step": None,
            "error": f"The browser failed: {exc}"[:300],
            "steps": [],
            "console_errors": [],
            "failed_requests": [],
            "screenshot": None,
        }
    finish(result)


if __name__ == "__main__":
    main()
