"""Static files under content-hashed URLs kept a year, text answers gzipped, and a service worker
whose app shell follows the files it names."""

import gzip
import hashlib
import os
import re
from pathlib import Path

import pytest

from volunteers.core.static_files import IMMUTABLE, SHELL_FILES, StaticFiles

STATIC = Path(__file__).resolve().parents[2] / "static"
GZIP = {"Accept-Encoding": "gzip, deflate, br"}


def digest_of(name: str) -> str:
    return hashlib.sha256((STATIC / name).read_bytes()).hexdigest()[:12]


def linked_files(html: str) -> dict[str, str]:
    """filename -> v of every /static/ link and script of a page."""
    return dict(re.findall(r'(?:href|src)="/static/([^"?]+)\?v=([0-9a-f]+)"', html))


def test_pages_link_their_css_and_scripts_by_content_hash(client):
    linked = linked_files(client.get("/login").get_data(as_text=True))
    assert {"css/app.css", "js/app.js", "js/outbox.js"} <= linked.keys()
    for name, version in linked.items():
        assert version == digest_of(name), name


def test_a_current_hash_is_kept_a_year_and_an_old_one_is_asked_again(client):
    current = client.get(f"/static/css/app.css?v={digest_of('css/app.css')}")
    assert current.status_code == 200 and current.headers["Cache-Control"] == IMMUTABLE
    assert current.data == (STATIC / "css/app.css").read_bytes()
    for url in ("/static/css/app.css", "/static/css/app.css?v=000000000000"):
        answer = client.get(url)
        assert answer.status_code == 200 and "immutable" not in answer.headers.get("Cache-Control", ""), url


def test_a_missing_file_is_a_404_with_or_without_a_hash(client):
    assert client.get("/static/css/nothing.css?v=abc").status_code == 404
    assert client.get("/static/../volunteers/__init__.py").status_code == 404


def _without_tokens(page: bytes) -> bytes:
    return re.sub(rb'(name="csrf[_-]token" (?:value|content))="[^"]+"', rb'\1=""', page)


def test_text_answers_are_gzipped_for_clients_that_accept_it(client, login):
    login("volunteer")
    plain = client.get("/my/shifts")
    packed = client.get("/my/shifts", headers=GZIP)
    assert "Content-Encoding" not in plain.headers
    assert packed.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in packed.headers["Vary"]
    # The same page, but for the CSRF tokens: they carry the second they were signed in.
    assert _without_tokens(gzip.decompress(packed.data)) == _without_tokens(plain.data)
    assert len(packed.data) < len(plain.data) / 2


def test_static_files_are_gzipped_once_and_still_answer_conditional_requests(client):
    url = f"/static/js/app.js?v={digest_of('js/app.js')}"
    first = client.get(url, headers=GZIP)
    assert first.headers["Content-Encoding"] == "gzip" and "Accept-Ranges" not in first.headers
    assert gzip.decompress(first.data) == (STATIC / "js/app.js").read_bytes()
    assert first.headers["Cache-Control"] == IMMUTABLE
    etag = first.headers["ETag"]
    assert etag.startswith('W/"')  # another encoding of the same content
    again = client.get(url, headers={**GZIP, "If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        ("/healthz", GZIP),  # too small to gain anything
        ("/static/icons/icon-192.png", GZIP),  # already compressed
        ("/login", {}),  # the client did not ask for it
        ("/login", {"Accept-Encoding": "identity"}),
    ],
)
def test_what_is_not_compressed(client, path, headers):
    answer = client.get(path, headers=headers)
    assert answer.status_code == 200 and "Content-Encoding" not in answer.headers


def test_compression_can_be_turned_off(app, client):
    app.config["COMPRESS_RESPONSES"] = False
    assert "Content-Encoding" not in client.get("/login", headers=GZIP).headers


def test_the_service_worker_caches_the_urls_the_pages_ask_for(client):
    worker = client.get("/service-worker.js")
    source = worker.get_data(as_text=True)
    assert worker.headers["Cache-Control"] == "no-cache"
    build = re.search(r"^const BUILD = (\{.*\});$", source, re.MULTILINE)
    assert build, source[:300]
    # After "use strict", so that the directive still applies.
    assert source.index('"use strict";') < build.start()
    shell = re.findall(r'"(/[^"]+)"', build.group(1))
    assert "/offline" in shell
    page_links = linked_files(client.get("/login").get_data(as_text=True))
    for name in SHELL_FILES:
        assert f"/static/{name}?v={digest_of(name)}" in shell
    for name in ("css/app.css", "js/app.js", "js/outbox.js"):
        assert f"/static/{name}?v={page_links[name]}" in shell
    assert f'"outbox": "/static/js/outbox.js?v={digest_of("js/outbox.js")}"' in build.group(1)
    revalidated = client.get("/service-worker.js", headers={"If-None-Match": worker.headers["ETag"]})
    assert revalidated.status_code == 304


def test_a_changed_file_gives_a_new_hash_and_a_new_service_worker(app, client, monkeypatch, tmp_path):
    for name in (*SHELL_FILES, "js/service-worker.js"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes((STATIC / name).read_bytes())
    monkeypatch.setitem(app.extensions, "static_files", StaticFiles(str(tmp_path), reload=True))
    before = client.get("/service-worker.js").get_data(as_text=True).split("\n")
    css = tmp_path / "css/app.css"
    css.write_text(css.read_text() + "\n.new { color: red; }\n")
    os.utime(css, (css.stat().st_atime, css.stat().st_mtime + 5))
    after = client.get("/service-worker.js").get_data(as_text=True).split("\n")
    build_before = next(line for line in before if line.startswith("const BUILD"))
    build_after = next(line for line in after if line.startswith("const BUILD"))
    assert build_before != build_after
    version = re.compile(r'"version": "([0-9a-f]{12})"')
    assert version.search(build_before).group(1) != version.search(build_after).group(1)
    new_hash = hashlib.sha256(css.read_bytes()).hexdigest()[:12]
    assert f"/static/css/app.css?v={new_hash}" in build_after


def test_hashes_are_computed_once_without_reload(tmp_path):
    (tmp_path / "a.css").write_text("a")
    files = StaticFiles(str(tmp_path), reload=False)
    first = files.digest("a.css")
    (tmp_path / "a.css").write_text("b")
    assert files.digest("a.css") == first  # a release's files do not change under a running app
    assert files.digest("missing.css") is None
    assert files.digest("../outside.css") is None
