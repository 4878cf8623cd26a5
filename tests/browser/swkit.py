"""Helpers for the service worker's browser tests and benchmark (not collected by pytest).

``counting_server`` serves a built site under ``/gdcore/`` (like GitHub Pages: no COOP/COEP
headers; ``Cache-Control: no-cache``, so that the browser's HTTP cache hides nothing) and
records every request that reaches the network, with the bytes it sent; it can
be stopped in the middle of a test (the reader goes offline). ``python_ready`` starts Python
through the page's runtime object and waits for it.
"""

from __future__ import annotations

import http.server
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from sitekit import QuietHandler


@dataclass
class Hit:
    path: str
    status: int
    bytes: int = 0  # the body sent (0 for a 304)


@dataclass
class CountingServer:
    """A running server: its base URL (``.../gdcore/``) and the requests it answered."""

    url: str
    hits: list[Hit] = field(default_factory=list)
    server: http.server.ThreadingHTTPServer | None = None
    thread: threading.Thread | None = None

    def paths(self) -> list[str]:
        return [h.path for h in self.hits]

    def bytes(self) -> int:
        return sum(h.bytes for h in self.hits)

    def stop(self) -> None:
        """Shut the server down (every later request fails: the reader is offline)."""
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.thread.join(5)
            self.server = None


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:  # noqa: ANN001
        pass  # a page closed in the middle of a download: not the test's business


def counting_server(site: Path, scratch: Path, port: int = 0, mount: str = "gdcore",
                    host: str = "127.0.0.1", cors: bool = False,
                    rate: float | None = None) -> CountingServer:
    """Serve ``site`` at ``http://HOST:PORT/MOUNT/``; call ``.stop()`` when done.

    ``host`` only names the server in the URL (it listens on 127.0.0.1): ``localhost`` is
    another origin than ``127.0.0.1``, as a CDN is. ``cors`` adds
    ``Access-Control-Allow-Origin: *`` (as jsDelivr sends) and no other header. ``rate``
    (bytes per second) caps each download's speed, as a slow network would."""
    link = scratch / mount
    link.parent.mkdir(parents=True, exist_ok=True)
    if not link.exists():
        link.symlink_to(site, target_is_directory=True)
    served = CountingServer(url="")

    class Handler(QuietHandler):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, directory=str(scratch), **kwargs)

        def end_headers(self) -> None:
            # the browser's HTTP cache must ask the server each time: a request the service
            # worker does not answer then shows up here (GitHub Pages sends max-age=600)
            self.send_header("Cache-Control", "no-cache")
            if cors:
                self.send_header("Access-Control-Allow-Origin", "*")
            super().end_headers()

        def log_request(self, code="-", size="-") -> None:  # noqa: ANN001
            self.hit = Hit(self.path, int(code))
            served.hits.append(self.hit)

        def copyfile(self, source, outputfile) -> None:  # noqa: ANN001
            self.hit.bytes = os.fstat(source.fileno()).st_size
            if rate is None:
                return super().copyfile(source, outputfile)
            while chunk := source.read(64 * 1024):
                outputfile.write(chunk)
                time.sleep(len(chunk) / rate)

    server = _Server(("127.0.0.1", port), Handler)
    served.server = server
    served.thread = threading.Thread(target=server.serve_forever, daemon=True)
    served.thread.start()
    served.url = f"http://{host}:{server.server_address[1]}/{mount}/"
    return served


def wait_controlled(page, timeout_s: float = 30) -> None:
    """Wait until the service worker controls the page and the page is crossOriginIsolated
    (after the first visit's one reload)."""
    page.wait_for_function(
        "() => navigator.serviceWorker.controller !== null && window.crossOriginIsolated"
        " && document.querySelector('.gd-cell.gd-cell-live')",
        timeout=timeout_s * 1000,
    )


def python_ready(page, timeout_s: float = 180) -> float:
    """Start Python through the page's runtime and wait until it is ready; returns the
    runtime's own load time in ms (worker start -> interpreter and gdcore ready)."""
    ok = page.evaluate("() => window.__gdcore.runtime.ready()")
    assert ok, page.evaluate("() => window.__gdcore.runtime.failure")
    return page.evaluate("() => window.__gdcore.runtime.timings.page")


def cache_names(page) -> list[str]:
    return page.evaluate("async () => (await caches.keys()).sort()")
