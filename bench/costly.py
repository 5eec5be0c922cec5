"""The costliest requests the service's limits allow, and the client that sends them back to
back (for bench/under_attack.py).

- `pdf`: a prior-authorization packet as PDF for a case of 50 procedure lines (the most a case
  may have) whose patient name is 20,000 characters (the longest text allowed);
- `spread`: `?policy=all` (the case decided under every payer's pack) for 50 lines with 1,000
  diagnoses, 100 claim diagnoses a line and 1,000 prior treatments;
- `yaml`: the same case grown to just under the 1,000,000-byte body limit as YAML (1,000 claim
  diagnoses a line, long treatment names), with the full trace (an answer of some 25 MB).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import yaml

from dermcover.case import MAX_PROCEDURES
from dermcover.codes import icd10
from dermcover.inputs import MAX_INPUT_BYTES, MAX_LIST_ITEMS, MAX_STRING_CHARS

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
HEADERS = {"content-type": "application/json"}
KINDS = ("pdf", "spread", "yaml")
TIMEOUT = 60.0  # seconds the attacker waits for one answer (the service's time budget is 20)

Costly = dict[str, tuple[str, bytes, dict[str, str]]]  # per kind: path, body, headers


def example(name: str) -> dict[str, Any]:
    data = yaml.safe_load((EXAMPLES / name).read_text(encoding="utf-8"))
    as_json: dict[str, Any] = json.loads(json.dumps(data, default=str))
    return as_json


def fifty_lines(case: dict[str, Any]) -> dict[str, Any]:
    lines = (case["procedures"] * MAX_PROCEDURES)[:MAX_PROCEDURES]
    grown: dict[str, Any] = json.loads(json.dumps({**case, "procedures": lines}))
    return grown  # fifty lines of their own: YAML would write repeats as aliases


def costliest_requests() -> Costly:
    """Per kind: the path, the body and its headers."""
    burn = example("burn-scar-laser.yaml")
    paper = fifty_lines(burn)
    paper["patient"]["name"] = "N" * MAX_STRING_CHARS
    pdf = json.dumps({"case": paper, "schedule": example("schedule-burn-laser.yaml")})

    codes = [code for code in icd10.all_codes() if code.startswith("L")][:MAX_LIST_ITEMS]
    big = fifty_lines(burn)
    big["condition"]["diagnoses"] = codes
    for line in big["procedures"]:
        line["claim_diagnoses"] = codes[:100]
    big["prior_treatments"] = [
        {"name": f"treatment_{n}", "outcome": "failed", "months": 3} for n in range(MAX_LIST_ITEMS)
    ]
    big["patient"]["name"] = "N" * MAX_STRING_CHARS
    spread = json.dumps(big)

    def as_yaml(per_line: int) -> str:
        for line in big["procedures"]:
            line["claim_diagnoses"] = codes[:per_line]
        return yaml.safe_dump(big, sort_keys=False)

    # 1,000 claim diagnoses a line (the list limit), then prior treatments' names made longer
    # until the body is just under its limit.
    spare = MAX_INPUT_BYTES - len(as_yaml(MAX_LIST_ITEMS).encode())
    for n, treatment in enumerate(big["prior_treatments"]):
        treatment["name"] = f"treatment_{n}_" + "x" * max(0, spare // MAX_LIST_ITEMS - 4)
    big_yaml = as_yaml(MAX_LIST_ITEMS)
    return {
        "pdf": ("/api/v1/documents/pa-packet?date=2026-11-22", pdf.encode(), HEADERS),
        "spread": ("/api/v1/determinations?policy=all", spread.encode(), HEADERS),
        "yaml": (
            "/api/v1/determinations?trace=full",
            big_yaml.encode(),
            {"content-type": "application/yaml"},
        ),
    }


@dataclass(frozen=True)
class CostlyAnswer:
    """One answer to the attacker, times in seconds from the start of the hold."""

    kind: str
    sent: float
    done: float
    status: int  # 0: none (the connection broke, or no answer within TIMEOUT)
    retry: bool  # it carried Retry-After

    @property
    def error(self) -> bool:
        """Anything but an answer, or a refusal the limits give (503 with Retry-After)."""
        return not (self.status == 200 or (self.status == 503 and self.retry))

    @classmethod
    def parse(cls, line: str) -> CostlyAnswer:
        kind, sent, done, status, retry = line.split()
        return cls(kind, float(sent), float(done), int(status), retry == "1")


def send_back_to_back(
    url: str, requests: Costly, kinds: list[str], start: float, stop: float, record: Path
) -> None:
    """Send the costly requests of `kinds` in turn, back to back, from `start` until `stop`;
    one line per answer in `record`: kind, seconds from `start` to when it was sent and to its
    answer, status (0: none) and whether it carried Retry-After."""
    time.sleep(max(0.0, start - time.monotonic()))
    with record.open("w", buffering=1) as out, httpx.Client(base_url=url) as client:
        n = 0
        while time.monotonic() < stop:
            kind = kinds[n % len(kinds)]
            path, body, headers = requests[kind]
            sent = time.monotonic()
            try:
                answer = client.post(path, content=body, headers=headers, timeout=TIMEOUT)
                status, retry = answer.status_code, "retry-after" in answer.headers
            except httpx.HTTPError:
                status, retry = 0, False
            out.write(
                f"{kind} {sent - start:.6f} {time.monotonic() - start:.6f} {status} {retry:d}\n"
            )
            n += 1
