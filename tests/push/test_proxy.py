"""Where outgoing traffic must go through a proxy, PUSH_PROXY names it and every push goes through
it, still delivered and decrypted at the push service; without it, nothing goes to a proxy."""

import http.client
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from tests.push.test_delivery import queue


class ForwardingProxy:
    """A plain HTTP forward proxy on 127.0.0.1 (the test push service speaks http), recording
    the absolute URLs it was asked for."""

    def __init__(self):
        self.asked: list[tuple[str, str]] = []
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                proxy.asked.append((self.command, self.path))
                target = urlsplit(self.path)
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "proxy-connection")}
                upstream = http.client.HTTPConnection(target.hostname, target.port, timeout=10)
                upstream.request("POST", target.path + (f"?{target.query}" if target.query else ""), body, headers)
                answer = upstream.getresponse()
                content = answer.read()
                self.send_response(answer.status)
                for name, value in answer.getheaders():
                    if name.lower() not in ("transfer-encoding", "connection", "content-length"):
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)
                upstream.close()

            def log_message(self, *_args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def test_pushes_go_through_the_configured_proxy(app, make_user, subscribe, push_service, run_worker):
    proxy = ForwardingProxy()
    try:
        app.config["PUSH_PROXY"] = proxy.url
        user = make_user()
        phone = subscribe(user, "phone")
        queue(user)
        assert run_worker() == {"sent": 1}
    finally:
        proxy.stop()
    assert push_service.errors == []
    [received] = push_service.received_by(phone.name)
    assert received.payload["title"] == "Heute: Sprachcafé Siegen"  # decrypted at the push service
    assert proxy.asked == [("POST", phone.endpoint)]


def test_without_a_proxy_setting_the_push_goes_straight_out(app, make_user, subscribe, push_service, run_worker):
    proxy = ForwardingProxy()
    try:
        app.config["PUSH_PROXY"] = None
        user = make_user()
        subscribe(user, "phone")
        queue(user)
        assert run_worker() == {"sent": 1}
    finally:
        proxy.stop()
    assert len(push_service.received) == 1 and proxy.asked == []
