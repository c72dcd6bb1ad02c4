"""A minimal Chrome DevTools Protocol client over --remote-debugging-pipe (stdlib only).

Chromium reads JSON commands, each terminated by a NUL byte, from file descriptor 3 and writes
responses and events to file descriptor 4. No websocket, no port, no Playwright download. The
report prints its PDF through it; the browser tests drive the same client.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    "--window-size=1280,900",
    "--remote-debugging-pipe",
]


def find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


class CdpError(RuntimeError):
    pass


class Browser:
    """Headless Chromium with a fresh profile; use as a context manager."""

    def __init__(self, binary: str, timeout: float = 30.0) -> None:
        self.binary, self.timeout = binary, timeout
        self.events: list[dict[str, Any]] = []
        self.targets: dict[str, str] = {}  # session id -> target id
        self._next_id = 0
        self._buffer = b""

    def __enter__(self) -> Browser:
        self.profile = tempfile.mkdtemp(prefix="sm-chromium-")
        # stderr to a file: a full pipe would block Chromium (it logs dbus noise there).
        self._log = tempfile.TemporaryFile()
        to_child_r, self._to_child = os.pipe()
        self._from_child, from_child_w = os.pipe()

        def wire_fds() -> None:  # runs in the child before exec
            a, b = os.dup(to_child_r), os.dup(from_child_w)  # avoid clobbering 3/4 in dup2
            os.dup2(a, 3)
            os.dup2(b, 4)

        self.proc = subprocess.Popen(
            [self.binary, *CHROMIUM_FLAGS, f"--user-data-dir={self.profile}", "about:blank"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=self._log,
            preexec_fn=wire_fds,
            close_fds=False,
        )
        os.close(to_child_r)
        os.close(from_child_w)
        return self

    def __exit__(self, *exc: object) -> None:
        with contextlib.suppress(Exception):
            self.send("Browser.close")
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for fd in (self._to_child, self._from_child):
            with contextlib.suppress(OSError):
                os.close(fd)
        self._log.seek(0)
        self.stderr = self._log.read().decode("utf-8", "replace")
        self._log.close()
        shutil.rmtree(self.profile, ignore_errors=True)

    # --- protocol ---------------------------------------------------------------------
    def _read_message(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise CdpError("Zeitüberschreitung beim Warten auf Chromium")
            ready, _, _ = select.select([self._from_child], [], [], remaining)
            if ready:
                chunk = os.read(self._from_child, 1 << 20)
                if not chunk:
                    raise CdpError("Chromium hat die Verbindung beendet")
                self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(raw)

    def send(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self._to_child, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + self.timeout
        while True:
            reply = self._read_message(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise CdpError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(
        self, method: str, timeout: float | None = None, session: str | None = None
    ) -> dict[str, Any]:
        """The first event `method` (of `session`) not yet consumed by an earlier wait."""
        for event in self.events:
            if (
                event.get("method") == method
                and not event.get("_consumed")
                and (session is None or event.get("sessionId") == session)
            ):
                event["_consumed"] = True
                return event
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            event = self._read_message(deadline)
            self.events.append(event)
            if event.get("method") == method and (
                session is None or event.get("sessionId") == session
            ):
                event["_consumed"] = True
                return event

    def drain(self, seconds: float) -> None:
        """Collect events for a while (late console messages)."""
        deadline = time.monotonic() + seconds
        try:
            while True:
                self.events.append(self._read_message(deadline))
        except CdpError:
            pass

    # --- page helpers -----------------------------------------------------------------
    def open_page(self, url: str) -> str:
        """New tab with console/log capture, navigated to url; returns the session id."""
        target = self.send("Target.createTarget", url="about:blank")["targetId"]
        session = self.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        self.targets[session] = target
        for domain in ("Page", "Runtime", "Log"):
            self.send(f"{domain}.enable", session)
        self.send("Page.navigate", session, url=url)
        self.wait_for("Page.loadEventFired", session=session)
        return session

    def close_page(self, session: str) -> None:
        self.send("Target.closeTarget", targetId=self.targets.pop(session))

    def evaluate(self, session: str, expression: str) -> Any:
        result = self.send(
            "Runtime.evaluate",
            session,
            expression=expression,
            returnByValue=True,
            awaitPromise=True,
        )
        if "exceptionDetails" in result:
            raise CdpError(f"JavaScript-Fehler: {result['exceptionDetails']}")
        return result["result"].get("value")

    def console_errors(self, since: int = 0) -> list[str]:
        """Console errors, uncaught exceptions and browser log errors (events[since:])."""
        errors = []
        for event in self.events[since:]:
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                errors.append(
                    " ".join(
                        str(a.get("value", a.get("description"))) for a in params.get("args", [])
                    )
                )
            elif method == "Runtime.exceptionThrown":
                errors.append(str(params.get("exceptionDetails", {}).get("text")))
            elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
                errors.append(str(params["entry"].get("text")))
        return errors

    def print_pdf(self, session: str, path: Path) -> Path:
        """The page as PDF in its own @page size and margins (A4 from the stylesheet)."""
        import base64

        data = self.send(
            "Page.printToPDF",
            session,
            preferCSSPageSize=True,
            printBackground=True,
            displayHeaderFooter=False,
            generateDocumentOutline=True,  # PDF bookmarks from the headings
            generateTaggedPDF=True,
            transferMode="ReturnAsBase64",
        )["data"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))
        return path

    def screenshot(
        self, session: str, path: Path, *, full_page: bool = True, clip: dict | None = None
    ) -> Path:
        import base64

        params: dict[str, Any] = {"format": "png"}
        if clip is not None:
            params.update(clip={**clip, "scale": 1}, captureBeyondViewport=True)
        elif full_page:
            metrics = self.send("Page.getLayoutMetrics", session)
            size = metrics.get("cssContentSize") or metrics["contentSize"]
            # capped: a capture of a report's whole length takes Chromium minutes
            height = min(size["height"], 9000)
            params.update(
                clip={"x": 0, "y": 0, "width": size["width"], "height": height, "scale": 1},
                captureBeyondViewport=True,
            )
        data = self.send("Page.captureScreenshot", session, **params)["data"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))
        return path
