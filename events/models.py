"""The event vocabulary (schema version 1): frozen pydantic models, one per event type.

Values are validated on the way in (slugs, ISO dates, exact amounts); rules that need the
rest of the stream live in rule_checks.py (docs/design.md, "Rules checked on append").
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Annotated, Literal
from uuid import UUID

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    StringConstraints,
    model_validator,
)

from .amounts import RESOURCE_PATTERN, decimal_text, merge_mw, parse_amount

__all__ = [
    "SCHEMA_VERSION",
    "BaseEvent",
    "Bound",
    "CommitmentAmended",
    "CommitmentCancelled",
    "CommitmentMade",
    "DatedEvent",
    "DeliveryRecorded",
    "Event",
    "EventCorrected",
    "EventRetracted",
    "FieldProblem",
    "Kind",
    "Source",
    "TrancheCancelled",
    "TrancheScheduled",
    "parse_day",
    "parse_day_text",
    "require_resource",
]

SCHEMA_VERSION = 1


class FieldProblem(ValueError):
    """A validation failure that names its own field (model-level checks have no location)."""

    def __init__(self, field: str, rule: str) -> None:
        super().__init__(rule)
        self.field = field
        self.rule = rule


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_day(value: object) -> date:
    """The Day validator: a date given as YYYY-MM-DD text (or as a date), else ValueError."""
    if type(value) is str:  # the common case first; the checks below see it as a str too
        return parse_day_text(value)
    if isinstance(value, datetime):
        raise ValueError("must be a date (YYYY-MM-DD), not a date and time")
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        return parse_day_text(value)
    raise ValueError(f"must be a date written YYYY-MM-DD, got {str(value)[:40]!r}")


@lru_cache(maxsize=16384)  # dates recur (45 years of days fit); dates are immutable
def parse_day_text(value: str) -> date:
    """A date written YYYY-MM-DD, or ValueError saying what is wrong with the text."""
    if _ISO_DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"not a real date: {value!r}") from None
    raise ValueError(f"must be a date written YYYY-MM-DD, got {value[:40]!r}")


def require_resource(amounts: dict[str, Decimal]) -> dict[str, Decimal]:
    """The check of SomeAmounts: at least one resource named."""
    if not amounts:
        raise ValueError("must name at least one resource")
    return amounts


Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,99}$")]
Day = Annotated[date, PlainValidator(parse_day), PlainSerializer(date.isoformat, when_used="json")]
Text = Annotated[str, StringConstraints(max_length=2000)]
Amount = Annotated[
    Decimal, PlainValidator(parse_amount), PlainSerializer(decimal_text, when_used="json")
]
Resource = Annotated[str, StringConstraints(pattern=RESOURCE_PATTERN)]
Amounts = Annotated[dict[Resource, Amount], AfterValidator(merge_mw)]
SomeAmounts = Annotated[Amounts, AfterValidator(require_resource)]
Kind = Literal["investment", "spend", "capacity"]
Bound = Literal["exact", "up_to", "at_least"]


class Source(BaseModel):
    """Where a figure was reported."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    publisher: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    date: Day | None = None
    url: Text | None = None


class BaseEvent(BaseModel):
    """The fields every event shares."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    commitment: Slug
    id: UUID | None = None
    source: Source | None = None
    note: Text | None = None


class _Dated(BaseEvent):
    effective: Day


def _check_term(start: date | None, end: date | None) -> None:
    if start is not None and end is not None and start > end:
        raise FieldProblem("term_end", f"{end} is before term_start {start}")


class CommitmentMade(_Dated):
    """A new commitment: opens the stream."""

    type: Literal["CommitmentMade"] = "CommitmentMade"
    provider: Slug
    holder: Slug
    kind: Kind
    amounts: SomeAmounts
    bound: Bound
    term_start: Day | None = None
    term_end: Day | None = None

    @model_validator(mode="after")
    def _parties_and_term(self) -> CommitmentMade:
        if self.provider == self.holder:
            raise FieldProblem("holder", f"must differ from the provider ({self.provider})")
        _check_term(self.term_start, self.term_end)
        return self


class CommitmentAmended(_Dated):
    """New totals (not deltas) for the resources named, or a new bound or term."""

    type: Literal["CommitmentAmended"] = "CommitmentAmended"
    amounts: SomeAmounts | None = None
    bound: Bound | None = None
    term_start: Day | None = None
    term_end: Day | None = None

    @model_validator(mode="after")
    def _changes_something(self) -> CommitmentAmended:
        changes = (self.amounts, self.bound, self.term_start, self.term_end)
        if all(change is None for change in changes):
            raise FieldProblem(
                "amounts", "an amendment must give amounts, bound, term_start or term_end"
            )
        _check_term(self.term_start, self.term_end)
        return self


class TrancheScheduled(_Dated):
    """A part of the commitment, expected by `due`."""

    type: Literal["TrancheScheduled"] = "TrancheScheduled"
    tranche: Slug
    amounts: SomeAmounts
    due: Day | None = None
    condition: Text | None = None


class TrancheCancelled(_Dated):
    """The undelivered part of the tranche lapses."""

    type: Literal["TrancheCancelled"] = "TrancheCancelled"
    tranche: Slug


class DeliveryRecorded(_Dated):
    """Capacity online, chips shipped, dollars funded or spent."""

    type: Literal["DeliveryRecorded"] = "DeliveryRecorded"
    amounts: SomeAmounts
    tranche: Slug | None = None
    site: Annotated[str, StringConstraints(max_length=200)] | None = None


class CommitmentCancelled(_Dated):
    """From `effective` on, committed becomes what was delivered."""

    type: Literal["CommitmentCancelled"] = "CommitmentCancelled"
    reason: Text | None = None


DatedEvent = Annotated[
    CommitmentMade
    | CommitmentAmended
    | TrancheScheduled
    | TrancheCancelled
    | DeliveryRecorded
    | CommitmentCancelled,
    Field(discriminator="type"),
]
"""An event about the world, with an effective date: every type but the two corrections."""


class EventCorrected(BaseEvent):
    """The target event as it should have been recorded."""

    type: Literal["EventCorrected"] = "EventCorrected"
    target: UUID
    replacement: DatedEvent

    @model_validator(mode="after")
    def _same_commitment(self) -> EventCorrected:
        if self.replacement.commitment != self.commitment:
            raise FieldProblem(
                "replacement.commitment", f"must be the correction's own ({self.commitment})"
            )
        if self.replacement.id not in (None, self.target):
            raise FieldProblem("replacement.id", "must be absent or equal to target")
        return self


class EventRetracted(BaseEvent):
    """The target event should never have been recorded."""

    type: Literal["EventRetracted"] = "EventRetracted"
    target: UUID
    reason: Text | None = None


Event = Annotated[
    CommitmentMade
    | CommitmentAmended
    | TrancheScheduled
    | TrancheCancelled
    | DeliveryRecorded
    | CommitmentCancelled
    | EventCorrected
    | EventRetracted,
    Field(discriminator="type"),
]
"""Any event of the vocabulary: a union discriminated on `type`."""
