"""Fixtures that run the outbox on the real stack: PostgreSQL, a private Redis, a Celery worker and
beat (real settings, shortened timings) and an SMTP sink. See harness.py for the pieces.

The worker is a separate process, so it must see committed data in a real database: these tests
need DATABASE_URL pointing to PostgreSQL and `django_db(transaction=True)`. Without PostgreSQL or
redis-server they skip on a laptop and fail under CI=true (tests.conftest.require).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from tests.conftest import require
from tests.integration import harness


@dataclass
class Stack:
    directory: Path
    redis: harness.RedisServer
    sink: harness.SinkHandler
    env: dict
    processes: list[harness.CeleryProcess] = field(default_factory=list)

    def start_worker(self, name: str) -> harness.CeleryProcess:
        process = harness.worker(self.env, self.directory, name=name)
        self.processes.append(process)
        process.start()
        return process

    def kill(self) -> None:
        for process in self.processes:
            process.kill_group()

    def logs(self) -> str:
        return "\n\n".join(
            f"--- {process.log_path.name}\n{process.log_tail(60)}" for process in self.processes
        )


@pytest.fixture
def stack(transactional_db, tmp_path):
    """Redis + SMTP sink + worker (concurrency 2) + beat, with this process publishing to Redis.

    Depends on transactional_db so the worker and beat stop before the database is flushed.
    """
    require(
        connection.vendor == "postgresql",
        "integration tests need DATABASE_URL pointing to PostgreSQL (the worker shares the DB)",
    )
    require(shutil.which(harness.REDIS_SERVER), "redis-server missing: apt-get install redis")
    redis = harness.RedisServer(tmp_path)
    sink = harness.SmtpSink()
    redis.start()
    sink.start()
    env = harness.service_env(
        database_url=harness.postgres_url(settings.DATABASES["default"]),
        redis_url=redis.url,
        email_url=sink.email_url,
    )
    services = Stack(directory=tmp_path, redis=redis, sink=sink.handler, env=env)
    worker = harness.worker(env, tmp_path, name="w1")
    beat = harness.beat(env, tmp_path)
    services.processes += [worker, beat]
    try:
        worker.launch()
        beat.launch()
        worker.wait_ready()
        beat.wait_ready()
        with harness.publishing_to(redis.url):
            yield services
    finally:
        services.kill()  # nothing to wait for: the test is over and the database gets flushed
        redis.stop()
        sink.stop()
        print(services.logs())  # shown by pytest only when the test failed
