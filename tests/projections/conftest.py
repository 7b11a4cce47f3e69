"""Helpers for the read-side tests: a ledger with a clock the test sets, and event builders."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from ledger import Ledger


class SetClock:
    """A clock that stays where the test puts it."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def set(self, iso: str) -> None:
        self.now = datetime.fromisoformat(iso).replace(tzinfo=UTC)

    def tick(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> SetClock:
    return SetClock(datetime(2023, 9, 26, 12, tzinfo=UTC))


@pytest.fixture
def led(store_url: str, clock: SetClock) -> Iterator[Ledger]:
    """A ledger on each backend whose clock the test sets."""
    ledger = Ledger.open(store_url, clock=clock, actor="tester")
    yield ledger
    ledger.close()


def fresh_store(store_url: str, tmp_path: Path) -> str:
    """Another empty store on the same backend as `store_url` (for one hypothesis example)."""
    name = f"x{uuid.uuid4().hex[:12]}"
    if store_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / name}.db"
    url = make_url(store_url)
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{name}"'))
    engine.dispose()
    return url.update_query_dict({"options": f"-csearch_path={name}"}).render_as_string(
        hide_password=False
    )


def event(type_name: str, commitment: str, **fields: Any) -> dict[str, Any]:
    return {"type": type_name, "commitment": commitment, **fields}


def made(
    commitment: str,
    effective: str,
    *,
    provider: str = "amazon",
    holder: str = "anthropic",
    kind: str = "investment",
    bound: str = "up_to",
    **amounts: str,
) -> dict[str, Any]:
    return event(
        "CommitmentMade",
        commitment,
        effective=effective,
        provider=provider,
        holder=holder,
        kind=kind,
        bound=bound,
        amounts=amounts,
    )


def amended(commitment: str, effective: str, **amounts: str) -> dict[str, Any]:
    return event("CommitmentAmended", commitment, effective=effective, amounts=amounts)


def delivered(
    commitment: str,
    effective: str,
    *,
    tranche: str | None = None,
    site: str | None = None,
    **amounts: str,
) -> dict[str, Any]:
    extra = {key: value for key, value in (("tranche", tranche), ("site", site)) if value}
    return event("DeliveryRecorded", commitment, effective=effective, amounts=amounts, **extra)


def scheduled(
    commitment: str, effective: str, tranche: str, *, due: str | None = None, **amounts: str
) -> dict[str, Any]:
    extra = {"due": due} if due else {}
    return event(
        "TrancheScheduled",
        commitment,
        effective=effective,
        tranche=tranche,
        amounts=amounts,
        **extra,
    )
