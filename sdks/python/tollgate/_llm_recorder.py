"""The background side of LLM capture: a bounded queue of calls and the thread that sends them to Tollgate in batches."""

from __future__ import annotations

import atexit
import logging
import queue
import threading
import time
from typing import TYPE_CHECKING, Any

from ._client import AsyncTollgate
from ._errors import BodyTooLarge, TollgateError, TollgateUnavailable

if TYPE_CHECKING:
    from ._client import Tollgate

log = logging.getLogger("tollgate.llm")


class LlmUsageRecorder:
    """A bounded queue of calls and the thread that sends them in batches; a full queue drops (and counts) new calls."""

    def __init__(self, client: Tollgate, *, batch_size: int = 500, flush_interval: float = 1.0, capacity: int = 10_000) -> None:
        if isinstance(client, AsyncTollgate):
            # Its calls are coroutines, which this thread cannot await: every batch would be dropped unsent.
            raise TypeError("LlmUsageRecorder sends from a thread of its own and needs a blocking tollgate.Tollgate; an async app "
                            "gives it one beside its AsyncTollgate (both read TOLLGATE_SECRET_KEY and TOLLGATE_URL)")
        self._client = client
        self._batch_size = max(1, min(batch_size, 1000))
        self._interval = flush_interval
        self._queue: queue.Queue[dict[str, Any]] = queue.Queue(max(1, capacity))
        self._flush = threading.Event()
        self._stop = threading.Event()
        self.dropped = 0  # calls lost: the queue was full, or Tollgate refused or stayed unreachable
        self.failures = 0  # responses whose usage could not be read
        self.sent = 0
        self.rejected: list[dict[str, Any]] = []  # calls Tollgate refused, with the reason (kept for the last 100)
        # The thread's batch (being gathered or sent), and how many of its calls close() already counted as dropped when
        # it gave up on them: the thread settles that batch later and must not count them twice.
        self._lock = threading.Lock()
        self._batch: list[dict[str, Any]] = []
        self._abandoned = 0
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="tollgate-llm-usage", daemon=True)
        self._thread.start()
        atexit.register(self.close, 5.0)  # a script that ends without close() still sends its last calls

    def add(self, call: dict[str, Any]) -> None:
        """Queues a call without waiting; after close() the call is counted as dropped, as nothing would send it."""
        with self._lock:  # close() sets the flag and drains the queue under it: a call is queued before, or dropped
            if self._closed:
                self.dropped += 1
                return
            try:
                self._queue.put_nowait(call)
            except queue.Full:
                self.dropped += 1

    def flush(self, timeout: float = 10.0) -> bool:
        """Waits until every queued call is sent (or given up on); False when ``timeout`` passed first."""
        deadline = time.monotonic() + timeout
        self._flush.set()
        with self._queue.all_tasks_done:
            while self._queue.unfinished_tasks:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._queue.all_tasks_done.wait(min(left, 0.05))
        return True

    def close(self, timeout: float = 10.0) -> None:
        """Sends what is left and stops the thread, within ``timeout`` in all; calls still unsent then count as dropped.

        Only the first close waits: a second one (such as the exit hook's) returns at once, so exit never waits again on
        a batch the first close gave up on. Calls captured after close count as dropped at once."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        deadline = time.monotonic() + timeout
        self.flush(timeout)
        self._stop.set()
        self._thread.join(max(0.0, deadline - time.monotonic()))
        with self._lock:
            left = len(self._batch) - self._abandoned
            self._abandoned = len(self._batch)
            while True:
                try:
                    self._queue.get_nowait()
                except queue.Empty:
                    break
                left += 1
                self._queue.task_done()
            self.dropped += left
        if left:
            log.error("Dropped %d LLM calls not sent to Tollgate before close", left)

    def _run(self) -> None:
        batch = self._batch
        first = 0.0
        while not self._stop.is_set():
            try:
                call = self._queue.get(timeout=0.05)
                with self._lock:
                    batch.append(call)
                    # Everything already queued joins the batch: taken one call a round, a flush (close() at exit among
                    # them) sent one call a request, and 279 of 300 queued calls were dropped when the exit hook's 5 s ran out.
                    while len(batch) < self._batch_size:
                        try:
                            batch.append(self._queue.get_nowait())
                        except queue.Empty:
                            break
                first = first or time.monotonic()
            except queue.Empty:
                pass
            due = batch and (len(batch) >= self._batch_size or self._flush.is_set() or time.monotonic() - first >= self._interval)
            if due:
                try:
                    self._send(batch)
                except Exception:  # never the thread's end: later calls would wait for close() to be sent
                    log.exception("Sending %d LLM calls to Tollgate failed", len(batch))
                    self._count(dropped=len(batch))
                for _ in batch:
                    self._queue.task_done()
                with self._lock:
                    batch.clear()
                    self._abandoned = 0
                first = 0.0
            elif not batch:
                self._idle()
        with self._lock:  # gathered, but stopped before it was due
            self.dropped += len(batch) - self._abandoned
            batch.clear()
            self._abandoned = 0

    def _count(self, *, sent: int = 0, dropped: int = 0) -> None:
        """Settles calls of the thread's batch; those close() already counted as dropped move to sent, or stay dropped."""
        with self._lock:
            moved = min(sent, self._abandoned)
            kept = min(dropped, self._abandoned - moved)
            self._abandoned -= moved + kept
            self.sent += sent
            self.dropped += dropped - kept - moved

    def _idle(self) -> None:
        """Ends a flush once nothing is left. Decided under the queue's lock, where ``add`` counts a call before
        ``flush`` sets the flag: checking emptiness first and clearing after could clear a flush asked for in between,
        leaving its call to wait out ``flush_interval``."""
        with self._queue.mutex:
            if self._queue.unfinished_tasks == 0:
                self._flush.clear()

    def _send(self, batch: list[dict[str, Any]]) -> None:
        for attempt in range(5):
            try:
                answer = self._client.llm.log_usage_batch(batch)
            except BodyTooLarge:
                if len(batch) == 1:
                    break
                half = len(batch) // 2  # long metadata: send it in halves rather than lose it
                self._send(batch[:half])
                self._send(batch[half:])
                return
            except TollgateError as e:
                # As the TypeScript buffer: no answer, a 5xx, a 408 or a 429 (a proxy's throttling too) says "later", not
                # that the calls are wrong, so the batch is sent again; any other answer refuses it.
                if not (isinstance(e, TollgateUnavailable) or e.status in (408, 429) or (e.status or 0) >= 500):
                    log.error("Tollgate refused %d LLM calls: %s", len(batch), e)
                    break
                log.warning("Sending %d LLM calls to Tollgate failed (attempt %d): %s", len(batch), attempt + 1, e)
                if self._stop.wait(0.2 * (2 ** attempt)):
                    break
                continue
            except Exception as e:  # a closed client at shutdown, say: the thread must live on for the next batch
                log.error("Could not send %d LLM calls to Tollgate: %r", len(batch), e)
                break
            counts = _tally(answer)
            if counts is None:
                # A 2xx that is not Tollgate's tally (a proxy's ``200 {}``) confirms nothing: the calls count as lost, as
                # the TypeScript buffer counts them, and the thread goes on to the next batch.
                log.error("Dropped %d LLM calls: the answer to sending them was not Tollgate's (no accepted, duplicates "
                          "and rejected)", len(batch))
                break
            accepted, rejected = counts
            self._count(sent=accepted)
            for r in rejected:
                log.warning("Tollgate rejected an LLM call: %s", r.get("reason"))
                self.rejected = (self.rejected + [dict(r)])[-100:]
            return
        self._count(dropped=len(batch))


def _tally(answer: Any) -> tuple[int, list[dict[str, Any]]] | None:
    """The calls Tollgate took (accepted and duplicates) and those it rejected, or None when the answer is not its tally."""
    if not isinstance(answer, dict):
        return None
    accepted, duplicates, rejected = answer.get("accepted"), answer.get("duplicates"), answer.get("rejected")
    if type(accepted) is not int or type(duplicates) is not int or accepted < 0 or duplicates < 0:
        return None
    if not isinstance(rejected, list) or not all(isinstance(r, dict) for r in rejected):
        return None
    return accepted + duplicates, rejected
