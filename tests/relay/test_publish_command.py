"""`capledger publish`: every event once, in log order, with its headers; the checkpoint moves
only with acknowledgements; a stream that is not this ledger's is refused, nothing published."""

from __future__ import annotations

import json
import re
from typing import Any

from click.testing import CliRunner

from cli.main import capledger
from tests.nats_servers import free_port, on_server, stream_messages

from .conftest import checkpoints, cli, demo_lines, log_lines, prefix_of, publish, record


def test_publishing_makes_the_stream_and_sends_every_event_in_order_with_its_headers(
    store_url: str, nats_url: str, stream: str
) -> None:
    record(store_url, demo_lines())
    prefix = f"{prefix_of(stream)}.deals.v1"
    result = publish(store_url, nats_url, stream, "--subject-prefix", prefix)

    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"published 79 events to {nats_url} stream {stream} (up to position 79)\n"
    )
    config = on_server(nats_url, lambda js: js.stream_info(stream)).config
    assert (config.subjects, config.storage) == ([f"{prefix}.>"], "file")
    found = stream_messages(nats_url, stream)
    as_json = json.loads(cli(store_url, "log", "--format", "json").stdout)
    assert [message.body.decode() for message in found] == log_lines(store_url)
    assert [json.loads(message.body) for message in found] == as_json
    for message, event in zip(found, as_json, strict=True):
        assert message.subject == f"{prefix}.{event['commitment']}"
        assert message.headers["Nats-Msg-Id"] == event["id"]
        assert message.headers["Capledger-Seq"] == str(event["position"])
        assert message.headers["Capledger-Type"] == event["type"]
        assert message.headers["Capledger-Recorded-At"] == event["recorded_at"]
    assert checkpoints(store_url) == {f"{nats_url} stream {stream}": (79, 79)}


def test_publishing_again_sends_only_what_was_recorded_since(
    store_url: str, nats_url: str, stream: str
) -> None:
    record(store_url, demo_lines(0, 40))
    assert publish(store_url, nats_url, stream).exit_code == 0
    assert publish(store_url, nats_url, stream).stdout.startswith("published 0 events")
    record(store_url, demo_lines(40))

    result = publish(store_url, nats_url, stream)

    assert result.stdout.startswith("published 39 events")
    found = stream_messages(nats_url, stream)
    assert [int(message.headers["Capledger-Seq"]) for message in found] == list(range(1, 80))


def test_a_relay_whose_checkpoint_is_behind_resumes_after_the_streams_last_message(
    store_url: str, nats_url: str, stream: str
) -> None:
    """A crash between the acknowledgement and the checkpoint's write: the stream knows better."""
    record(store_url, demo_lines(0, 30))
    assert publish(store_url, nats_url, stream).exit_code == 0
    from ledger import Ledger
    from relay import feed_checkpoints

    with Ledger.open(store_url) as ledger, ledger.engine.begin() as connection:
        connection.execute(feed_checkpoints.update().values(position=12, sequence=12))
    record(store_url, demo_lines(30))

    result = publish(store_url, nats_url, stream)

    assert result.stdout.startswith("published 49 events")
    found = stream_messages(nats_url, stream)
    assert [int(message.headers["Capledger-Seq"]) for message in found] == list(range(1, 80))
    assert checkpoints(store_url) == {f"{nats_url} stream {stream}": (79, 79)}


def test_a_checkpoint_ahead_of_a_purged_stream_is_kept(
    store_url: str, nats_url: str, stream: str
) -> None:
    """Messages gone by the stream's own limits (here a purge) are not published again."""
    record(store_url, demo_lines(0, 30))
    assert publish(store_url, nats_url, stream).exit_code == 0
    on_server(nats_url, lambda js: js.purge_stream(stream))
    record(store_url, demo_lines(30))

    result = publish(store_url, nats_url, stream)

    assert result.stdout.startswith("published 49 events"), result.output
    found = stream_messages(nats_url, stream)
    assert [int(message.headers["Capledger-Seq"]) for message in found] == list(range(31, 80))


def test_a_stream_made_again_gets_the_whole_log_and_the_relay_says_why(
    store_url: str, nats_url: str, stream: str
) -> None:
    record(store_url, demo_lines())
    assert publish(store_url, nats_url, stream).exit_code == 0
    on_server(nats_url, lambda js: js.delete_stream(stream))

    result = publish(store_url, nats_url, stream)

    assert result.exit_code == 0
    assert result.stdout.startswith("published 79 events")
    assert "made again or lost messages; publishing after position 0" in result.stderr
    assert len(stream_messages(nats_url, stream)) == 79


def _foreign(stream: str, headers: dict[str, str] | None = None) -> Any:
    async def make(js: Any) -> None:
        await js.add_stream(name=stream, subjects=[f"{prefix_of(stream)}.>"])
        await js.publish(f"{prefix_of(stream)}.x", b'{"hello": "world"}', headers=headers)

    return make


def test_a_stream_holding_a_message_capledger_did_not_write_is_refused(
    store_url: str, nats_url: str, stream: str
) -> None:
    record(store_url, demo_lines(0, 10))
    on_server(nats_url, _foreign(stream))

    result = publish(store_url, nats_url, stream)

    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {nats_url} stream {stream} holds a message not written by capledger "
        "(sequence 1 has no Capledger-Seq header); nothing published\n"
    )
    assert len(stream_messages(nats_url, stream)) == 1
    assert checkpoints(store_url) == {}


def test_a_stream_holding_a_forged_capledger_message_is_refused(
    store_url: str, nats_url: str, stream: str
) -> None:
    record(store_url, demo_lines(0, 10))
    forged = {"Capledger-Seq": "1", "Nats-Msg-Id": "not-this-ledgers"}
    on_server(nats_url, _foreign(stream, forged))

    result = publish(store_url, nats_url, stream)

    assert result.exit_code == 1
    assert "holds another ledger's events (position 1 there is not this ledger's" in result.stderr
    assert len(stream_messages(nats_url, stream)) == 1


def test_a_stream_holding_another_ledgers_events_is_refused(
    store_url: str, nats_url: str, stream: str, tmp_path: Any
) -> None:
    other = f"sqlite:///{tmp_path / 'other.db'}"
    record(other, demo_lines(0, 20))
    assert publish(other, nats_url, stream).exit_code == 0
    record(store_url, demo_lines(0, 20))  # the same events, recorded at another instant

    result = publish(store_url, nats_url, stream)

    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {nats_url} stream {stream} holds another ledger's")
    assert result.stderr.count("\n") == 1
    assert len(stream_messages(nats_url, stream)) == 20
    assert checkpoints(store_url) == {}


def test_a_stream_longer_than_this_ledger_is_refused(
    store_url: str, nats_url: str, stream: str, tmp_path: Any
) -> None:
    other = f"sqlite:///{tmp_path / 'other.db'}"
    record(other, demo_lines(0, 20))
    assert publish(other, nats_url, stream).exit_code == 0
    record(store_url, demo_lines(0, 5))

    result = publish(store_url, nats_url, stream)

    assert result.exit_code == 1
    assert "holds position 20, beyond this ledger's last: another ledger's" in result.stderr


def test_a_stream_that_does_not_fit_is_refused(store_url: str, nats_url: str, stream: str) -> None:
    record(store_url, demo_lines(0, 5))
    subjects = [f"{prefix_of(stream)}.>", f"{prefix_of(stream)}-too.>"]
    on_server(nats_url, lambda js: js.add_stream(name=stream, subjects=subjects))

    result = publish(store_url, nats_url, stream)

    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {nats_url} stream {stream} does not fit: its subjects are {subjects}, "
        f"not {subjects[:1]}; nothing published\n"
    )


def test_an_unreachable_broker_is_retried_then_given_up_with_exit_status_1(
    store_url: str,
) -> None:
    record(store_url, demo_lines(0, 5))
    url = f"nats://127.0.0.1:{free_port()}"

    result = cli(store_url, "publish", "--to", url, "--give-up-after", "1.2")

    assert result.exit_code == 1
    *retries, last = result.stderr.splitlines()
    assert len(retries) >= 2
    assert all(
        line.startswith(f"{url} stream CAPLEDGER: cannot connect: ") and " retrying in " in line
        for line in retries
    )
    assert last.startswith(f"Error: {url} stream CAPLEDGER: cannot connect: ")
    assert "ConnectionRefusedError" in last
    assert re.search(
        r"; gave up after \d s without an acknowledgement \(--give-up-after\); "
        r"published 0$",
        last,
    )
    assert "Traceback" not in result.output
    assert checkpoints(store_url) == {}


def test_options_that_cannot_name_a_destination_are_usage_errors(sqlite_url: str) -> None:
    runner = CliRunner()
    cases = {
        ("--to", "http://127.0.0.1:4222"): "give the server as nats://HOST:PORT",
        ("--to", "nats://h:1", "--stream", "a.b"): "letters, digits, - and _ only",
        ("--to", "nats://h:1", "--subject-prefix", "a.*"): "dot-separated tokens",
    }
    for args, message in cases.items():
        result = runner.invoke(capledger, ["--db", sqlite_url, "publish", *args])
        assert result.exit_code == 2
        assert message in result.stderr


def test_the_progress_line_shows_the_count_the_recent_rate_and_the_lag() -> None:
    from cli.publish import ProgressLine
    from relay import Progress

    line = ProgressLine(enabled=False)
    line.enabled = True  # drawn as on a terminal, into click's captured stderr
    runner = CliRunner()

    def draw() -> None:
        line(Progress(published=1_500, position=2_000, head=2_600, seconds=2.0))
        line(Progress(published=2_500, position=3_000, head=3_000, seconds=2.5))
        line.finish()

    import click

    result = runner.invoke(click.command()(draw))
    assert result.stderr.split("\r")[1:] == [  # (click drops the erase-line code off a terminal)
        "published 1,500 events, 750/s, lag 600 (position 2,000 of 2,600)",
        "published 2,500 events, 2,000/s, lag 0 (position 3,000 of 3,000)\n",
    ]
