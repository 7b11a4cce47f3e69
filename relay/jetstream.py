"""The NATS JetStream sink: the relay's destination is one stream (docs/feed.md).

The stream takes the subjects `PREFIX.>` and is made with file storage if absent; an existing
stream must fit (exactly those subjects, limits retention, no per-subject limit that would drop
the middle of the log, acknowledged publishes). Every publish carries the event id as
`Nats-Msg-Id` (JetStream's de-duplication) and `Nats-Expected-Last-Sequence`: the stream
refuses a message that would not directly follow the one before it, so a message lost on the
way (a broker restarted under a pipeline) fails those after it rather than leaving a gap.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Sequence
from typing import Any, TypeVar

import nats
from nats.aio.client import Client
from nats.errors import Error as NatsError
from nats.js import JetStreamContext
from nats.js import api as js_api
from nats.js.errors import NotFoundError

from .messages import Message
from .sink import DestinationRefused, Published, Sink, SinkUnavailable, Tail

__all__ = ["NatsSink"]

EXPECTED_LAST_SEQUENCE = "Nats-Expected-Last-Sequence"
T = TypeVar("T")


async def _quiet(*_args: Any) -> None:
    """nats-py's callbacks, silenced: the relay says what failed, once, in its own words."""


class NatsSink(Sink):
    """A JetStream stream on a NATS server, fed with pipelined, acknowledged publishes."""

    def __init__(
        self, url: str, stream: str, prefix: str, *, timeout: float = 5.0, window: int = 1_000
    ) -> None:
        self.url, self.stream, self.prefix = url, stream, prefix
        self.destination = f"{url} stream {stream}"
        self.timeout = timeout
        self.window = window
        self._connection: Client | None = None
        self._jetstream: JetStreamContext | None = None

    async def open(self) -> None:
        failures: list[BaseException] = []

        async def failed(error: BaseException) -> None:
            failures.append(error)

        try:
            connection = await nats.connect(
                self.url,
                # The relay retries and resumes itself: nats-py tries the server twice (its
                # count of 0 would mean for ever) and never reconnects behind its back.
                allow_reconnect=False,
                max_reconnect_attempts=1,
                reconnect_time_wait=0,
                connect_timeout=max(int(self.timeout), 1),
                error_cb=failed,
                disconnected_cb=_quiet,
                closed_cb=_quiet,
            )
        except (TimeoutError, OSError, NatsError) as error:
            cause = failures[-1] if failures else error  # not "no servers available"
            raise SinkUnavailable(f"cannot connect: {_reason(cause)}") from None
        self._connection = connection
        self._jetstream = connection.jetstream(
            timeout=self.timeout, publish_async_max_pending=self.window
        )
        await self._fit()

    async def _fit(self) -> None:
        manager = self._js()
        subjects = [f"{self.prefix}.>"]
        try:
            info = await _unavailable_on_error(manager.stream_info(self.stream))
        except NotFoundError:
            config = js_api.StreamConfig(
                name=self.stream,
                subjects=subjects,
                storage=js_api.StorageType.FILE,
                retention=js_api.RetentionPolicy.LIMITS,
            )
            try:
                await _unavailable_on_error(manager.add_stream(config))
            except nats.js.errors.BadRequestError as error:
                raise DestinationRefused(
                    f"{self.destination}: cannot make the stream: {_reason(error)}"
                ) from None
            return
        misfit = _misfit(info.config, subjects)
        if misfit:
            raise DestinationRefused(
                f"{self.destination} does not fit: {misfit}; nothing published"
            )

    async def last_published(self) -> Published:
        state = (await _unavailable_on_error(self._js().stream_info(self.stream))).state
        first = last = None
        if state.messages:
            first = await self._message(state.first_seq)
            last = await self._message(state.last_seq)
        return Published(state.messages, state.last_seq, first, last)

    async def _message(self, sequence: int) -> Tail:
        try:
            raw = await _unavailable_on_error(self._js().get_msg(self.stream, seq=sequence))
        except NotFoundError:
            raise SinkUnavailable(f"message {sequence} went away while read") from None
        headers = {str(key): str(value) for key, value in (raw.headers or {}).items()}
        return Tail(sequence, headers, raw.data or b"")

    async def publish_batch(self, messages: Sequence[Message], after_sequence: int) -> int:
        jetstream = self._js()
        pending: list[asyncio.Future[js_api.PubAck]] = []
        try:
            for offset, message in enumerate(messages):
                headers = {**message.headers, EXPECTED_LAST_SEQUENCE: str(after_sequence + offset)}
                pending.append(
                    # No wait_stall: a window as large as a batch never stalls, and a timed
                    # wait would hand the loop to the flusher, one write a message.
                    await jetstream.publish_async(message.subject, message.body, headers=headers)
                )
        except (TimeoutError, OSError, NatsError) as error:
            _cancel(pending)
            raise SinkUnavailable(f"publish failed: {_reason(error)}") from None
        return await self._acknowledged(messages, pending, after_sequence)

    async def _acknowledged(
        self,
        messages: Sequence[Message],
        pending: list[asyncio.Future[js_api.PubAck]],
        after_sequence: int,
    ) -> int:
        """Wait for every acknowledgement; the last sequence, or SinkUnavailable with the last
        position acknowledged before the first that failed or did not come in time."""
        if pending:  # what did not come in time is found below
            await asyncio.wait(pending, timeout=self.timeout)
        done = (0, after_sequence)
        for message, future in zip(messages, pending, strict=True):
            failure = "timed out" if not future.done() else None
            if failure is None and (future.cancelled() or future.exception() is not None):
                failure = _reason(future.exception() or TimeoutError())
            if failure is not None:
                _cancel(pending)
                raise SinkUnavailable(f"not acknowledged: {failure}", done if done[0] else (0, 0))
            done = (message.position, future.result().seq)
        return done[1]

    async def close(self) -> None:
        connection, self._connection, self._jetstream = self._connection, None, None
        if connection is not None and not connection.is_closed:
            with contextlib.suppress(OSError, NatsError, asyncio.TimeoutError):
                await asyncio.wait_for(connection.close(), timeout=self.timeout)

    def _js(self) -> JetStreamContext:
        if self._jetstream is None:
            raise SinkUnavailable("not connected")
        return self._jetstream


def _misfit(config: js_api.StreamConfig, subjects: list[str]) -> str | None:
    """What makes an existing stream unfit for the log, or None."""
    if list(config.subjects or []) != subjects:
        return f"its subjects are {config.subjects}, not {subjects}"
    if config.retention not in (None, js_api.RetentionPolicy.LIMITS):
        return f"its retention is {config.retention}, not limits"
    if config.max_msgs_per_subject not in (None, -1, 0):
        return "it keeps a limited number of messages per subject"
    if config.no_ack or config.mirror is not None or config.sources:
        return "it does not acknowledge publishes, or mirrors or sources other streams"
    return None


async def _unavailable_on_error(request: Awaitable[T]) -> T:
    """Await a JetStream API request; a lost or silent server becomes SinkUnavailable (a
    refusal by the server, NotFoundError or an API error, is left to the caller)."""
    try:
        return await request
    except nats.js.errors.APIError:
        raise
    except (TimeoutError, OSError, NatsError) as error:
        raise SinkUnavailable(f"no answer: {_reason(error)}") from None


def _cancel(pending: list[asyncio.Future[js_api.PubAck]]) -> None:
    for future in pending:
        if not future.done():
            future.cancel()


def _reason(error: BaseException) -> str:
    text = str(error).strip().splitlines()[0] if str(error).strip() else ""
    name = type(error).__name__
    return f"{name}: {text}" if text and text != name else name
