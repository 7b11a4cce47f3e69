"""Writing the benchmark report over docs/benchmarks.md keeps the page's hand-written sections
(the CLI start-up figures, measured by hand) above the generated part."""

from __future__ import annotations

from .report import GENERATED, keeping_hand_written

REPORT = f"# Benchmarks\n\n{GENERATED} (...); do not edit by hand.\n\n## Machine\n\n- new run\n"


def test_the_hand_written_sections_are_kept_above_a_new_report() -> None:
    page = (
        "# Benchmarks\n\n## CLI start-up\n\n| command | median |\n\n"
        f"{GENERATED} (...); do not edit by hand.\n\n## Machine\n\n- old run\n"
    )
    written = keeping_hand_written(REPORT, page)
    assert written.startswith("# Benchmarks\n\n## CLI start-up\n\n| command | median |\n\n")
    assert written.endswith(f"{GENERATED} (...); do not edit by hand.\n\n## Machine\n\n- new run\n")
    assert "old run" not in written


def test_a_page_without_hand_written_sections_is_the_report_itself() -> None:
    page = f"# Benchmarks\n\n{GENERATED} (...)\n\n- old run\n"
    assert keeping_hand_written(REPORT, page) == REPORT


def test_a_new_page_is_the_report_itself() -> None:
    assert keeping_hand_written(REPORT, "") == REPORT
