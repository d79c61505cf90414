"""The HTTP client that pushes: urllib3 with kept-alive connections per push service, no redirects,
no retries (the outbox retries, with backoff).

Not requests: its cookies, hooks and per-request look-ups of .netrc and proxy settings in the
environment cost about 0.45 ms of CPU per push more, a third of the worker's CPU per notification
(bench/push). So the worker does not read HTTP(S)_PROXY from the environment; where outgoing
HTTPS must go through a proxy (many municipal networks), PUSH_PROXY names it: the pushes then
tunnel through it with CONNECT, still end-to-end TLS to the push service."""

from dataclasses import dataclass

import certifi
import urllib3

PUSH_SERVICES = 20  # push services kept connected at once (browsers use a handful)


@dataclass(frozen=True)
class Answer:
    status: int
    retry_after: str | None


class PushClient:
    """Thread-safe: the worker's pushing threads share one, and it outlives passes."""

    def __init__(self, *, connections_per_host: int = 10, timeout: float = 10.0, proxy: str | None = None):
        settings = dict(
            num_pools=PUSH_SERVICES,
            maxsize=connections_per_host,
            retries=False,
            timeout=urllib3.Timeout(connect=timeout, read=timeout),
            ca_certs=certifi.where(),
        )
        self._pool = urllib3.ProxyManager(proxy, **settings) if proxy else urllib3.PoolManager(**settings)

    def post(self, url: str, *, body: bytes, headers: dict[str, str]) -> Answer:
        """POST and read the answer; raises urllib3.exceptions.HTTPError for network trouble.
        Push services answer, they do not redirect: following one could lead to an internal
        address that check_endpoint() never saw."""
        response = self._pool.request("POST", url, body=body, headers=headers, redirect=False)
        return Answer(response.status, response.headers.get("Retry-After"))

    def close(self) -> None:
        self._pool.clear()

    def __enter__(self) -> "PushClient":
        return self

    def __exit__(self, *_exc) -> None:
        self.close()
