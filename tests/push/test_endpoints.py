"""Only https endpoints on public hosts receive pushes; the check resolves names for real
(getaddrinfo is replaced only where a public name must resolve on this offline machine)."""

import socket

import pytest

from volunteers.push.endpoints import EndpointRefused, EndpointUnresolvable, check_endpoint, push_host

REFUSED = [
    "http://push.example.com/wpush/abc",  # plain http
    "http://10.0.0.1/wpush/abc",  # private, plain http
    "https://10.0.0.1/wpush/abc",  # private
    "https://192.168.1.1/",  # private
    "https://172.16.5.4/",  # private
    "https://100.64.0.1/",  # carrier-grade NAT
    "https://169.254.169.254/latest/meta-data",  # link-local (cloud metadata)
    "https://[fe80::1]/wpush",  # link-local IPv6
    "https://[::1]/wpush",  # loopback IPv6
    "https://127.0.0.1/wpush",  # loopback without PUSH_ALLOW_LOOPBACK
    "http://127.0.0.1:8080/wpush",  # loopback over http without PUSH_ALLOW_LOOPBACK
    "https://localhost/wpush",  # resolves to loopback
    "https://0.0.0.0/",  # unspecified
    "https://224.0.0.1/",  # multicast
    "https://[::ffff:10.0.0.1]/",  # IPv4-mapped private
    "https://8.8.8.8/wpush",  # an address is never a push service's name
    "https://user:secret@push.example.com/x",  # credentials in the URL
    "ftp://push.example.com/x",
    "https://push.example.com:99999/x",  # port out of range
    "https:///nohost",
    "",
    "https://push.example.com/" + "a" * 2100,  # too long
]


@pytest.mark.parametrize("endpoint", REFUSED)
def test_refuses_everything_but_public_https(endpoint):
    with pytest.raises(EndpointRefused):
        check_endpoint(endpoint, allow_loopback=False)


@pytest.mark.parametrize("endpoint", ["http://127.0.0.1:8080/wpush/x", "https://127.0.0.1:8443/wpush/x"])
def test_loopback_literal_only_when_allowed(endpoint):
    check_endpoint(endpoint, allow_loopback=True)
    with pytest.raises(EndpointRefused):
        check_endpoint(endpoint, allow_loopback=False)


@pytest.mark.parametrize(
    "endpoint", ["http://10.0.0.1/x", "https://localhost/x", "https://192.168.1.1/x", "http://push.example.com/x"]
)
def test_allowing_loopback_allows_nothing_else(endpoint):
    with pytest.raises(EndpointRefused):
        check_endpoint(endpoint, allow_loopback=True)


def fake_dns(monkeypatch, answers: dict[str, list[str]]):
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host not in answers:
            return real(host, port, *args, **kwargs)
        if not answers[host]:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [
            (socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
            for a in answers[host]
        ]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def test_a_name_that_resolves_to_public_addresses_is_accepted(monkeypatch):
    fake_dns(monkeypatch, {"fcm.googleapis.com": ["142.250.185.74", "2a00:1450:4001:82b::200a"]})
    check_endpoint("https://fcm.googleapis.com/fcm/send/abc:def", allow_loopback=False)


@pytest.mark.parametrize(
    "addresses", [["10.1.2.3"], ["142.250.185.74", "192.168.0.7"], ["::1"], ["169.254.1.1"], ["fd00::1"]]
)
def test_a_name_with_any_internal_address_is_refused(monkeypatch, addresses):
    fake_dns(monkeypatch, {"push.example.net": addresses})
    with pytest.raises(EndpointRefused) as refused:
        check_endpoint("https://push.example.net/x", allow_loopback=False)
    assert refused.value.code == "endpoint_refused"


def test_a_name_that_does_not_resolve_is_refused_as_unresolvable(monkeypatch):
    fake_dns(monkeypatch, {"gone.example.net": []})
    with pytest.raises(EndpointUnresolvable):
        check_endpoint("https://gone.example.net/x", allow_loopback=False)


def test_only_the_host_is_shown_of_an_endpoint():
    assert push_host("https://fcm.googleapis.com/fcm/send/secret-token") == "fcm.googleapis.com"
    assert push_host("not a url") == "?"
