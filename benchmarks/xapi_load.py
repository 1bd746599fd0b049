"""LRS load from ``wrk`` (a C load generator, so the client does not starve the server).

    apt-get install -y wrk     # Debian's wrk 4 (LuaJIT scripting)
    .venv/bin/python -m benchmarks.xapi_load --database-url sqlite:///var/bench-load.db
    .venv/bin/python -m benchmarks.xapi_load \\
        --database-url postgresql+psycopg://postgres@127.0.0.1/bench --workers 2

A real server process (``learnloop serve``'s app) is driven by wrk with a Lua body
generator that gives every request statements with ids of their own. Printed, in
statements/s (requests/s for reads):

- single-statement POST /xapi/statements, at each ``--connections`` level;
- batched POSTs of ``--batch-size`` statements;
- GET /xapi/statements with filters (verb, agent, activity+related_activities);
- the raw-insert baseline: the rows the LRS writes for the same number of statements,
  inserted straight into the same database with the LRS's own bulk writer, one
  transaction per ``--batch-size``, by two threads, in the same run.

Non-2xx answers and socket errors are printed too: the goal is none. Use a scratch
database: the statements tables are emptied first.

On Linux the server's CPU time per request (all its processes, from ``/proc``) is printed
next to the rates: on a shared machine the rates move with the load, the CPU cost of a
request much less, and it says what one core can serve (1000 / ms per request).
"""

from __future__ import annotations

import argparse
import base64
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from benchmarks.xapi_common import (
    Server,
    insert_raw,
    issue_credentials,
    make_statement,
    prepare_database,
    raw_rows,
)
from learnloop.db import Database, utcnow

RawBatch = tuple[list[dict[str, Any]], list[list[tuple[str, bool]]], list[list[str]]]

# The body is the statement of benchmarks.xapi_common.make_statement with the id, the
# learner and the activity varied per request; ids combine the phase, the wrk thread and
# a per-thread counter, so no two requests of a run share one.
LUA_TEMPLATE = r"""
local thread_number = 0
local threads = {}
function setup(thread)
  thread:set("thread_id", thread_number)
  thread_number = thread_number + 1
end
local counter = 0
local phase = PHASE
local batch = BATCH
local verbs = {"answered", "completed", "attempted", "passed", "experienced"}
local function statement()
  counter = counter + 1
  local learner = math.random(0, 999)
  return string.format(
    '{"id":"%08x-%04x-4000-8000-%012x",' ..
    '"actor":{"objectType":"Agent","name":"Learner %d","mbox":"mailto:learner%d@example.com"},' ..
    '"verb":{"id":"http://adlnet.gov/expapi/verbs/%s","display":{"en-US":"did"}},' ..
    '"object":{"objectType":"Activity","id":"http://example.com/activities/%d",' ..
    '"definition":{"name":{"en-US":"Activity"},"type":"http://adlnet.gov/expapi/activities/assessment"}},' ..
    '"result":{"score":{"scaled":0.5},"success":true,"completion":true,"duration":"PT42S"},' ..
    '"context":{"contextActivities":{"parent":[{"id":"http://example.com/courses/1"}]}},' ..
    '"timestamp":"2026-01-01T10:00:00.000Z"}',
    thread_id, phase, counter, learner, learner, verbs[math.random(1, 5)], math.random(0, 199))
end
request = function()
  local body
  if batch == 1 then
    body = statement()
  else
    local parts = {}
    for i = 1, batch do parts[i] = statement() end
    body = "[" .. table.concat(parts, ",") .. "]"
  end
  return wrk.format("POST", "/xapi/statements", nil, body)
end
"""


@dataclass
class WrkResult:
    requests_per_second: float
    non_2xx: int
    socket_errors: int
    latency: str

    @property
    def errors(self) -> int:
        return self.non_2xx + self.socket_errors


def run_wrk(
    url: str,
    headers: dict[str, str],
    *,
    connections: int,
    seconds: int,
    script: Path | None = None,
) -> WrkResult:
    command = ["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--latency"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    if script is not None:
        command += ["-s", str(script)]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    non_2xx_match = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors_match = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    latency_match = re.search(r"^\s+50%\s+(\S+).*?^\s+99%\s+(\S+)", output, re.S | re.M)
    return WrkResult(
        requests_per_second=rate,
        non_2xx=int(non_2xx_match.group(1)) if non_2xx_match else 0,
        socket_errors=sum(int(n) for n in errors_match.groups()) if errors_match else 0,
        latency=(
            f"p50 {latency_match.group(1)} p99 {latency_match.group(2)}" if latency_match else ""
        ),
    )


def server_cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of the server process and its worker processes."""
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        total_ticks = 0
        for process in [pid, *map(int, children)]:
            fields = Path(f"/proc/{process}/stat").read_text().rsplit(")", 1)[1].split()
            total_ticks += int(fields[11]) + int(fields[12])  # utime, stime
    except (OSError, ValueError):
        return None
    return total_ticks / os.sysconf("SC_CLK_TCK")


def cpu_per_request(before: float | None, after: float | None, requests: float) -> str:
    if before is None or after is None or requests <= 0:
        return ""
    return f"  server CPU {(after - before) / requests * 1000:.2f} ms/request"


def lua_script(directory: Path, phase: int, batch: int) -> Path:
    path = directory / f"post-{phase}-{batch}.lua"
    path.write_text(
        LUA_TEMPLATE.replace("PHASE", str(phase)).replace("BATCH", str(batch)), encoding="utf-8"
    )
    return path


def raw_insert_rate(database_url: str, statements: int, batch_size: int) -> float:
    database = Database.from_url(database_url)
    rng = random.Random(11)
    prepared = [
        raw_rows(
            [
                {**make_statement(rng, 1000, 200), "id": str(uuid.uuid4())}
                for _ in range(batch_size)
            ],
            utcnow(),
        )
        for _ in range(max(1, statements // batch_size))
    ]
    halves = [prepared[0::2], prepared[1::2]]

    def insert_all(part: list[RawBatch]) -> None:
        for rows, agents, activities in part:
            insert_raw(database.engine, rows, agents, activities)

    started = time.perf_counter()
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(insert_all, halves))
    elapsed = time.perf_counter() - started
    database.engine.dispose()
    return len(prepared) * batch_size / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--connections", default="16,64")
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--workers", type=int, default=1, help="server processes")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install -y wrk")

    database = prepare_database(args.database_url)
    key, secret = issue_credentials(database)
    database.engine.dispose()
    headers = {
        "Authorization": "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode(),
        "X-Experience-API-Version": "1.0.3",
        "Content-Type": "application/json",
    }
    backend = args.database_url.split(":", 1)[0]
    print(f"backend: {backend}  server processes: {args.workers}  wrk: 2 threads")
    connection_levels = [int(value) for value in args.connections.split(",")]
    with tempfile.TemporaryDirectory() as scratch:
        directory = Path(scratch)
        server = Server(args.database_url, directory / "data", workers=args.workers)
        url = f"{server.base_url}/xapi/statements"
        try:
            phase = 0
            # Warm-up: first requests compile queries and fill caches.
            phase += 1
            run_wrk(url, headers, connections=4, seconds=2, script=lua_script(directory, phase, 1))
            # The ceiling of this machine at this moment: a request that does no work.
            cpu_before = server_cpu_seconds(server.process.pid)
            about = run_wrk(
                f"{server.base_url}/xapi/about", headers, connections=16, seconds=args.seconds // 2
            )
            cpu_after = server_cpu_seconds(server.process.pid)
            print(
                f"GET /xapi/about c= 16: {about.requests_per_second:8.0f} requests/s"
                f"  errors {about.errors}  (the server's per-request ceiling)"
                + cpu_per_request(
                    cpu_before, cpu_after, about.requests_per_second * (args.seconds // 2)
                )
            )
            single_rates = []
            for connections in connection_levels:
                phase += 1
                cpu_before = server_cpu_seconds(server.process.pid)
                result = run_wrk(
                    url,
                    headers,
                    connections=connections,
                    seconds=args.seconds,
                    script=lua_script(directory, phase, 1),
                )
                cpu_after = server_cpu_seconds(server.process.pid)
                single_rates.append(result.requests_per_second)
                print(
                    f"single POST  c={connections:3d}: {result.requests_per_second:8.0f} statements/s"
                    f"  errors {result.errors}  ({result.latency})"
                    + cpu_per_request(
                        cpu_before, cpu_after, result.requests_per_second * args.seconds
                    )
                )
            phase += 1
            batched = run_wrk(
                url,
                headers,
                connections=4,
                seconds=args.seconds,
                script=lua_script(directory, phase, args.batch_size),
            )
            batched_rate = batched.requests_per_second * args.batch_size
            print(
                f"batch POST ({args.batch_size}) c=  4: {batched_rate:8.0f} statements/s"
                f"  errors {batched.errors}  ({batched.latency})"
            )
            stored = httpx.get(f"{url}?limit=1", headers=headers, timeout=30).status_code
            assert stored == 200
            for label, query in (
                ("verb", "verb=http://adlnet.gov/expapi/verbs/answered&limit=20"),
                ("agent", 'agent={"mbox":"mailto:learner7@example.com"}&limit=20'),
                (
                    "activity+related",
                    "activity=http://example.com/courses/1&related_activities=true&limit=20",
                ),
            ):
                result = run_wrk(
                    f"{url}?{httpx.QueryParams(query)}",
                    headers,
                    connections=16,
                    seconds=max(3, args.seconds // 2),
                )
                print(
                    f"GET filter {label:17s} c= 16: {result.requests_per_second:8.0f} requests/s"
                    f"  errors {result.errors}  ({result.latency})"
                )
        finally:
            server.stop()
    raw = raw_insert_rate(args.database_url, 20 * args.batch_size, args.batch_size)
    print(f"raw insert (batches of {args.batch_size}, 2 threads): {raw:8.0f} statements/s")
    print(
        f"ratios to raw: single best {max(single_rates) / raw:5.2f}"
        f"  batched {batched_rate / raw:5.2f}  (goals: single >= 1000/s, batched >= 0.5x)"
    )


if __name__ == "__main__":
    main()
