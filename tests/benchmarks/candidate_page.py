"""Benchmark (not a test): the staff candidate page's server time and query count at scale.

Builds the synthetic pool of `rank_candidates.py` (its `build_pool`: skewed skill popularity,
3 to 15 skills per donor) in a throwaway database (`<DATABASE_URL's name>_page_bench` on
PostgreSQL, SQLite in memory otherwise), signs a Staff-group member in with the test client and
requests `/staff/matching/requests/<id>/candidates/` for `--samples` random open requests, after
one warm-up request. Prints p50 and p95 of the server time (the whole request through the
middleware, the view, ranking and the template) and the query counts seen, without and with a
filter. The count must be the same at every pool size.

Run from the repository root (`make bench` runs it after rank_candidates.py):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kd \\
        .venv/bin/python tests/benchmarks/candidate_page.py --donors 100000 --requests 10000
    .venv/bin/python tests/benchmarks/candidate_page.py --donors 5000   # SQLite, smaller
"""

import argparse
import logging
import os
import random
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django

django.setup()

from django.contrib.auth.models import Group  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    setup_test_environment,
    teardown_test_environment,
)
from django.urls import reverse  # noqa: E402

from accounts.models import User  # noqa: E402
from tests.benchmarks.rank_candidates import build_pool, percentile  # noqa: E402


def staff_client() -> Client:
    staff = User.objects.create(email="bench-staff@example.org", is_staff=True)
    staff.groups.add(Group.objects.get(name="Staff"))
    client = Client()
    client.force_login(staff)
    return client


def timed_pages(client, request_ids, query=None):
    times, queries = [], set()
    for pk in request_ids:
        url = reverse("matching_staff:candidates", kwargs={"pk": pk})
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url, query)
            times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
        queries.add(len(captured.captured_queries))
    return times, queries


def report(label, times, queries):
    print(
        f"candidate page {label}, {len(times)} requests: p50 {percentile(times, 50):.1f} ms, "
        f"p95 {percentile(times, 95):.1f} ms, queries per page {sorted(queries)}"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--donors", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--samples", type=int, default=50)
    parser.add_argument("--seed", type=int, default=8)
    args, _ignored = parser.parse_known_args()  # make bench passes rank_candidates' flags too
    logging.disable(logging.WARNING)
    rng = random.Random(args.seed)
    setup_test_environment()
    connection.settings_dict["TEST"]["NAME"] = (
        f"{connection.settings_dict['NAME']}_page_bench"
        if connection.vendor == "postgresql"
        else None
    )
    test_db = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        started = time.perf_counter()
        request_ids = build_pool(args.donors, args.requests, rng)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        print(
            f"{connection.vendor}: {args.donors} donors, {args.requests} requests, "
            f"built in {time.perf_counter() - started:.0f} s"
        )
        client = staff_client()
        sample = rng.sample(request_ids, min(args.samples, len(request_ids)))
        timed_pages(client, sample[:1])  # warm-up: templates, permissions, connection
        report("(no filter)", *timed_pages(client, sample))
        report("(remote, level 2+)", *timed_pages(client, sample, {"remote": "1", "min_level": 2}))
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak memory of this process: {peak:.0f} MB (pool building included)")
    finally:
        connection.creation.destroy_test_db(test_db, verbosity=0)
        teardown_test_environment()


if __name__ == "__main__":
    main()
