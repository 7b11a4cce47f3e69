"""Random valid histories of the test stream, in recording order (hypothesis strategies)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import strategies as st

from events import Event, to_payload

from .event_streams import event

OPENED = date(2026, 1, 1)
RESOURCES = ("usd", "gw", "chips:trainium2")
ACTIONS = ("deliver", "schedule", "deliver_tranche", "cancel_tranche", "amend")


def money(cents: int) -> str:
    return str(Decimal(cents).scaleb(-2))


@st.composite
def histories(draw: st.DrawFn, corrections: bool = True) -> list[Event]:
    """A valid stream in recording order: distinct effective dates, recorded in any order."""
    resources = draw(st.lists(st.sampled_from(RESOURCES), min_size=1, max_size=3, unique=True))
    bound = draw(st.sampled_from(["exact", "up_to", "at_least"]))
    committed = {r: draw(st.integers(1, 100_000)) for r in resources}
    opening = event(
        "CommitmentMade",
        effective=OPENED.isoformat(),
        provider="amazon",
        holder="anthropic",
        kind="capacity",
        bound=bound,
        amounts={r: money(c) for r, c in committed.items()},
    )
    # Budgets in cents, against the opening totals: amendments only ever raise them.
    unscheduled, undelivered = dict(committed), dict(committed)
    tranches: dict[str, dict[str, int]] = {}  # live tranche -> what it may still deliver
    day, facts = OPENED, []
    for number in range(draw(st.integers(0, 10))):
        day += timedelta(days=draw(st.integers(1, 90)))
        action, when = draw(st.sampled_from(ACTIONS)), day.isoformat()
        if action in ("deliver", "schedule"):
            budget = undelivered if action == "deliver" else unscheduled
            amounts = {r: draw(st.integers(0, budget[r])) for r in resources}
            for r, cents in amounts.items():
                budget[r] -= cents
            money_amounts = {r: money(c) for r, c in amounts.items()}
            if action == "deliver":
                facts.append(event("DeliveryRecorded", effective=when, amounts=money_amounts))
            else:
                tranches[f"t{number}"] = amounts
                facts.append(
                    event(
                        "TrancheScheduled",
                        effective=when,
                        tranche=f"t{number}",
                        amounts=money_amounts,
                    )
                )
        elif action == "deliver_tranche" and tranches:
            name = draw(st.sampled_from(sorted(tranches)))
            amounts = {
                r: draw(st.integers(0, min(c, undelivered[r]))) for r, c in tranches[name].items()
            }
            for r, cents in amounts.items():
                tranches[name][r] -= cents
                undelivered[r] -= cents
            facts.append(
                event(
                    "DeliveryRecorded",
                    effective=when,
                    tranche=name,
                    amounts={r: money(c) for r, c in amounts.items()},
                )
            )
        elif action == "cancel_tranche" and tranches:
            name = draw(st.sampled_from(sorted(tranches)))
            del tranches[name]
            facts.append(event("TrancheCancelled", effective=when, tranche=name))
        elif action == "amend":
            for r in resources:
                committed[r] += draw(st.integers(0, 1000))
            facts.append(
                event(
                    "CommitmentAmended",
                    effective=when,
                    amounts={r: money(c) for r, c in committed.items()},
                )
            )
    if draw(st.booleans()):
        facts.append(event("CommitmentCancelled", effective=(day + timedelta(days=1)).isoformat()))
    recorded = [opening, *draw(st.permutations(facts))]
    if corrections and facts:
        recorded += draw(
            st.lists(st.sampled_from(facts), unique_by=lambda e: e.id, max_size=3).map(corrected)
        )
    return recorded


def corrected(targets: list[Event]) -> list[Event]:
    """Harmless corrections: halve deliveries, retract the odd one out."""
    fixes = []
    for index, target in enumerate(t for t in targets if t.type == "DeliveryRecorded"):
        if index % 2:
            fixes.append(event("EventRetracted", target=str(target.id)))
            continue
        payload = to_payload(target)
        halved = {
            r: str((Decimal(v) / 2).quantize(Decimal("0.01"), rounding="ROUND_DOWN"))
            for r, v in payload["amounts"].items()
        }
        fixes.append(
            event(
                "EventCorrected", target=str(target.id), replacement={**payload, "amounts": halved}
            )
        )
    return fixes
