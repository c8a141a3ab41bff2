"""Real services for the outbox integration tests and the throughput benchmark.

A private `redis-server` on a free port (never the machine's shared one on 6379), an SMTP sink
that records every message it accepts by its `X-Outbox-Id` header and can be told to refuse, and
Celery worker/beat subprocesses started with the real settings (`config.settings`) and shortened
outbox timings. Everything here is plain Python so the benchmark script can use it too.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email import message_from_bytes
from pathlib import Path
from urllib.parse import quote

import kombu.pools
import redis
from aiosmtpd.controller import Controller

logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every SMTP command

BASE_DIR = Path(__file__).resolve().parents[2]
CELERY = BASE_DIR / ".venv" / "bin" / "celery"
REDIS_SERVER = "/usr/bin/redis-server"

# Worker-side timings for tests: each keeps the production ordering
# SMTP timeout < task soft limit < task hard limit < sending timeout < visibility timeout.
FAST_TIMINGS = {
    "NOTIFICATIONS_SWEEP_INTERVAL": "1",
    "NOTIFICATIONS_REQUEUE_AFTER": "2",
    "NOTIFICATIONS_TASK_TIME_LIMIT": "5",
    "NOTIFICATIONS_SENDING_TIMEOUT": "6",
    "NOTIFICATIONS_RETRY_BASE": "1",
    "NOTIFICATIONS_RETRY_CAP": "2",
    "EMAIL_TIMEOUT": "3",
    "CELERY_BROKER_VISIBILITY_TIMEOUT": "10",
}


def free_port() -> int:
    """A TCP port nobody listens on right now (the kernel picks it)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(
    condition: Callable[[], object], *, timeout: float, interval: float = 0.1, what: str = ""
):
    """Poll `condition` until it returns something truthy; return that, or raise TimeoutError."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise TimeoutError(f"Gave up after {timeout:.0f} s waiting for {what or condition}")
        time.sleep(interval)


def postgres_url(db: dict) -> str:
    """A DATABASE_URL for a Django DATABASES entry (the test database pytest-django made)."""
    credentials = quote(db.get("USER") or "", safe="")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{credentials}@{host}:{port}/{db['NAME']}"


# --- Redis --------------------------------------------------------------------------------------


class RedisServer:
    """A throwaway redis-server without persistence: a restart empties it, like a lost broker."""

    def __init__(self, directory: Path, port: int | None = None):
        self.directory = directory
        self.port = port or free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        log = (self.directory / "redis.log").open("ab")
        self.process = subprocess.Popen(
            [
                REDIS_SERVER,
                *("--port", str(self.port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no", "--dir", str(self.directory)),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        wait_for(self.answers, timeout=10, what=f"redis-server on port {self.port}")

    def answers(self) -> bool:
        client = redis.Redis(port=self.port, socket_timeout=0.2, socket_connect_timeout=0.2)
        try:
            return client.ping()
        except redis.RedisError:
            return False
        finally:
            client.close()

    def stop(self) -> None:
        """Shut down (refusing connections from now on) and wait until it is gone."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGCONT)  # a frozen server cannot act on SIGTERM
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def freeze(self) -> None:
        """SIGSTOP: the kernel still accepts connections, but nothing is ever answered."""
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        self.process.send_signal(signal.SIGCONT)


# --- SMTP sink ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Delivery:
    outbox_id: int | None
    recipients: tuple[str, ...]
    message_id: str
    received_at: float  # time.time(), comparable with commit times taken in another process


class SinkHandler:
    """aiosmtpd handler: accepts and records mail, or refuses it as instructed.

    `refuse_next(n)` answers the next n messages with 451 (temporary); `reject(address)` answers
    RCPT TO for that address with 550 (permanent); `delay` keeps each message and then holds
    back the "250" answer, so a worker can be killed after the server took the mail and before
    the worker learnt it: the worst moment, which makes a duplicate.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self.deliveries: list[Delivery] = []
        self.temporary_refusals = 0
        self.permanent_refusals = 0
        self._refuse_next = 0
        self._rejected: set[str] = set()
        self.delay = 0.0
        self.held = 0  # messages kept whose "250" is being held back for `delay`

    def refuse_next(self, count: int) -> None:
        with self._lock:
            self._refuse_next = count

    def reject(self, address: str) -> None:
        with self._lock:
            self._rejected.add(address.lower())

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        with self._lock:
            if address.lower() in self._rejected:
                self.permanent_refusals += 1
                return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self._lock:
            if self._refuse_next > 0:
                self._refuse_next -= 1
                self.temporary_refusals += 1
                return "451 4.3.0 Try again later"
        headers = message_from_bytes(envelope.content)
        outbox_id = headers.get("X-Outbox-Id")
        delivery = Delivery(
            outbox_id=int(outbox_id) if outbox_id else None,
            recipients=tuple(envelope.rcpt_tos),
            message_id=headers.get("Message-ID", ""),
            received_at=time.time(),
        )
        with self._lock:
            self.deliveries.append(delivery)
        if self.delay:
            # Kept, but the "250" is held back: a client dying now never learns it was accepted.
            self.held += 1  # the event loop runs one handler at a time: no lock needed
            try:
                await asyncio.sleep(self.delay)
            finally:
                self.held -= 1
        return "250 Message accepted"

    def snapshot(self) -> list[Delivery]:
        with self._lock:
            return list(self.deliveries)

    def counts(self) -> Counter:
        """How many times each outbox row arrived."""
        return Counter(d.outbox_id for d in self.snapshot())

    def received(self, ids) -> bool:
        """Whether every row in `ids` arrived at least once."""
        return set(ids) <= set(self.counts())


class SmtpSink:
    """An SMTP server on a free port in a thread of this process."""

    def __init__(self):
        self.handler = SinkHandler()
        self.port = free_port()
        self._controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    @property
    def email_url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()


# --- Celery worker and beat ---------------------------------------------------------------------


def service_env(
    *, database_url: str, redis_url: str, email_url: str, timings: dict = FAST_TIMINGS
) -> dict:
    """Environment for worker/beat: the real settings, the given services, `timings` (the
    outbox's env settings; {} keeps the production defaults)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("NOTIFICATIONS_", "CELERY_", "EMAIL_", "PYTEST", "DJANGO_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        SECRET_KEY="integration-tests-only-secret-key",
        DEBUG="false",
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        EMAIL_URL=email_url,
        SITE_URL="http://localhost:8000",  # Message-IDs end in @localhost
        LOG_LEVEL="INFO",
        PYTHONUNBUFFERED="1",
    )
    env.update(timings)
    return env


class CeleryProcess:
    """`celery -A config <command>` in its own process group, output in a log file.

    The group is what a SIGKILL of "the whole worker" means: the main process and its pool
    children die at once, as in an OOM kill or a machine losing power.
    """

    def __init__(self, args: list[str], *, env: dict, log_path: Path, ready_text: str):
        self.args = args
        self.env = env
        self.log_path = log_path
        self.ready_text = ready_text
        self.process: subprocess.Popen | None = None
        self._group_gone = False
        self._log_offset = 0

    def start(self, *, timeout: float = 30) -> None:
        self.launch()
        self.wait_ready(timeout=timeout)

    def launch(self) -> None:
        self._group_gone = False
        self._log_offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [str(CELERY), "-A", "config", *self.args],
                cwd=BASE_DIR,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_ready(self, *, timeout: float = 30) -> None:
        wait_for(self._ready, timeout=timeout, what=f"celery {self.args[0]}: {self.ready_text!r}")

    def _ready(self) -> bool:
        if self.process.poll() is not None:
            raise RuntimeError(f"celery {self.args[0]} exited early:\n{self.log_tail()}")
        return self.ready_text in self.log()

    def log(self) -> str:
        """Output since the last start."""
        with self.log_path.open("rb") as log:
            log.seek(self._log_offset)
            return log.read().decode("utf-8", "replace")

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log().splitlines()[-lines:])

    def kill_group(self) -> None:
        """SIGKILL the main process and every child at once; nothing gets to clean up."""
        if self.process is None or self._group_gone:
            return
        self._group_gone = True  # once reaped, the id could be reused: never signal it again
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self, *, timeout: float = 10) -> None:
        """Warm shutdown (running tasks finish), then SIGKILL whatever is left of the group."""
        if self.process is None or self._group_gone:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=timeout)
        self.kill_group()


def worker(env: dict, directory: Path, *, name: str = "w1", concurrency: int = 2) -> CeleryProcess:
    return CeleryProcess(
        [
            *("worker", f"--concurrency={concurrency}", "--pool=prefork", "--loglevel=INFO"),
            *(f"--hostname={name}@%h", "--without-gossip", "--without-mingle"),
        ],
        env=env,
        log_path=directory / f"worker-{name}.log",
        ready_text=" ready.",  # "w1@host ready." once it consumes
    )


def beat(env: dict, directory: Path) -> CeleryProcess:
    return CeleryProcess(
        [
            *("beat", "--loglevel=INFO", f"--schedule={directory / 'celerybeat-schedule'}"),
            f"--pidfile={directory / 'beat.pid'}",
        ],
        env=env,
        log_path=directory / "beat.log",
        ready_text="beat: Starting...",
    )


# --- The test process publishes to the private Redis --------------------------------------------


@contextlib.contextmanager
def publishing_to(broker_url: str) -> Iterator[None]:
    """Make this process's Celery app publish to `broker_url` instead of running tasks inline.

    The app reads Django settings once; tests.settings makes it eager with a memory broker. The
    connection pools are keyed by the broker address they were built for, so they are dropped on
    the way in and out (as Celery does after a fork).
    """
    from config.celery import app

    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager")}
    _drop_broker_pools(app)
    app.conf.update(broker_url=broker_url, task_always_eager=False)
    try:
        yield
    finally:
        _drop_broker_pools(app)
        app.conf.update(saved)


def _drop_broker_pools(app) -> None:
    kombu.pools.reset()  # closes every pooled connection and forgets the pools (keyed by port)
    app._pool = None
    amqp = app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None
