"""The models parsed from stored rows are remembered for the single batches that read the same
streams again; a bulk import keeps what it reads to itself and leaves that cache as it was."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable

import pytest

from ledger import Ledger
from ledger import model_cache as records

from .conftest import delivery, made, tranche

HISTORY = [
    made(),
    tranche("phase-1", "2026-05-01", gw="2"),
    delivery("2026-06-01", gw="1"),
    delivery("2026-06-02", gw="0.5"),
    delivery("2026-06-03", gw="0.25"),
    delivery("2026-06-04", gw="0.125"),
    delivery("2026-06-05", gw="0.125"),
]


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The ids of the stored rows parsed into models from here on, with an empty cache."""
    monkeypatch.setattr(records, "_models", OrderedDict())
    parsed: list[str] = []
    load: Callable[..., object] = records.load_stored

    def counting(type_name: str, schema_version: int, event_id: str, payload: str) -> object:
        parsed.append(event_id)
        return load(type_name, schema_version, event_id, payload)

    monkeypatch.setattr(records, "load_stored", counting)
    return parsed


def _located(events: list[dict[str, object]]) -> list[tuple[dict[str, object], str]]:
    return [(event, f"deals.jsonl:{line}") for line, event in enumerate(events, start=1)]


def test_a_batch_on_a_stream_a_batch_just_wrote_parses_none_of_its_rows(
    ledger: Ledger, parses: list[str]
) -> None:
    ledger.record(HISTORY[:4])
    ledger.record(HISTORY[4:5])
    ledger.record(HISTORY[5:])
    assert parses == []
    assert ledger.count() == len(HISTORY)


def test_a_bulk_import_parses_what_it_reads_and_leaves_the_cache_to_single_batches(
    ledger: Ledger, parses: list[str]
) -> None:
    ledger.record_stream(_located(HISTORY[:4]), chunk=2)
    ledger.record_stream(_located(HISTORY[4:6]), chunk=1)  # reads the four rows stored before
    assert len(parses) == 4
    assert not records._models
    ledger.record(HISTORY[6:])  # nothing of the imports was remembered: all six are parsed
    assert len(parses) == 4 + 6
    assert len(records._models) == len(HISTORY)  # the single batch remembers its whole stream
