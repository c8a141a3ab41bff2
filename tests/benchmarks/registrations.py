"""Benchmark (not a test): many people register for the same training at once, over HTTP.

Starts gunicorn (gthread workers) on a throwaway PostgreSQL database
(`<DATABASE_URL's name>_registrations_bench`), creates a training with `--seats` seats and
`--people` signed-in users, then fires one POST to /trainings/<slug>/register/ per person, all at
once from `--concurrency` client threads. It prints how many were confirmed and waitlisted (read
back from the database), how many requests failed (anything but the redirect a registration
answers), whether the training was overbooked, and the p50/p95/max latency.

Mail: with REDIS_URL set, gunicorn runs the production settings (config.settings) and each
request only queues its confirmation in the outbox and publishes a wake-up to that Redis, as on
the real stack (no worker runs, so nothing is sent; the database is dropped afterwards). Without
it, mail is rendered and "sent" inline to the in-memory backend after each commit
(tests/settings.py), which adds that work to every request.

Run from the repository root (`make bench` runs it after the matching benchmark):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kd \\
        .venv/bin/python tests/benchmarks/registrations.py --people 500 --seats 50
"""

import argparse
import http.client
import logging
import os
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment, teardown_test_environment  # noqa: E402

from accounts.models import User  # noqa: E402
from tests.factories import TrainingFactory  # noqa: E402
from trainings.models import Registration  # noqa: E402

REDIS_URL = os.environ.get("REDIS_URL", "")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def session_cookies(users) -> list[str]:
    """A signed-in session per user (stored in the database, so gunicorn accepts it) and a
    CSRF secret sent both as the cookie and as the form's token."""
    cookies = []
    for user in users:
        client = Client()
        client.force_login(user)
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        csrf = secrets.token_hex(16)  # 32 characters: an unmasked secret Django accepts
        cookies.append((f"{settings.SESSION_COOKIE_NAME}={session}; csrftoken={csrf}", csrf))
    return cookies


def start_gunicorn(database_url: str, port: int, workers: int, threads: int):
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "config.settings" if REDIS_URL else "tests.settings",
        "SECRET_KEY": settings.SECRET_KEY,  # the sessions below were signed with it
        "SECURE_SSL_REDIRECT": "false",
        "LOG_LEVEL": "WARNING",
    }
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "config.wsgi",
        f"--bind=127.0.0.1:{port}",
        f"--workers={workers}",
        f"--threads={threads}",
        "--worker-class=gthread",
        "--log-level=warning",
    ]
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("gunicorn did not start")


def register_once(port, path, cookie, csrf, start: threading.Event):
    start.wait()
    began = time.perf_counter()
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
        body = urlencode({"csrfmiddlewaretoken": csrf})
        conn.request(
            "POST",
            path,
            body=body,
            headers={
                "Cookie": cookie,
                "Content-Type": "application/x-www-form-urlencoded",
                "Host": "127.0.0.1",
            },
        )
        response = conn.getresponse()
        # A registration redirects to the training's page; anything else is an error.
        location = response.getheader("Location", "")
        status = response.status if location.endswith(path.removesuffix("register/")) else location
        conn.close()
    except OSError as error:
        status = type(error).__name__
    return status, (time.perf_counter() - began) * 1000


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=500)
    parser.add_argument("--seats", type=int, default=50)
    parser.add_argument("--concurrency", type=int, default=500, help="client threads")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn processes")
    parser.add_argument("--threads", type=int, default=8, help="threads per gunicorn process")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("This benchmark needs PostgreSQL: set DATABASE_URL=postgres://…")
    logging.disable(logging.WARNING)
    setup_test_environment()
    connection.settings_dict["TEST"]["NAME"] = (
        f"{connection.settings_dict['NAME']}_registrations_bench"
    )
    test_db = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    server = None
    try:
        training = TrainingFactory(capacity=args.seats, slug="bench-training")
        users = User.objects.bulk_create(
            User(email=f"bench{n}@example.org", display_name=f"Bench {n}")
            for n in range(args.people)
        )
        cookies = session_cookies(users)
        params = connection.settings_dict
        database_url = (
            f"postgres://{params['USER']}:{params['PASSWORD'] or ''}@{params['HOST']}:"
            f"{params['PORT'] or 5432}/{test_db}"
        )
        port = free_port()
        server = start_gunicorn(database_url, port, args.workers, args.threads)
        path = f"/trainings/{training.slug}/register/"
        start = threading.Event()
        with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
            futures = [
                pool.submit(register_once, port, path, cookie, csrf, start)
                for cookie, csrf in cookies
            ]
            time.sleep(0.5)  # every thread is waiting at the start line
            began = time.perf_counter()
            start.set()
            results = [future.result() for future in futures]
            elapsed = time.perf_counter() - began
        statuses = [status for status, _ in results]
        latencies = [ms for _, ms in results]
        counts = {
            status: Registration.objects.filter(training=training, status=status).count()
            for status in ("confirmed", "waitlisted")
        }
        errors = sum(status != 302 for status in statuses)
        print(
            f"{args.people} concurrent registrations over HTTP for {args.seats} seats "
            f"(gunicorn {args.workers} workers x {args.threads} threads, "
            f"{args.concurrency} client threads, PostgreSQL; mail "
            f"{'queued for a worker via Redis' if REDIS_URL else 'rendered inline'})"
        )
        print(
            f"confirmed {counts['confirmed']}, waitlisted {counts['waitlisted']}, "
            f"errors {errors}{' ' + str(sorted(set(statuses) - {302})) if errors else ''}; "
            f"overbooked: {'YES' if counts['confirmed'] > args.seats else 'no'}"
        )
        print(
            f"latency p50 {statistics.median(latencies):.0f} ms, "
            f"p95 {percentile(latencies, 95):.0f} ms, max {max(latencies):.0f} ms; "
            f"{len(results) / elapsed:.0f} registrations/s over {elapsed:.1f} s; "
            f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
        )
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        connection.close()
        connection.creation.destroy_test_db(test_db, verbosity=0)
        teardown_test_environment()


if __name__ == "__main__":
    main()
