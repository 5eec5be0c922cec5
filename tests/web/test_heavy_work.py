"""Heavy requests (big cases, spreads, documents, large bodies) run in helper processes: one of
them cannot hold up the others, a full queue is turned away at once with 503 and Retry-After,
and work over its time budget is stopped, not left running."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time
from multiprocessing.context import ForkProcess
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import URL
from starlette.exceptions import HTTPException

from dermcover.web.api import determinations
from dermcover.web.heavy import HeavyWork

from .support import example, make_app

DETERMINATIONS = "/api/v1/determinations"
CASE = example("burn-scar-laser.yaml")
# Fifty procedure lines: the most a case may have, and more than the server decides itself.
BIG = {**CASE, "procedures": (CASE["procedures"] * 50)[:50]}


def hold_the_gil() -> None:
    """Busy for a second or two in one C call, which lets no other thread of its process run
    meanwhile (as rendering a big PDF or writing a big answer's JSON does)."""
    sum(range(80_000_000))


async def while_costly(
    app: FastAPI, costly: list[dict[str, Any]], then: str, delay: float = 0.3
) -> tuple[list[httpx.Response], httpx.Response, float]:
    """Send the costly cases at once, then (after `delay`) a GET of `then`: the costly answers,
    the GET's answer and how long after it was due it was answered."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://testserver", timeout=60
    ) as client:
        sent = [asyncio.create_task(client.post(DETERMINATIONS, json=case)) for case in costly]
        due = time.perf_counter() + delay  # counted from here: the loop may be late to wake
        await asyncio.sleep(delay)
        cheap = await client.get(then)
        waited = time.perf_counter() - due
        return list(await asyncio.gather(*sent)), cheap, waited


def started(app: FastAPI) -> Any:
    """The app with its lifespan run (the helper processes forked), for httpx's transport."""
    return TestClient(app, raise_server_exceptions=False)


def test_a_big_case_is_decided_in_full_by_a_helper(client: TestClient) -> None:
    answer = client.post(DETERMINATIONS, params={"trace": "full"}, json=BIG)
    assert answer.status_code == 200, answer.text
    results = answer.json()["lines"]
    assert len(results) == 50
    assert {result["outcome"] for result in results} == {results[0]["outcome"]}


def test_an_app_started_again_forks_new_helpers_for_its_big_cases(sqlite_url: URL) -> None:
    # A test client, or a server reloaded in process, runs the lifespan once per use: helpers
    # stopped at the end of one must not leave the next one with none (a 500 at the first big
    # case).
    app = make_app(sqlite_url)
    for _ in range(2):
        with started(app) as client:
            answer = client.post(DETERMINATIONS, json=BIG)
            assert answer.status_code == 200, answer.text
            assert len(answer.json()["lines"]) == 50


def test_a_big_case_busy_in_one_long_call_does_not_hold_up_the_others(
    sqlite_url: URL, monkeypatch: pytest.MonkeyPatch
) -> None:
    def costly(*args: Any, **kwargs: Any) -> Any:
        hold_the_gil()
        return real(*args, **kwargs)

    real = determinations.determine
    monkeypatch.setattr(determinations, "determine", costly)
    app = make_app(sqlite_url)
    with started(app):
        answers, cheap, waited = asyncio.run(while_costly(app, [BIG], "/api/v1/policies"))
    assert [answer.status_code for answer in answers] == [200]
    assert cheap.status_code == 200
    assert waited < 1.0, f"the cheap request waited {waited:.2f} s for the costly one"


def slow_for_slow_ids(case: Any, *args: Any, **kwargs: Any) -> Any:
    if case.id == "slow":
        time.sleep(30)
    return real_determine(case, *args, **kwargs)


real_determine = determinations.determine


def test_a_full_heavy_queue_is_turned_away_at_once_with_retry_after(
    sqlite_url: URL, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(determinations, "determine", slow_for_slow_ids)
    app = make_app(sqlite_url, heavy_processes=1, heavy_waiting=1, request_seconds=3)
    slow = {**BIG, "id": "slow"}

    async def three_then_one() -> tuple[list[int], httpx.Response, float]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            running = [asyncio.create_task(c.post(DETERMINATIONS, json=slow)) for _ in range(2)]
            await asyncio.sleep(0.3)
            begun = time.perf_counter()
            turned_away = await c.post(DETERMINATIONS, json=slow)
            took = time.perf_counter() - begun
            statuses = [answer.status_code for answer in await asyncio.gather(*running)]
            return statuses, turned_away, took

    with started(app):
        statuses, turned_away, took = asyncio.run(three_then_one())
    assert turned_away.status_code == 503
    assert turned_away.headers["retry-after"] == "5"
    assert "too many large requests at once" in turned_away.json()["detail"]
    assert took < 1.0, "a full queue should answer at once, not after the others"
    # The running one and the waiting one ran into their 3 s budget.
    assert statuses == [503, 503]


def test_work_over_its_budget_is_stopped_and_the_next_heavy_request_is_answered(
    sqlite_url: URL, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(determinations, "determine", slow_for_slow_ids)
    app = make_app(sqlite_url, heavy_processes=1, request_seconds=2)
    with started(app) as client:
        over = client.post(DETERMINATIONS, json={**BIG, "id": "slow"})
        assert over.status_code == 503
        assert over.headers["retry-after"] == "5"
        assert "budget" in over.json()["detail"]
        # One helper, and the slow work would hold it for 30 s: answered only if it was stopped.
        after = client.post(DETERMINATIONS, json={**BIG, "id": "fast"})
    assert after.status_code == 200, after.text
    assert len(after.json()["lines"]) == 50


def test_the_others_are_answered_while_a_helper_over_its_budget_is_killed_and_replaced(
    sqlite_url: URL, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A killed helper takes a while to exit (it gives back its memory first: tens of
    # milliseconds, more on a busy machine), and forking its replacement copies the page tables
    # of a process of a hundred megabytes and more. Here each takes two seconds in the server
    # process. Done on the event loop, either held up every other request of that process.
    real_join, real_fork = ForkProcess.join, os.fork

    def slow_exit(process: ForkProcess, timeout: float | None = None) -> None:
        time.sleep(2)
        real_join(process, timeout)

    def slow_fork() -> int:
        time.sleep(2)
        return real_fork()

    monkeypatch.setattr(determinations, "determine", slow_for_slow_ids)
    app = make_app(sqlite_url, heavy_processes=1, request_seconds=1)
    with started(app) as client:
        monkeypatch.setattr(ForkProcess, "join", slow_exit)
        monkeypatch.setattr(os, "fork", slow_fork)
        slow = {**BIG, "id": "slow"}
        answers, cheap, waited = asyncio.run(while_costly(app, [slow], "/api/v1/policies", 1.2))
        monkeypatch.undo()
        replaced = client.post(DETERMINATIONS, json=BIG)
    assert [answer.status_code for answer in answers] == [503]
    assert cheap.status_code == 200
    assert waited < 1.0, f"the cheap request waited {waited:.2f} s for the helper's exit or fork"
    assert replaced.status_code == 200, replaced.text


def parent_of(pid: int) -> int:
    stat = Path(f"/proc/{pid}/stat").read_text()
    return int(stat.rpartition(")")[2].split()[1])


@pytest.mark.skipif(not os.path.exists("/proc/self/stat"), reason="reads /proc")
def test_heavy_work_recovers_when_its_helper_and_spawner_are_killed() -> None:
    # An operator's kill, or the kernel's when memory runs out, may take any of the processes.
    heavy = HeavyWork(processes=1)
    heavy.start()
    try:
        (helper,) = heavy.pids()
        spawner = parent_of(helper)
        assert spawner != os.getpid()
        os.kill(spawner, signal.SIGKILL)
        os.kill(helper, signal.SIGKILL)
        with pytest.raises(HTTPException) as failed:  # the job sent to the dead helper
            asyncio.run(heavy.run(os.getpid))
        assert failed.value.status_code == 503
        assert failed.value.headers == {"Retry-After": "5"}
        new = asyncio.run(heavy.run(os.getpid))  # a new spawner forks a new helper
        assert new not in (helper, spawner)
        assert parent_of(new) not in (spawner, os.getpid())
    finally:
        heavy.close()


def test_a_large_body_is_answered_and_its_query_checked_as_a_small_one_is(
    client: TestClient,
) -> None:
    # Over 16 KiB: read, decided and written in one trip to a helper process.
    body = json.dumps({**BIG, "patient": {"name": "A. Patient " * 1500, "age": 34}})
    assert len(body) > 16_384
    headers = {"content-type": "application/json"}

    def post(**params: str) -> httpx.Response:
        return client.post(DETERMINATIONS, params=params, content=body, headers=headers)

    decided = post(trace="full")
    assert decided.status_code == 200, decided.text
    assert len(decided.json()["lines"]) == 50
    spread = post(policy="all")
    assert spread.status_code == 200, spread.text
    assert spread.json()["plans"] > 1
    unknown = post(policy="no-such-pack")
    assert unknown.status_code == 422
    assert unknown.json()["field"] == "policy"
    assert "no-such-pack" in unknown.json()["detail"]
    wrong = post(trace="everything")
    assert wrong.status_code == 422
    assert wrong.json()["field"] == "trace"


def test_a_large_yaml_body_with_a_mistake_names_its_field_and_line(client: TestClient) -> None:
    case = json.loads(json.dumps({**BIG, "patient": {"name": "A. Patient " * 1500, "age": 34}}))
    text = yaml.safe_dump(case, sort_keys=False).replace("sessions: 3", "sessions: false", 1)
    assert len(text) > 20_000  # read in a helper process, not by the server
    answer = client.post(DETERMINATIONS, content=text, headers={"content-type": "application/yaml"})
    assert answer.status_code == 422, answer.text
    assert answer.json()["field"] == "procedures[0].sessions", answer.json()
    assert answer.json()["detail"].startswith("request body:")


def test_a_document_refused_in_a_helper_keeps_its_reasons(client: TestClient) -> None:
    body = {"case": {**example("pico-laser-prp-melasma.yaml")}}
    answer = client.post("/api/v1/documents/pa-packet", params={"date": "2026-11-22"}, json=body)
    assert answer.status_code == 409  # well formed; the case as decided does not support it
    assert answer.json()["detail"].startswith("cannot write the prior-authorization packet")


@pytest.mark.skipif(not hasattr(os, "SCHED_IDLE"), reason="Linux's idle scheduling class")
def test_helpers_take_only_the_cpu_nobody_else_wants() -> None:
    heavy = HeavyWork(processes=1)
    heavy.start()
    try:
        assert asyncio.run(heavy.run(os.getpid)) in heavy.pids()  # the helper has set itself up
        (pid,) = heavy.pids()
        assert os.sched_getscheduler(pid) == os.SCHED_IDLE
        assert os.getpriority(os.PRIO_PROCESS, pid) == 19
    finally:
        heavy.close()
