"""Benchmark (not a test): how fast does matching.scoring.rank_candidates rank a large pool?

Builds a synthetic pool in a throwaway database (`<DATABASE_URL's name>_rank_bench` on
PostgreSQL, SQLite in memory otherwise): donors with 3 to 15 skills each, skill popularity
skewed (Zipf-like: a few skills most people have, a long tail of rare ones), random levels,
languages, regions, a few paused; and open requests of 1 to 4 skills. Then it prints, for
`--samples` random requests, the p50 and p95 of rank_candidates (top 20 with explanations) and
its query count, the same for a naive baseline (a Python loop over ORM objects of the whole
matchable pool, `--baseline-samples` requests) with the ratio, and the peak memory.

Run from the repository root (`make bench` runs the first line):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kd \\
        .venv/bin/python tests/benchmarks/rank_candidates.py --donors 100000 --requests 10000
    .venv/bin/python tests/benchmarks/rank_candidates.py --donors 5000   # SQLite, smaller
"""

import argparse
import datetime
import logging
import os
import random
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    setup_test_environment,
    teardown_test_environment,
)
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from donors.models import Donor, DonorLanguage, DonorSkill, Skill  # noqa: E402
from fights.models import Fight, Organization, RequestSkill, SupportRequest  # noqa: E402
from matching import scoring  # noqa: E402

REGIONS = ["US-CA", "US-NY", "US-IL", "US-TX", "US-WA", "US-MI", "US-PA", "US-OH"]
BATCH = 5000


def build_pool(donors: int, requests: int, rng: random.Random) -> list[int]:
    skills = list(Skill.objects.active().values_list("pk", flat=True))
    popularity = [1 / (rank + 1) ** 1.1 for rank in range(len(skills))]
    for start in range(0, donors, BATCH):
        size = min(BATCH, donors - start)
        users = User.objects.bulk_create(
            User(email=f"bench{start + i}@example.org", display_name=f"Bench {start + i}")
            for i in range(size)
        )
        profiles = Donor.objects.bulk_create(
            Donor(
                user=user,
                country="US",
                region=rng.choice(REGIONS),
                work_mode=rng.choice(["remote", "either", "in_person"]),
                weekly_hours=rng.randint(1, 20),
                capacity=rng.randint(1, 3),
                contact_consent=rng.random() > 0.05,
                paused_until=timezone.localdate() + datetime.timedelta(days=30)
                if rng.random() < 0.05
                else None,
            )
            for user in users
        )
        rows, languages = [], []
        for donor in profiles:
            held = set()
            while len(held) < rng.randint(3, 15):
                held.add(rng.choices(skills, popularity)[0])
            rows += [DonorSkill(donor=donor, skill_id=s, level=rng.randint(1, 3)) for s in held]
            languages.append(DonorLanguage(donor=donor, code="en"))
            if rng.random() < 0.2:
                languages.append(DonorLanguage(donor=donor, code="es"))
        DonorSkill.objects.bulk_create(rows)
        DonorLanguage.objects.bulk_create(languages)
    organization = Organization.objects.create(name="Bench local", slug="bench", country="US")
    fight = Fight.objects.create(
        organization=organization,
        title="Bench strike",
        slug="bench",
        kind="strike",
        target_employer="Bench Corp",
        target_employer_normalized="bench corp",
        country="US",
        region="US-CA",
    )
    today = timezone.localdate()
    made = SupportRequest.objects.bulk_create(
        SupportRequest(
            fight=fight,
            title=f"Request {i}",
            status="open",
            needed_by=today + datetime.timedelta(days=rng.randint(1, 60)),
            hours_estimate=rng.randint(2, 60),
            helpers_needed=rng.randint(1, 3),
            work_mode=rng.choice(["remote", "remote", "either", "in_person"]),
            region=rng.choice(REGIONS),
            country="US",
        )
        for i in range(requests)
    )
    RequestSkill.objects.bulk_create(
        RequestSkill(
            request=r, skill_id=s, required=rng.random() < 0.6, min_level=rng.randint(1, 3)
        )
        for r in made
        for s in rng.sample(skills, rng.randint(1, 4))
    )
    return [r.pk for r in made]


def naive_rank(support_request, limit=20):
    """The baseline: every matchable donor as an ORM object, scored in a Python loop."""
    needs = list(support_request.request_skills.all())
    scored = []
    for donor in Donor.objects.matchable().prefetch_related("donor_skills"):
        levels = {ds.skill_id: ds.level for ds in donor.donor_skills.all()}
        points = sum(
            scoring.skill_credit(levels.get(n.skill_id), n.min_level) * (2 if n.required else 1)
            for n in needs
        )
        covers = all(levels.get(n.skill_id, 0) >= n.min_level for n in needs if n.required)
        if points:
            scored.append((not covers, -points, donor.pk))
    return sorted(scored)[:limit]


def timed(function, request_ids):
    times, queries = [], set()
    for pk in request_ids:
        support_request = SupportRequest.objects.select_related("fight").get(pk=pk)
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            function(support_request)
            times.append((time.perf_counter() - started) * 1000)
        queries.add(len(captured.captured_queries))
    return times, queries


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--donors", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--baseline-samples", type=int, default=5)
    parser.add_argument("--seed", type=int, default=8)
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    rng = random.Random(args.seed)
    setup_test_environment()
    connection.settings_dict["TEST"]["NAME"] = (
        f"{connection.settings_dict['NAME']}_rank_bench"
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
        sample = rng.sample(request_ids, min(args.samples, len(request_ids)))
        times, queries = timed(scoring.rank_candidates, sample)
        print(
            f"rank_candidates top 20, {len(sample)} requests: p50 {percentile(times, 50):.1f} ms, "
            f"p95 {percentile(times, 95):.1f} ms, queries per call {sorted(queries)}"
        )
        baseline_sample = sample[: args.baseline_samples]
        naive, _ = timed(naive_rank, baseline_sample)
        ours = statistics.median(times[: len(baseline_sample)])
        print(
            f"naive ORM loop, {len(baseline_sample)} requests: p50 "
            f"{statistics.median(naive):.1f} ms; ratio {statistics.median(naive) / ours:.1f}x"
        )
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak memory of this process: {peak:.0f} MB (pool building included)")
    finally:
        connection.creation.destroy_test_db(test_db, verbosity=0)
        teardown_test_environment()


if __name__ == "__main__":
    main()
