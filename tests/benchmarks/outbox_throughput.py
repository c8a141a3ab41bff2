"""Benchmark (not a test): how fast does the outbox move mail through the real stack?

Pushes N messages (default 2,000) through notify() → PostgreSQL → a private Redis → a real Celery
worker (prefork) → an SMTP sink, using the integration-test harness (tests/integration/harness.py)
with the production outbox timings. Each message is committed in its own transaction, the way
requests queue mail; the commit time of every row is recorded right after its commit and its
arrival time at the sink, so the script prints messages/second and the p95 time from commit to
SMTP delivery. It needs PostgreSQL (the worker shares the database): it creates a throwaway
database `<DATABASE_URL's name>_outbox_bench`, migrates it and drops it at the end.

Run from the repository root:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kd \\
        .venv/bin/python tests/benchmarks/outbox_throughput.py
    ... outbox_throughput.py -n 500 --concurrency 4     # smaller run, more worker children
    ... outbox_throughput.py --rate 50                  # pace commits: latency without a backlog

Without --rate the messages are committed as fast as one process can, so the queue builds up
and the p95 latency mostly measures the backlog; messages/second is then the drain rate.
"""

import argparse
import logging
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import setup_test_environment, teardown_test_environment  # noqa: E402

from notifications.models import OutgoingMessage  # noqa: E402
from notifications.services import notify  # noqa: E402
from tests.integration import harness  # noqa: E402

KIND = "account.password_changed"  # essential, registered everywhere, needs no context


def produce(count: int, rate: float | None) -> dict[int, float]:
    """Commit `count` messages one per transaction; {row id: time.time() right after commit}."""
    committed_at = {}
    started = time.monotonic()
    for number in range(count):
        if rate:
            time.sleep(max(0.0, started + number / rate - time.monotonic()))
        with transaction.atomic():
            # Registered before notify()'s own hook, so it runs first: the stamp is the commit,
            # not the commit plus the publish.
            stamp = {}
            transaction.on_commit(lambda stamp=stamp: stamp.setdefault("at", time.time()))
            row = notify(to=f"bench{number}@example.org", kind=KIND, context={}, key="bench")
        committed_at[row.pk] = stamp["at"]
    return committed_at


def wait_until_sent(ids, timeout: float) -> None:
    pending = OutgoingMessage.objects.filter(pk__in=ids).exclude(status="sent")
    harness.wait_for(lambda: not pending.exists(), timeout=timeout, interval=0.5, what="all sent")


def run(args, directory: Path) -> None:
    redis = harness.RedisServer(directory)
    sink = harness.SmtpSink()
    redis.start()
    sink.start()
    env = harness.service_env(
        database_url=harness.postgres_url(settings.DATABASES["default"]),
        redis_url=redis.url,
        email_url=sink.email_url,
        timings={},  # the production defaults: sweep every 30 s, re-enqueue after 60 s
    )
    worker = harness.worker(env, directory, concurrency=args.concurrency)
    beat = harness.beat(env, directory)
    try:
        worker.launch()
        beat.launch()
        worker.wait_ready(timeout=60)
        beat.wait_ready(timeout=60)
        with harness.publishing_to(redis.url):
            started = time.monotonic()
            committed_at = produce(args.count, args.rate)
            produced = time.monotonic() - started
            wait_until_sent(list(committed_at), timeout=args.timeout)
    finally:
        worker.kill_group()
        beat.kill_group()
        redis.stop()
        sink.stop()
    # A wake-up for a row that is already sent or being sent: the sweep re-enqueues rows that
    # waited in the queue longer than NOTIFICATIONS_REQUEUE_AFTER, which a backlog causes.
    idle_wakeups = worker.log().count(": not-claimed")
    report(args, committed_at, produced, sink.handler.snapshot(), idle_wakeups)


def report(args, committed_at, produced: float, deliveries, idle_wakeups: int) -> None:
    first_arrival = {}
    for delivery in deliveries:
        first_arrival.setdefault(delivery.outbox_id, delivery.received_at)
    latencies = sorted(first_arrival[pk] - committed_at[pk] for pk in committed_at)
    elapsed = max(first_arrival.values()) - min(committed_at.values())
    duplicates = sum(n - 1 for n in Counter(d.outbox_id for d in deliveries).values())
    p50, p95 = (
        statistics.quantiles(latencies, n=100)[49],
        statistics.quantiles(latencies, n=100)[94],
    )
    pacing = f"paced at {args.rate:g}/s" if args.rate else "as fast as one process commits"
    print(f"outbox: {args.count} messages, one per transaction, {pacing}")
    print(f"stack: PostgreSQL + private Redis + worker --concurrency={args.concurrency} (prefork)")
    print(f"committed in {produced:.1f} s ({args.count / produced:.0f} commits/s)")
    print(
        f"delivered {len(first_arrival)} of {args.count} in {elapsed:.1f} s after the first commit"
    )
    print(f"throughput: {args.count / elapsed:.1f} messages/second")
    print(f"commit → SMTP latency: p50 {p50:.2f} s, p95 {p95:.2f} s, max {latencies[-1]:.2f} s")
    print(f"duplicates at the sink: {duplicates}")
    print(f"wake-ups that found nothing to claim: {idle_wakeups}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--count", type=int, default=2000, help="messages to push")
    parser.add_argument("--concurrency", type=int, default=2, help="worker pool children")
    parser.add_argument("--rate", type=float, help="commits per second (default: unpaced)")
    parser.add_argument("--timeout", type=float, default=900, help="seconds to wait for delivery")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("Set DATABASE_URL to a PostgreSQL database: the worker shares it.")
    logging.disable(logging.INFO)  # a line per message otherwise

    db = settings.DATABASES["default"]
    db["TEST"] = {**db.get("TEST", {}), "NAME": f"{db['NAME']}_outbox_bench"}
    setup_test_environment()
    name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        with tempfile.TemporaryDirectory(prefix="outbox-bench-") as directory:
            run(args, Path(directory))
    finally:
        connection.creation.destroy_test_db(name, verbosity=0)
        teardown_test_environment()


if __name__ == "__main__":
    main()
