"""The race benchmark's checking push service (bench/race/service.py), with what the fault benches
need: a fixed port (so that it can be stopped and started again where the subscriptions point),
every accepted push appended to a file (so that a restart loses nothing), a mode that answers 503,
and a delay before each answer (a push in flight long enough for a kill -9 to land in it).

    python bench/faults/push_service.py KEYS.json MESSAGES.jsonl --port N [--delay 0.1]

POST /_mode {"mode": "ok" | "503"} switches the answer; GET /messages answers what the file holds.
A push is written to the file when it arrives and checks out, before the delay and the 201: a
sender killed while waiting has reached the service, as with a real one."""

import argparse
import json
import sys
import threading
import time
from http.server import ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.race.service import Handler, Inbox


class FileInbox(Inbox):
    def __init__(self, keys: dict, path: Path, delay: float):
        super().__init__(keys)
        self.path, self.delay, self.mode = path, delay, "ok"
        self.refused_503 = 0
        self.writing = threading.Lock()  # one push at a time from check to file: its message is the last kept

    def receive(self, origin: str, name: str, headers: dict, body: bytes) -> int:
        if self.mode == "503":
            with self.lock:
                self.refused_503 += 1
            return 503
        with self.writing:
            status = super().receive(origin, name, headers, body)
            if status == 201:
                with self.lock, self.path.open("a") as handle:
                    handle.write(json.dumps(self.messages.pop()) + "\n")
        time.sleep(self.delay)
        return status

    def snapshot(self) -> dict:
        with self.lock:
            lines = self.path.read_text().splitlines() if self.path.exists() else []
            return {
                "messages": [json.loads(line) for line in lines],
                "errors": list(self.errors),
                "refused_503": self.refused_503,
            }


class FaultHandler(Handler):
    def do_POST(self):
        if self.path == "/_mode":
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
            self.inbox.mode = body["mode"]
            self._answer(200, b"{}", "application/json")
            return
        super().do_POST()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("keys", type=Path)
    parser.add_argument("messages", type=Path)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--delay", type=float, default=0.0)
    args = parser.parse_args()
    ThreadingHTTPServer.allow_reuse_address = True  # started again on the same port at once
    server = ThreadingHTTPServer(("127.0.0.1", args.port), FaultHandler)
    server.daemon_threads = True
    FaultHandler.origin = f"http://127.0.0.1:{args.port}"
    FaultHandler.inbox = FileInbox(json.loads(args.keys.read_text()), args.messages, args.delay)
    threading.current_thread().name = "push-service"
    print(f"PORT {args.port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
