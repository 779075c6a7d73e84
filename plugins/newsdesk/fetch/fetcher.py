"""The Fetcher: a synchronous facade (for Airflow tasks and the CLI) over concurrent async
downloads on a private event loop thread.

Bounds: ``concurrency`` downloads at once overall, ``per_host_concurrency`` per host with
``per_host_delay_s`` between request starts to one host (raised to a robots.txt
Crawl-delay, at most ``MAX_CRAWL_DELAY_S``), and at most ``2 * concurrency`` finished
results waiting for the consumer, so memory stays bounded however slow the caller is.

A batch may have a ``deadline`` (a ``time.monotonic()`` value): when it passes, downloads in
flight are cancelled and reported as cut off (status temporary, retried later), and items that
never started are not reported at all (they stay queued). With ``tick_s`` the stream yields
``None`` after that many seconds without a result, so the consumer can commit what it has while
stragglers are still arriving.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import hashlib
import logging
import queue
import threading
import time
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable, Generator, Sequence
from datetime import datetime, timedelta
from types import TracebackType
from typing import Any, Generic, TypeVar
from urllib.parse import urlsplit

import httpcore
import httpx

from newsdesk.config import HttpSettings
from newsdesk.errors import FetchError
from newsdesk.fetch.charset import detect_charset
from newsdesk.fetch.download import Download, HttpClient, fetch_url
from newsdesk.fetch.guard import AddressPolicy, GuardedBackend
from newsdesk.fetch.robots import ROBOTS_MAX_BYTES, RobotsRules, rules_from_response
from newsdesk.models import FeedDownload, FeedState, FetchStatus, PageFetch

log = logging.getLogger(__name__)

T = TypeVar("T")
FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/rdf+xml;q=0.9, "
    "application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5"
)
PAGE_ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"
MAX_CRAWL_DELAY_S = 30.0
CUT_OFF = "cut off: the task's time budget ran out before the download finished"
_DONE = object()
# The item whose work is running in the current task: a request made for it marks it started.
_ITEM: contextvars.ContextVar[object] = contextvars.ContextVar("newsdesk_fetch_item", default=None)


def body_hash(body: bytes) -> str:
    """The hash that detects an unchanged feed when the server ignores conditional requests."""
    return hashlib.sha256(body).hexdigest()


def _origin(url: str) -> str:
    try:
        parts = urlsplit(url)
        return f"{parts.scheme.lower()}://{(parts.netloc or '').lower()}"
    except ValueError:
        return url


def _agent_token(user_agent: str) -> str:
    return user_agent.split("/", 1)[0].split()[0] if user_agent.strip() else "*"


class _HostGate:
    """Per-host concurrency plus a minimum delay between request starts."""

    def __init__(self, concurrency: int, delay_s: float) -> None:
        self.semaphore = asyncio.Semaphore(max(1, concurrency))
        self.delay_s = max(0.0, delay_s)
        self._next_start = 0.0

    async def __aenter__(self) -> None:
        await self.semaphore.acquire()
        if self.delay_s:
            now = time.monotonic()
            start = max(now, self._next_start)
            self._next_start = start + self.delay_s
            if start > now:
                await asyncio.sleep(start - now)

    async def __aexit__(self, *exc: object) -> None:
        self.semaphore.release()


def _interleave_by_host(items: Sequence[T], key: Callable[[T], str]) -> list[T]:
    """Round-robin over hosts so one host's backlog does not hold up the others."""
    groups: dict[str, deque[T]] = defaultdict(deque)
    for item in items:
        groups[_origin(key(item))].append(item)
    out: list[T] = []
    queues = list(groups.values())
    while queues:
        queues = [q for q in queues if q]
        for q in queues:
            out.append(q.popleft())
    return out


class _Pool(httpcore.AsyncConnectionPool):
    """httpcore's pool with linear bookkeeping.

    httpcore 1.0 counts idle connections inside its loop over connections (quadratic in the
    pool size, for every request added or finished) and polls every idle socket; with a
    keep-alive pool of 16 connections that was a third of the fetcher's CPU per conditional GET.
    Same decisions, counted once; an idle connection's expiry is checked when it would be reused
    (an expired one that is never picked is closed when the pool needs its slot, or at close).
    """

    def _assign_requests_to_connections(self) -> list[Any]:
        closing = []
        connections = self._connections
        if any(c.is_closed() for c in connections):
            connections[:] = [c for c in connections if not c.is_closed()]
        if len(connections) > self._max_keepalive_connections:
            idle = sum(1 for c in connections if c.is_idle())
            for connection in list(connections):
                if idle <= self._max_keepalive_connections:
                    break
                if connection.is_idle():
                    connections.remove(connection)
                    closing.append(connection)
                    idle -= 1
        for pool_request in [r for r in self._requests if r.is_queued()]:
            origin = pool_request.request.url.origin
            chosen = None
            for connection in list(self._connections):
                if not (connection.can_handle_request(origin) and connection.is_available()):
                    continue
                # Expiry (keep-alive timeout, or the server hung up) is checked when a connection
                # would be reused, not for every idle connection on every request: a poll(2) each.
                if connection.has_expired():
                    self._connections.remove(connection)
                    closing.append(connection)
                    continue
                chosen = connection
                break
            if chosen is not None:
                pool_request.assign_to_connection(chosen)
                continue
            if len(self._connections) >= self._max_connections:
                spare = next((c for c in self._connections if c.is_idle()), None)
                if spare is None:
                    continue  # stays queued until a connection is released
                self._connections.remove(spare)
                closing.append(spare)
            connection = self.create_connection(origin)
            self._connections.append(connection)
            pool_request.assign_to_connection(connection)
        return closing


# The override above reads httpcore 1.x internals; another major version gets the stock pool.
_POOL = _Pool if httpcore.__version__.startswith("1.") else httpcore.AsyncConnectionPool


class _Batch(Generic[T]):
    """One run of ``work`` over ``items`` on the fetcher's loop, and the consumer's side of it.

    The loop side starts items while fewer than ``window_size`` results wait for the consumer;
    one item's exception becomes ``failed(item, exc)``; when the batch is cancelled (at the
    deadline, or because the consumer stopped), items that made a request report
    ``cut_off(item)``, then the batch puts ``_DONE``.
    """

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        items: Sequence[T],
        work: Callable[[T], Awaitable[Any]],
        failed: Callable[[T, BaseException], Any],
        cut_off: Callable[[T], Any] | None,
        *,
        window_size: int,
        started: set[int],
    ) -> None:
        self.loop = loop
        self.items = items
        self.work = work
        self.failed = failed
        self.cut_off = cut_off
        self.window_size = window_size
        self.started = started  # id() of the items that made a request (Fetcher._get adds them)
        self.results: queue.SimpleQueue[Any] = queue.SimpleQueue()
        # Set on the loop when the batch starts; the consumer reads them from its own thread.
        self.window: asyncio.Semaphore | None = None
        self.task: asyncio.Task[None] | None = None

    # --- on the loop ---------------------------------------------------------------------

    async def _one(self, item: T, window: asyncio.Semaphore) -> None:
        _ITEM.set(item)
        try:
            self.results.put(await self.work(item))
        except asyncio.CancelledError:
            if self.cut_off is not None and id(item) in self.started:
                self.results.put(self.cut_off(item))
            else:
                window.release()  # nothing for the consumer to take
            raise
        except Exception as exc:  # one item's bug must not sink the batch: it becomes data
            log.exception("fetch of %r failed unexpectedly", item)
            self.results.put(self.failed(item, exc))

    async def run(self) -> None:
        window = asyncio.Semaphore(self.window_size)
        self.window = window
        self.task = asyncio.current_task()
        tasks = []
        try:
            for item in self.items:
                await window.acquire()  # released when the consumer has taken a result
                tasks.append(asyncio.create_task(self._one(item, window)))
            await asyncio.gather(*tasks, return_exceptions=True)
        finally:
            for task in tasks:
                task.cancel()
            # Cancelled items report their cut-off before the batch says it is done.
            await asyncio.gather(*tasks, return_exceptions=True)
            self.results.put(_DONE)

    # --- on the consumer's thread ----------------------------------------------------------

    def consume(
        self, future: concurrent.futures.Future[None], *, deadline: float | None, tick_s: float | None
    ) -> Generator[Any, None, None]:
        """The results as they arrive, ``None`` after every ``tick_s`` without one; at
        ``deadline`` the batch is cancelled and its cut-offs are still taken."""
        stopped = False
        last = time.monotonic()
        while True:
            now = time.monotonic()
            if deadline is not None and not stopped and now >= deadline and self.task is not None:
                stopped = True
                self._stop()
            try:
                item = self.results.get(
                    timeout=_wait_s(now, last, tick_s=tick_s, deadline=None if stopped else deadline)
                )
            except queue.Empty as empty:
                if self._ended(future, empty):
                    return
                if tick_s is not None and time.monotonic() - last >= tick_s:
                    last = time.monotonic()
                    yield None
                continue
            if item is _DONE:
                return
            if self.window is not None:
                self.loop.call_soon_threadsafe(self.window.release)
            last = time.monotonic()
            yield item

    def _stop(self) -> None:
        # In flight: cut off; not started: left for a later run. The batch reports the
        # cut-offs, then _DONE.
        assert self.task is not None
        self.loop.call_soon_threadsafe(self.task.cancel)
        log.info("fetch batch stopped at its deadline; in-flight downloads are cut off")

    def _ended(self, future: concurrent.futures.Future[None], empty: queue.Empty) -> bool:
        """Whether nothing more will come: True when the batch was cancelled; a batch that
        crashed, or ended without saying it was done, raises."""
        if not future.done() or not self.results.empty():
            return False
        if future.cancelled():
            return True
        future.result()  # surfaces a crash of the batch itself
        raise FetchError("fetch batch ended without finishing") from empty

    def wind_down(self, future: concurrent.futures.Future[None]) -> None:
        """Cancel a batch that is still running and wait for it to end; never raises."""
        if not future.done():
            # Cancel the batch on its loop and wait for it to wind down (its tasks end at their
            # next await): cancelling the concurrent future alone would return at once and
            # leave the batch pending when the Fetcher closes its loop.
            if self.task is not None:
                self.loop.call_soon_threadsafe(self.task.cancel)
            else:
                future.cancel()
        try:
            future.result(timeout=30)
        except (asyncio.CancelledError, Exception):  # noqa: BLE001 - cancelled or already reported
            pass


def _wait_s(now: float, last: float, *, tick_s: float | None, deadline: float | None) -> float:
    """How long the consumer waits for a result: at most a second, and not past the next tick
    or the deadline (at least 10 ms)."""
    wait = 1.0
    if tick_s is not None:
        wait = min(wait, max(0.01, last + tick_s - now))
    if deadline is not None:
        wait = min(wait, max(0.01, deadline - now))
    return wait


class Fetcher:
    """Concurrent, polite, bounded downloads of feeds and pages. Use as a context manager."""

    def __init__(self, settings: HttpSettings) -> None:
        self.settings = settings
        self._policy = AddressPolicy(settings.allow_private)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._client: HttpClient | None = None
        self._gates: dict[str, _HostGate] = {}
        self._robots: dict[str, RobotsRules] = {}
        self._robots_locks: dict[str, asyncio.Lock] = {}
        self._global: asyncio.Semaphore | None = None
        self._agent = _agent_token(settings.user_agent)
        self._started: set[int] = set()  # id() of the items of the running batch that made a request

    # --- lifecycle -----------------------------------------------------------------------

    def __enter__(self) -> Fetcher:
        self.open()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def open(self) -> None:
        if self._loop is not None:
            return
        loop = asyncio.new_event_loop()
        thread = threading.Thread(target=loop.run_forever, name="newsdesk-fetcher", daemon=True)
        thread.start()
        self._loop, self._thread = loop, thread
        self._call(self._open_client())

    def close(self) -> None:
        if self._loop is None:
            return
        loop, thread = self._loop, self._thread
        try:
            self._call(self._close_client())
        finally:
            loop.call_soon_threadsafe(loop.stop)
            if thread is not None:
                thread.join(timeout=10)
            loop.close()
            self._loop = self._thread = None

    def _call(self, coro: Awaitable[T]) -> T:
        assert self._loop is not None
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result()  # type: ignore[arg-type]

    async def _open_client(self) -> None:
        s = self.settings
        # Every connection (every redirect hop, every keep-alive reconnect) goes through the guard.
        pool = _POOL(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=max(1, s.concurrency),
            max_keepalive_connections=max(1, s.concurrency),
            keepalive_expiry=5.0,
            http1=True,
            http2=False,
            retries=0,
            network_backend=GuardedBackend(self._policy),
        )
        # No proxy from the environment: a proxy would resolve names itself, behind the guard's back.
        self._client = HttpClient(pool, s, {"User-Agent": s.user_agent, "Accept-Encoding": "gzip, deflate"})
        self._global = asyncio.Semaphore(max(1, s.concurrency))

    async def _close_client(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    # --- plumbing ------------------------------------------------------------------------

    def _gate(self, url: str) -> _HostGate:
        origin = _origin(url)
        gate = self._gates.get(origin)
        if gate is None:
            gate = _HostGate(self.settings.per_host_concurrency, self.settings.per_host_delay_s)
            self._gates[origin] = gate
        return gate

    async def _get(self, url: str, headers: dict[str, str], *, max_body_bytes: int | None = None) -> Download:
        assert self._client is not None and self._global is not None
        async with self._gate(url), self._global:
            item = _ITEM.get()
            if item is not None:
                self._started.add(id(item))
            return await fetch_url(self._client, url, self.settings, headers=headers, max_body_bytes=max_body_bytes)

    def _run(
        self,
        items: Sequence[T],
        work: Callable[[T], Awaitable[Any]],
        failed: Callable[[T, BaseException], Any],
        *,
        cut_off: Callable[[T], Any] | None = None,
        deadline: float | None = None,
        tick_s: float | None = None,
    ) -> Generator[Any, None, None]:
        """Run ``work`` over ``items`` concurrently; yield results as they finish.

        At ``deadline`` the batch is stopped: items that made a request yield ``cut_off(item)``,
        the others nothing. With ``tick_s``, ``None`` is yielded after that long without a result.
        """
        if not items:
            return
        if self._loop is None:
            self.open()
        assert self._loop is not None
        self._started = set()
        batch = _Batch(
            self._loop,
            items,
            work,
            failed,
            cut_off,
            window_size=max(2 * self.settings.concurrency, 8),
            started=self._started,
        )
        future = asyncio.run_coroutine_threadsafe(batch.run(), self._loop)
        try:
            yield from batch.consume(future, deadline=deadline, tick_s=tick_s)
        finally:
            batch.wind_down(future)

    # --- feeds ---------------------------------------------------------------------------

    def fetch_feeds(
        self, states: Sequence[FeedState], *, now: datetime, deadline: float | None = None
    ) -> Generator[FeedDownload, None, None]:
        """Conditional GETs of the feeds, concurrently; results in completion order.

        At ``deadline`` (monotonic) polls in flight end as cut off (temporary); feeds whose poll
        had not started yield nothing (they stay due).
        """
        origin = time.monotonic()
        ordered = _interleave_by_host(list(states), lambda s: s.url)

        async def work(state: FeedState) -> FeedDownload:
            started_at = now + timedelta(seconds=time.monotonic() - origin)
            headers = {"Accept": FEED_ACCEPT}
            if state.etag:
                headers["If-None-Match"] = state.etag
            if state.last_modified:
                headers["If-Modified-Since"] = state.last_modified
            got = await self._get(state.url, headers)
            return FeedDownload(
                feed_id=state.feed_id,
                url=state.url,
                status=got.status,
                started_at=started_at,
                http_status=got.http_status,
                duration_ms=got.duration_ms,
                bytes=got.wire_bytes,
                etag=got.headers.get("etag"),
                last_modified=got.headers.get("last-modified"),
                content_type=got.headers.get("content-type"),
                body=got.body,
                error=got.error,
                retry_after_s=got.retry_after_s,
                moved_to=got.moved_to,
                unreachable=got.unreachable,
            )

        def failed(state: FeedState, exc: BaseException) -> FeedDownload:
            return FeedDownload(
                feed_id=state.feed_id,
                url=state.url,
                status=FetchStatus.SOFT,
                started_at=now,
                error=f"unexpected error: {type(exc).__name__}: {exc}"[:500],
            )

        def cut_off(state: FeedState) -> FeedDownload:
            return FeedDownload(
                feed_id=state.feed_id,
                url=state.url,
                status=FetchStatus.TEMPORARY,
                started_at=now,
                error=CUT_OFF,
            )

        yield from self._run(ordered, work, failed, cut_off=cut_off, deadline=deadline)

    # --- pages ---------------------------------------------------------------------------

    async def _robots_for(self, url: str) -> RobotsRules:
        origin = _origin(url)
        rules = self._robots.get(origin)
        if rules is not None and rules.expires > time.monotonic():
            return rules
        lock = self._robots_locks.setdefault(origin, asyncio.Lock())
        async with lock:
            rules = self._robots.get(origin)
            if rules is not None and rules.expires > time.monotonic():
                return rules
            got = await self._get(f"{origin}/robots.txt", {"Accept": "text/plain"}, max_body_bytes=ROBOTS_MAX_BYTES)
            if got.status is FetchStatus.SOFT and got.error and "exceeds" in got.error:
                # RFC 9309: rules beyond the size limit may be ignored; what was read is not kept,
                # so treat an oversized file as no rules rather than as a disallow.
                got.status = FetchStatus.OK
            rules = rules_from_response(
                got.status, got.http_status, got.body, got.error, same_origin=_origin(got.final_url) == origin
            )
            delay = rules.crawl_delay(self._agent)
            if delay:
                gate = self._gate(url)
                gate.delay_s = max(gate.delay_s, min(delay, MAX_CRAWL_DELAY_S))
            self._robots[origin] = rules
            return rules

    def fetch_pages(self, urls: Sequence[str], *, deadline: float | None = None) -> Generator[PageFetch, None, None]:
        """Download article pages concurrently, honouring robots.txt; results in completion order."""
        for fetched in self.stream_pages(urls, deadline=deadline):
            if fetched is not None:
                yield fetched

    def stream_pages(
        self, urls: Sequence[str], *, deadline: float | None = None, tick_s: float | None = None
    ) -> Generator[PageFetch | None, None, None]:
        """``fetch_pages`` with ``None`` after every ``tick_s`` seconds without a result.

        At ``deadline`` (monotonic) downloads in flight end as cut off (temporary); pages whose
        download had not started yield nothing (they stay queued).
        """
        ordered = _interleave_by_host(list(dict.fromkeys(urls)), lambda u: u)

        async def work(url: str) -> PageFetch:
            if self.settings.respect_robots and urlsplit(url).scheme.lower() in ("http", "https"):
                rules = await self._robots_for(url)
                status, reason = rules.verdict(self._agent, url)
                if status is not None:
                    retry = None if status is FetchStatus.BLOCKED else int(rules.expires - time.monotonic())
                    return PageFetch(url=url, status=status, error=reason, retry_after_s=retry)
            got = await self._get(url, {"Accept": PAGE_ACCEPT})
            content_type = got.headers.get("content-type")
            charset = detect_charset(got.body, content_type)[0] if got.body else None
            return PageFetch(
                url=url,
                status=got.status,
                final_url=got.final_url,
                http_status=got.http_status,
                body=got.body,
                content_type=content_type,
                charset=charset,
                duration_ms=got.duration_ms,
                error=got.error,
                retry_after_s=got.retry_after_s,
            )

        def failed(url: str, exc: BaseException) -> PageFetch:
            return PageFetch(
                url=url, status=FetchStatus.SOFT, error=f"unexpected error: {type(exc).__name__}: {exc}"[:500]
            )

        def cut_off(url: str) -> PageFetch:
            return PageFetch(url=url, status=FetchStatus.TEMPORARY, error=CUT_OFF)

        yield from self._run(ordered, work, failed, cut_off=cut_off, deadline=deadline, tick_s=tick_s)

    # --- other documents (sitemaps) --------------------------------------------------------

    def fetch_documents(
        self,
        requests: Sequence[tuple[str, str | None, str | None]],
        *,
        max_body_bytes: int,
        accept: str = "application/xml,text/xml;q=0.9,*/*;q=0.5",
        deadline: float | None = None,
    ) -> Generator[Download, None, None]:
        """Conditional GETs of ``(url, etag, last_modified)``, honouring robots.txt, each body
        bounded by ``max_body_bytes``; results in completion order."""
        ordered = _interleave_by_host(list(requests), lambda r: r[0])

        async def work(request: tuple[str, str | None, str | None]) -> Download:
            url, etag, last_modified = request
            if self.settings.respect_robots:
                rules = await self._robots_for(url)
                status, reason = rules.verdict(self._agent, url)
                if status is not None:
                    return Download(status=status, url=url, final_url=url, error=reason)
            headers = {"Accept": accept}
            if etag:
                headers["If-None-Match"] = etag
            if last_modified:
                headers["If-Modified-Since"] = last_modified
            return await self._get(url, headers, max_body_bytes=max_body_bytes)

        def failed(request: tuple[str, str | None, str | None], exc: BaseException) -> Download:
            error = f"unexpected error: {type(exc).__name__}: {exc}"[:500]
            return Download(status=FetchStatus.SOFT, url=request[0], final_url=request[0], error=error)

        def cut_off(request: tuple[str, str | None, str | None]) -> Download:
            return Download(status=FetchStatus.TEMPORARY, url=request[0], final_url=request[0], error=CUT_OFF)

        yield from self._run(ordered, work, failed, cut_off=cut_off, deadline=deadline)

    def robots_sitemaps(self, origin: str) -> list[str]:
        """The ``Sitemap:`` URLs of an origin's robots.txt (read once and cached, as for pages)."""

        async def read() -> list[str]:
            rules = await self._robots_for(origin + "/")
            return list(rules.parser.site_maps() or []) if rules.parser is not None else []

        if self._loop is None:
            self.open()
        return self._call(read())
