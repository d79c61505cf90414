"""What the HTTP benchmarks share: gunicorn servers on 127.0.0.1, waiting for them, stopping them
(also on Ctrl+C), their workers' memory, and wrk runs read back as numbers."""

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

VENV_BIN = Path(sys.executable).parent
REPORT_LUA = Path(__file__).resolve().with_name("report.lua")


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def gunicorn(
    chdir: Path,
    module: str,
    port: int,
    workers: int,
    env: dict,
    logfile: Path,
    pythonpath: str | None = None,
    options: list[str] = (),
) -> subprocess.Popen:
    # --no-control-socket: gunicorn 27 would otherwise open one shared socket path for every server.
    command = [
        str(VENV_BIN / "gunicorn"),
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
        "--bind",
        f"127.0.0.1:{port}",
        "--no-control-socket",
        "--chdir",
        str(chdir),
        *(["--pythonpath", pythonpath] if pythonpath else []),
        *options,
        module,
    ]
    with logfile.open("w") as handle:
        # Started in `chdir`: gunicorn reads gunicorn.conf.py from the folder it starts in.
        return subprocess.Popen(command, env=env, stdout=handle, stderr=subprocess.STDOUT, cwd=chdir)


def wait_for(url: str, server: subprocess.Popen, seconds: float = 30, logfile: Path | None = None) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            tail = f":\n{logfile.read_text()[-3000:]}" if logfile else ""
            raise SystemExit(f"server for {url} exited with {server.returncode}{tail}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not answer within {seconds} s")


def stop(servers: list[subprocess.Popen]) -> None:
    for server in servers:
        if server.poll() is None:
            server.terminate()  # SIGTERM: gunicorn's graceful shutdown, workers included
    for server in servers:
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def worker_memory(master: subprocess.Popen) -> list[dict]:
    """Peak (VmHWM) and current (VmRSS) resident memory of each worker, in MiB."""
    children = Path(f"/proc/{master.pid}/task/{master.pid}/children").read_text().split()
    return [_memory(int(pid)) for pid in children]


def _memory(pid: int) -> dict:
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines())

    def kib(name: str) -> int:
        return int(fields[name].split()[0])

    return {"pid": pid, "peak_mib": kib("VmHWM") / 1024, "rss_mib": kib("VmRSS") / 1024}


def warm_up(
    url: str, headers: list[str], expected: int, count: int = 10, method: str = "GET", body: bytes | None = None
) -> None:
    """Sequential requests: every worker has run the code path, and no abandoned request stays
    queued in gunicorn (as after a timed wrk run), which would eat into the measured one."""
    request = urllib.request.Request(
        url, headers=dict(header.split(": ", 1) for header in headers), method=method, data=body
    )
    for _ in range(count):
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                status = response.status
                response.read()
        except urllib.error.HTTPError as error:  # urllib treats a 304 as an error
            status = error.code
        if status != expected:
            raise SystemExit(f"{url}: {status}, expected {expected}")


def wrk(
    url: str,
    *,
    threads: int,
    connections: int,
    seconds: int,
    script: Path,
    headers: list[str] = (),
    script_args: list[str] = (),
) -> dict:
    """One wrk run; `script` must print wrk's summary as a `WRK_JSON {…}` line (report.lua)."""
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "--latency",
        "-s",
        str(script),
        *(part for header in headers for part in ("-H", header)),
        url,
        *(["--", *script_args] if script_args else []),
    ]
    env = {**os.environ, "WRK_REPORT_LUA": str(REPORT_LUA)}  # for scripts that add their own request()
    busy_before = machine_cpu()
    output = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True, env=env).stdout
    busy, stolen = (after - before for after, before in zip(machine_cpu(), busy_before, strict=True))
    line = next(line for line in output.splitlines() if line.startswith("WRK_JSON "))
    result = json.loads(line.removeprefix("WRK_JSON "))
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    result["cpu_ms"] = busy / max(result["requests"], 1)  # every process of this machine: server, database, wrk
    result["steal"] = stolen / max(busy + stolen, 1e-9)
    result["errors"] = sum(
        result[key] for key in ("connect_errors", "read_errors", "write_errors", "status_errors", "timeouts")
    )
    return result


def processes_cpu_seconds(pids) -> float:
    """CPU seconds (user + system) these processes have used so far; one that has ended counts 0."""
    ticks = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def workers_cpu_seconds(master) -> float:
    """CPU seconds the master's worker processes (gunicorn's) have used so far."""
    return processes_cpu_seconds(Path(f"/proc/{master.pid}/task/{master.pid}/children").read_text().split())


def machine_cpu() -> tuple[float, float]:
    """Milliseconds of CPU this machine's processes used so far (user, nice, system, irq, softirq),
    and those the hypervisor gave to other machines (steal). On a shared host requests per second
    move with the neighbours' load; the CPU a request costs here moves much less, so a page's CPU
    per request next to the bare endpoint's is the steadier share (on a machine wrk saturates,
    req/s × bare approaches it)."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields
    tick_ms = 1000 / os.sysconf("SC_CLK_TCK")
    return (user + nice + system + irq + softirq) * tick_ms, steal * tick_ms


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])
