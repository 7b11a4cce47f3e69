"""The bundled demo ledger: publicly reported deals, as events (public-deals.jsonl)."""
