"""CRD latency: the kit's CDS Hooks requests (and the same requests with dermatology codes)
POSTed to a running `dermcover serve`, one signed JWT per call, as the Inferno kit sends them;
side by side, the same dermatology cases through the plain API (`/api/v1/determinations`), so the
cost of CDS Hooks + FHIR + client trust + keeping the answer shows.

    python bench/crd.py [--seconds 20] [--threads 1 4]

It starts its own server on a free 127.0.0.1 port with a fresh SQLite file, trusting only the
kit's public test keys. `fhirServer` is removed from the bodies: their prefetch carries what they
need, and a read from the kit's reference server would time the network, not this service.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import jwt

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # the kits' requests and keys live with the tests
sys.path.insert(0, str(ROOT))

from dermcover.interop.clinical import ClinicalData  # noqa: E402
from dermcover.interop.mapping import ORDER_TYPES, order_case  # noqa: E402
from dermcover.interop.payers import payer_directory  # noqa: E402
from interop.support import CRD, INFERNO_ISS, clients_file, crd, signing_key  # noqa: E402
from interop.variants import DERMATOLOGY  # noqa: E402

KEYS = {alg: signing_key(alg) for alg in ("ES384", "RS384")}


def kit_bodies() -> list[dict[str, Any]]:
    names = sorted(
        p.name for p in CRD.glob("*.json") if p.name.startswith(("order_", "appointment_"))
    )
    bodies = [crd(name) for name in names] + [make() for make, _, _ in DERMATOLOGY.values()]
    for body in bodies:
        body.pop("fhirServer", None)
        body.pop("fhirAuthorization", None)
    return bodies


def equivalent_case(body: dict[str, Any]) -> dict[str, Any] | None:
    """The dermcover case the hook's first order makes, for the plain API."""
    data = ClinicalData()
    for key, value in (body.get("prefetch") or {}).items():
        data.add(value, key)
    context = body["context"]
    orders = data.add(context.get("draftOrders") or context.get("appointments"), "context")
    orders = [o for o in orders if o["resourceType"] in ORDER_TYPES] or data.of_type(
        "ServiceRequest"
    )
    if not orders:
        return None
    coverage = data.of_type("Coverage")[0]
    made = order_case(
        orders[0],
        data,
        patient=data.get(f"Patient/{context['patientId']}"),
        coverage=coverage,
        payer=payer_directory().match(coverage, data),
    )
    return made.case.model_dump(mode="json", exclude_none=True) if made.case else None


def signed(url: str, alg: str) -> str:
    now = int(time.time())
    claims = {"iss": INFERNO_ISS, "aud": url, "exp": now + 300, "iat": now, "jti": uuid.uuid4().hex}
    key = KEYS[alg]
    return jwt.encode(claims, key.key, algorithm=alg, headers={"kid": key.key_id, "typ": "JWT"})


def start_server(folder: Path) -> tuple[str, subprocess.Popen[bytes]]:
    from bench.load import free_port

    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{folder / 'bench.db'}",
        "DERMCOVER_CDS_CLIENTS_FILE": str(clients_file(folder)),
    }
    env.pop("DERMCOVER_INTEROP_INSECURE", None)
    command = [str(Path(sys.executable).with_name("dermcover")), "serve", "--port", str(port)]
    log = (folder / "server.log").open("wb")
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/cds-services", timeout=2).status_code == 200:
                return url, process
        except httpx.TransportError:
            time.sleep(0.2)
    process.terminate()
    raise SystemExit("the server did not start within 60 seconds")


def run(
    url: str, work: list[tuple[str, bytes, bool]], seconds: float, threads: int
) -> tuple[list[float], int]:
    latencies: list[float] = []
    failures = 0
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def worker(offset: int) -> None:
        nonlocal failures
        with httpx.Client(base_url=url, timeout=10) as client:
            index = offset
            while time.monotonic() < stop:
                path, body, sign = work[index % len(work)]
                index += 1
                headers = {"Content-Type": "application/json"}
                if sign:
                    alg = "ES384" if index % 2 else "RS384"
                    headers["Authorization"] = f"Bearer {signed(url + path, alg)}"
                started = time.perf_counter()
                answer = client.post(path, content=body, headers=headers)
                elapsed = (time.perf_counter() - started) * 1000
                with lock:
                    latencies.append(elapsed)
                    failures += answer.status_code != 200

    pool = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return sorted(latencies), failures


def percentile(values: list[float], fraction: float) -> float:
    return values[min(len(values) - 1, int(fraction * len(values)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 4])
    args = parser.parse_args()
    bodies = kit_bodies()
    hooks = [(f"/cds-services/{b['hook']}", json.dumps(b).encode(), True) for b in bodies]
    cases = [equivalent_case(b) for b in bodies]
    plain = [("/api/v1/determinations", json.dumps(c).encode(), False) for c in cases if c]
    with tempfile.TemporaryDirectory() as folder:
        url, process = start_server(Path(folder))
        try:
            print(
                f"{len(hooks)} CDS Hooks requests ({len(plain)} of them also as plain cases); "
                f"Python {platform.python_version()} on {platform.machine()}; one server process"
            )
            print("| workload | threads | calls | failed | calls/s | p50 | p90 | p99 | max (ms) |")
            print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
            for threads in args.threads:
                for name, work in (("CRD hook call", hooks), ("plain determination", plain)):
                    run(url, work, 1.0, threads)  # warm-up
                    latencies, failed = run(url, work, args.seconds, threads)
                    rate = len(latencies) / args.seconds
                    print(
                        f"| {name} | {threads} | {len(latencies):,} | {failed} | {rate:,.0f} | "
                        f"{percentile(latencies, 0.5):.1f} | {percentile(latencies, 0.9):.1f} | "
                        f"{percentile(latencies, 0.99):.1f} | {latencies[-1]:.1f} |"
                    )
        finally:
            process.terminate()
            process.wait(timeout=30)


if __name__ == "__main__":
    main()
