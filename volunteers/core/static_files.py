"""Static files under content-hashed URLs, and text responses compressed.

`url_for("static", filename="css/app.css")` gives `/static/css/app.css?v=<hash of the content>`, and
an answer to a URL whose hash is current may be kept a year without asking again (immutable): a
phone loads the layout's CSS and JS once per release instead of revalidating them on every page.
The service worker's app shell is built from the same URLs (`shell_urls`), so an installed app
picks up new CSS and JS with the next release instead of a hand-bumped version.

Text responses are gzipped when the client accepts it, so that the app served by gunicorn alone
(`make run`, or a proxy that does not compress) sends a volunteer's first page in about a third
of the bytes. Static files are compressed once per content hash and kept in memory."""

import gzip
import hashlib
import json
import threading
from pathlib import Path

from flask import Flask, Response, current_app, request, url_for

IMMUTABLE = "public, max-age=31536000, immutable"
# What the service worker keeps for the app to start offline (the offline page comes first).
SHELL_FILES = (
    "css/app.css",
    "js/app.js",
    "js/outbox.js",
    "js/checkin.js",
    "icons/icon.svg",
    "icons/icon-192.png",
)
COMPRESSIBLE = {
    "text/html",
    "text/css",
    "text/javascript",
    "text/csv",
    "text/calendar",
    "text/plain",
    "application/javascript",
    "application/json",
    "application/manifest+json",
    "application/problem+json",
    "image/svg+xml",
}
MIN_SIZE = 500  # below this, the gzip header costs more than it saves
LEVEL = 6


class StaticFiles:
    """Content hashes of the static folder's files, and their gzipped bodies, computed once
    (per change of the file's modification time when `reload` is set, for development)."""

    def __init__(self, folder: str, reload: bool):
        self.folder, self.reload = Path(folder), reload
        self._digests: dict[str, tuple[float, str | None]] = {}
        self._gzipped: dict[tuple[str, str], bytes] = {}
        self._lock = threading.Lock()

    def digest(self, filename: str) -> str | None:
        """The first 12 hex digits of the file's SHA-256, None for a file that does not exist."""
        known = self._digests.get(filename)
        if known is not None and not self.reload:
            return known[1]  # every link of every page asks: no path resolved, no file looked at
        path = self._path(filename)
        mtime = _mtime(path) if self.reload else 0.0
        if known is not None and known[0] == mtime:
            return known[1]
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12] if path and path.is_file() else None
        with self._lock:
            self._digests[filename] = (mtime, digest)
        return digest

    def gzipped(self, filename: str, digest: str) -> bytes:
        key = (filename, digest)
        body = self._gzipped.get(key)
        if body is None:
            body = gzip.compress(self._path(filename).read_bytes(), LEVEL, mtime=0)
            with self._lock:
                self._gzipped[key] = body
        return body

    def _path(self, filename: str) -> Path | None:
        path = (self.folder / filename).resolve()
        return path if path.is_relative_to(self.folder.resolve()) else None


def _mtime(path: Path | None) -> float:
    try:
        return path.stat().st_mtime if path else -1.0
    except OSError:
        return -1.0


def init_static_files(app: Flask) -> None:
    app.config.setdefault("COMPRESS_RESPONSES", True)
    app.config.setdefault("STATIC_HASH_RELOAD", False)
    app.extensions["static_files"] = StaticFiles(app.static_folder, reload=app.config["STATIC_HASH_RELOAD"])
    app.url_defaults(_hashed)
    app.after_request(_cache_and_compress)


def _hashed(endpoint: str, values: dict) -> None:
    if endpoint == "static" and "v" not in values:
        digest = current_app.extensions["static_files"].digest(values.get("filename", ""))
        if digest:
            values["v"] = digest


def _cache_and_compress(response: Response) -> Response:
    files: StaticFiles = current_app.extensions["static_files"]
    static_file = (request.view_args or {}).get("filename") if request.endpoint == "static" else None
    digest = files.digest(static_file) if static_file and response.status_code == 200 else None
    if digest and request.args.get("v") == digest:
        response.headers["Cache-Control"] = IMMUTABLE
    if not current_app.config["COMPRESS_RESPONSES"] or not _compressible(response):
        return response
    if digest:
        body = files.gzipped(static_file, digest)
        wrapper = response.response
        response.direct_passthrough = False
        response.set_data(body)
        getattr(wrapper, "close", lambda: None)()  # the file send_from_directory opened
    elif response.is_streamed or response.direct_passthrough:
        return response  # streamed exports and other files: passed on as they are
    else:
        data = response.get_data()
        if len(data) < MIN_SIZE:
            return response
        response.set_data(gzip.compress(data, LEVEL, mtime=0))
    response.headers["Content-Encoding"] = "gzip"
    response.headers.pop("Accept-Ranges", None)  # byte ranges of the file, not of its gzip
    response.vary.add("Accept-Encoding")
    etag, weak = response.get_etag()
    if etag and not weak:
        response.set_etag(etag, weak=True)  # the same content, another encoding of it
    return response


def _compressible(response: Response) -> bool:
    return (
        response.status_code == 200
        and request.method != "HEAD"
        and "Content-Encoding" not in response.headers
        and response.mimetype in COMPRESSIBLE
        and "gzip" in request.accept_encodings
    )


def shell_urls() -> list[str]:
    """The app shell the service worker caches on install, under the URLs the pages ask for."""
    return [url_for("pages.offline")] + [url_for("static", filename=name) for name in SHELL_FILES]


def service_worker_build() -> str:
    """The first line of the service worker: its shell and a version that changes with any of
    them (a changed service worker is installed by the browser, and drops the old shell)."""
    files: StaticFiles = current_app.extensions["static_files"]
    digests = "".join(files.digest(name) or "-" for name in (*SHELL_FILES, "js/service-worker.js"))
    build = {
        "version": hashlib.sha256(digests.encode()).hexdigest()[:12],
        "shell": shell_urls(),
        "outbox": url_for("static", filename="js/outbox.js"),
    }
    return f"const BUILD = {json.dumps(build)};\n"
