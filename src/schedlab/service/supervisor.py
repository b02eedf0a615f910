"""Keeps N worker processes alive, re-queues jobs whose worker stopped sending heartbeats, and
deletes finished jobs older than the retention period."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time

from schedlab.service.store import Store

STALE_S = 10.0
PURGE_EVERY_S = 600.0


class Supervisor:
    def __init__(self, url: str, workers: int = 2, job_timeout_s: float = 3600.0, memory_mb: int = 4096,
                 retain_days: float | None = None) -> None:
        self.url, self.n = url, workers
        self.job_timeout_s, self.memory_mb = job_timeout_s, memory_mb
        self.retain_days = retain_days
        self.procs: list = [None] * workers
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.restarts = 0

    def _spawn(self, i: int) -> None:
        """A fresh interpreter in a session of its own: a Ctrl-C meant for the server never reaches it."""
        cmd = [sys.executable, "-m", "schedlab.service.worker", self.url, str(i), str(os.getpid()),
               str(self.job_timeout_s), str(self.memory_mb)]
        self.procs[i] = subprocess.Popen(cmd, start_new_session=True, stdin=subprocess.DEVNULL)

    def start(self) -> None:
        store = Store(self.url, check=False)
        store.requeue_stale(0.0)  # a new server: whatever was running belonged to dead workers
        self._purge(store)
        self._thread = threading.Thread(target=self._watch, name="schedlab-supervisor", daemon=True)
        self._thread.start()

    def _purge(self, store: Store) -> None:
        if self.retain_days is not None:
            store.purge(self.retain_days * 86400.0)

    def _watch(self) -> None:
        """Workers are started here, so their parent-death signal is tied to this long-lived thread.

        """
        store = Store(self.url, check=False)
        for i in range(self.n):
            self._spawn(i)
        last_purge = time.monotonic()
        while not self._stop.wait(1.0):
            for i, p in enumerate(self.procs):
                if p is None or p.poll() is not None:
                    self.restarts += 1
                    self._spawn(i)
            store.requeue_stale(STALE_S)
            if time.monotonic() - last_purge > PURGE_EVERY_S:
                last_purge = time.monotonic()
                self._purge(store)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
        for p in self.procs:
            if p is not None and p.poll() is None:
                p.terminate()
        for p in self.procs:
            if p is not None:
                try:
                    p.wait(5)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait(5)
