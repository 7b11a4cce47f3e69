"""Example projections, exercised by the tests and shown in docs/projections.md."""
