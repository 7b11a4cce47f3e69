"""A user projection: how much each site has delivered, per resource (docs/projections.md).

It keeps one table of running totals. Corrections and retractions of deliveries are applied by
re-deriving the touched commitment's rows from its corrected events, so the totals are always
those of the events as they stand.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from sqlalchemy import Column, Connection, MetaData, String, Table, delete, insert

from events import DeliveryRecorded, apply_corrections, decimal_text
from ledger import StoredEvent, read_streams

metadata = MetaData()

deliveries_by_site = Table(
    "example_deliveries_by_site",
    metadata,
    Column("commitment", String(100), primary_key=True),
    Column("site", String(200), primary_key=True),
    Column("resource", String(60), primary_key=True),
    # Exact decimal text: SQLite has no exact decimal type (see docs/read-models.md).
    Column("delivered", String(60), nullable=False),
)


class DeliveriesBySite:
    """Delivered amounts per (commitment, site, resource); deliveries without a site are skipped."""

    name = "example_deliveries_by_site"
    tables = (deliveries_by_site,)

    def handle(self, connection: Connection, rows: Sequence[StoredEvent]) -> None:
        touched = {row.commitment for row in rows}
        # Re-derive each touched commitment from its events as known up to these rows.
        streams = read_streams(connection, touched, upto=rows[-1].position)
        for commitment, stream in streams.items():
            totals: dict[tuple[str, str], Decimal] = {}
            for event in apply_corrections([row.event for row in stream]):
                if isinstance(event, DeliveryRecorded) and event.site is not None:
                    for resource, amount in event.amounts.items():
                        key = (event.site, resource)
                        totals[key] = totals.get(key, Decimal(0)) + amount
            table = deliveries_by_site
            connection.execute(delete(table).where(table.c.commitment == commitment))
            if totals:
                connection.execute(
                    insert(table),
                    [
                        {
                            "commitment": commitment,
                            "site": site,
                            "resource": resource,
                            "delivered": decimal_text(amount),
                        }
                        for (site, resource), amount in sorted(totals.items())
                    ],
                )

    def reset(self, connection: Connection) -> None:
        connection.execute(delete(deliveries_by_site))
