"""The VAPID key: from the environment in any common form, else generated once per installation."""

import threading

import pytest
from py_vapid import Vapid, b64urlencode

from tests.push.push_service import b64url_decode
from volunteers.push.vapid import KEY_FILENAME, key_from_text, load_or_create_key_file, public_key_b64url, vapid_key


def raw_private_key(key: Vapid) -> str:
    return b64urlencode(key.private_key.private_numbers().private_value.to_bytes(32, "big"))


def test_the_key_file_is_created_once_readable_only_by_its_owner(tmp_path):
    first = load_or_create_key_file(str(tmp_path))
    path = tmp_path / KEY_FILENAME
    assert path.read_text().startswith("-----BEGIN PRIVATE KEY-----")
    assert path.stat().st_mode & 0o777 == 0o600
    assert public_key_b64url(load_or_create_key_file(str(tmp_path))) == public_key_b64url(first)


def test_processes_starting_at_once_agree_on_one_key(tmp_path):
    barrier, keys = threading.Barrier(8), []

    def start():
        barrier.wait()
        keys.append(public_key_b64url(load_or_create_key_file(str(tmp_path))))

    threads = [threading.Thread(target=start) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert len(keys) == 8 and len(set(keys)) == 1
    assert [p.name for p in tmp_path.iterdir()] == [KEY_FILENAME]  # no temporary files left


@pytest.mark.parametrize("form", ["pem", "pem-on-one-line", "raw", "der"])
def test_vapid_private_key_may_be_pem_or_base64url(form):
    key = Vapid()
    key.generate_keys()
    pem = key.private_pem().decode()
    text = {
        "pem": pem,
        "pem-on-one-line": pem.replace("\n", "\\n"),
        "raw": raw_private_key(key),
        "der": "".join(pem.strip().splitlines()[1:-1]).replace("+", "-").replace("/", "_").rstrip("="),
    }[form]
    assert public_key_b64url(key_from_text(text)) == public_key_b64url(key)


def test_the_environment_variable_is_used_when_the_config_has_none(app, monkeypatch):
    key = Vapid()
    key.generate_keys()
    app.config["VAPID_PRIVATE_KEY"] = None
    monkeypatch.setenv("VAPID_PRIVATE_KEY", raw_private_key(key))
    app.extensions.pop("push_vapid", None)
    assert public_key_b64url(vapid_key()) == public_key_b64url(key)
    point = b64url_decode(public_key_b64url(key))
    assert len(point) == 65 and point[0] == 4
