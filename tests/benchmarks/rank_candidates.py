"""Benchmark (not a test): how fast does matching.scoring.rank_candidates rank a large pool?

Builds a synthetic pool in its own database (`<DATABASE_URL's name>_rank_bench` on PostgreSQL,
SQLite in memory otherwise): donors with 3 to 15 skills each, skill popularity skewed (Zipf-like:
a few skills most people have, a long tail of rare ones), random levels (a few verified by a
training), languages, regions, availability windows, a few paused, vetted or conflicted; open
requests of 1 to 4 skills across fights (some confidential, some needing Spanish); and a history
of matches in every state (so the fairness term and the ask budget have something to count).
Then it counts the skills' rarity as Celery beat does (its time printed apart) and prints, for
`--samples` random requests, the p50 and p95 of rank_candidates (top 20 with explanations) and its
query count, the same for a naive baseline (a Python loop over ORM objects
of the whole matchable pool, `--baseline-samples` requests) with the ratio, and peak memory.

Run from the repository root (`make bench` runs the first line):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kd \\
        .venv/bin/python tests/benchmarks/rank_candidates.py --donors 100000 --requests 10000
    .venv/bin/python tests/benchmarks/rank_candidates.py --donors 5000   # SQLite, smaller

`--keep` leaves the PostgreSQL database in place and a later run (or another benchmark) reuses the
pool when it was built with the same sizes and seed. Other benchmarks import the builder:

    from tests.benchmarks.rank_candidates import bench_database, build_pool
    with bench_database(keep=True):
        request_ids = build_pool(donors=100_000, requests=10_000)
"""

import argparse
import contextlib
import datetime
import io
import json
import logging
import os
import random
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django

django.setup()

from django.core.management.color import no_style  # noqa: E402
from django.db import connection, models  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    setup_test_environment,
    teardown_test_environment,
)
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from donors.models import Conflict, Donor, DonorLanguage, DonorSkill, Skill  # noqa: E402
from fights.models import (  # noqa: E402
    Fight,
    Organization,
    RequestLanguage,
    RequestSkill,
    SupportRequest,
)
from matching import scoring  # noqa: E402
from matching.models import Match  # noqa: E402

REGIONS = ["US-CA", "US-NY", "US-IL", "US-TX", "US-WA", "US-MI", "US-PA", "US-OH"]
EMPLOYERS = [f"bench employer {i}" for i in range(40)]
FIGHTS = 40
BATCH = 10_000  # donors generated and written at a time (keeps the builder's memory flat)
# A history of matches: (status, share of matches); most are over, a few still open.
MATCH_MIX = [
    ("completed", 0.35),
    ("declined", 0.15),
    ("expired", 0.15),
    ("withdrawn", 0.05),
    ("proposed", 0.10),
    ("accepted", 0.10),
    ("active", 0.10),
]


# --- The database --------------------------------------------------------------------------


@contextlib.contextmanager
def bench_database(*, keep=False):
    """Run inside the benchmark's own database: on PostgreSQL `<name>_rank_bench`, kept after
    the block (and reused by the next one) when `keep`; SQLite in memory otherwise."""
    setup_test_environment()
    postgres = connection.vendor == "postgresql"
    name = f"{connection.settings_dict['NAME']}_rank_bench" if postgres else None
    connection.settings_dict["TEST"]["NAME"] = name
    keep = keep and postgres
    test_db = connection.creation.create_test_db(
        verbosity=0, autoclobber=True, keepdb=keep, serialize=False
    )
    try:
        yield test_db
    finally:
        if not keep:
            connection.creation.destroy_test_db(test_db, verbosity=0)
        teardown_test_environment()


# --- Writing many rows fast ------------------------------------------------------------------


def _prepared(field, value):
    if isinstance(field, models.JSONField):
        return json.dumps(value)
    return field.get_db_prep_save(value, connection)


def _defaults(model, columns):
    """The stored value of every column not given (but the id), from one unsaved instance:
    field defaults, auto_now times."""
    instance = model()
    return {
        field.column: _prepared(field, field.pre_save(instance, add=True))
        for field in model._meta.concrete_fields
        if field.column not in columns and not field.primary_key
    }


def _copy_text(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def insert_rows(model, columns, rows):
    """Write `rows` (tuples in the order of `columns`; other columns take their defaults):
    COPY on PostgreSQL, one executemany elsewhere. Ids are given, so no row comes back."""
    defaults = _defaults(model, columns)
    names = [*columns, *defaults]
    tail = tuple(defaults.values())
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            text = "".join("\t".join(_copy_text(v) for v in (*row, *tail)) + "\n" for row in rows)
            cursor.copy_expert(f"COPY {table} ({', '.join(names)}) FROM STDIN", io.StringIO(text))
        else:
            marks = ", ".join(["%s"] * len(names))
            cursor.executemany(
                # Table and column names come from the models, never from input.
                f"INSERT INTO {table} ({', '.join(names)}) VALUES ({marks})",  # noqa: S608
                [(*row, *tail) for row in rows],
            )


def _next_id(model) -> int:
    return (model.objects.aggregate(top=models.Max("pk"))["top"] or 0) + 1


def _reset_sequences(*models_):
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), models_):
            cursor.execute(sql)


# --- The synthetic pool ------------------------------------------------------------------------


def _pool_slug(donors, requests, seed) -> str:
    return f"bench-pool-{donors}-{requests}-{seed}"


def build_pool(*, donors=100_000, requests=10_000, seed=8) -> list[int]:
    """Fill the current database with the synthetic pool and return its open requests' ids, or
    return them straight away when a pool of these sizes and seed is already there (a kept
    `bench_database`). Deterministic for a seed."""
    slug = _pool_slug(donors, requests, seed)
    existing = Organization.objects.filter(slug=slug).first()
    if existing is not None:
        _analyze()  # migrations may have added an index since it was built
        return list(
            SupportRequest.objects.filter(fight__organization=existing)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
    if Organization.objects.filter(slug__startswith="bench-pool-").exists():
        raise SystemExit("The kept benchmark database holds another pool: run once without --keep.")
    rng = random.Random(seed)
    skills = list(Skill.objects.active().order_by("pk").values_list("pk", flat=True))
    rng.shuffle(skills)  # which skills are popular is random, not the taxonomy's order
    donor_ids = _build_donors(donors, skills, rng)
    fights = _build_fights(slug, rng)
    request_ids = _build_requests(requests, fights, skills, rng)
    _build_matches(donor_ids, request_ids, rng)
    _reset_sequences(User, Donor, DonorSkill, DonorLanguage, Conflict, SupportRequest)
    _reset_sequences(RequestSkill, RequestLanguage, Match)
    _analyze()
    return request_ids


def _analyze():
    """Fresh statistics, and the visibility map that index-only scans need (PostgreSQL)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


def _build_donors(count, skills, rng) -> list[int]:
    popularity = [1 / (rank + 1) ** 1.1 for rank in range(len(skills))]
    today = timezone.localdate()
    now = timezone.now()
    user_id, donor_id = _next_id(User), _next_id(Donor)
    first_donor = donor_id
    for start in range(0, count, BATCH):
        users, profiles, held_rows, languages, conflicts = [], [], [], [], []
        for i in range(start, min(count, start + BATCH)):
            users.append((user_id, f"bench{i}@example.org", f"Bench {i}", "!", rng.random() > 0.01))
            window = rng.random() < 0.1
            profiles.append(
                (
                    donor_id,
                    user_id,
                    "US",
                    rng.choice(REGIONS),
                    rng.choice(["remote", "either", "in_person"]),
                    rng.randint(1, 20),
                    rng.randint(1, 3),
                    rng.random() > 0.05,
                    today + datetime.timedelta(days=30) if rng.random() < 0.05 else None,
                    now if rng.random() < 0.05 else None,
                    today + datetime.timedelta(days=rng.randint(-30, 60)) if window else None,
                    today + datetime.timedelta(days=rng.randint(0, 90)) if window else None,
                    rng.random() < 0.1,
                )
            )
            held = set()
            target = rng.randint(3, 15)
            while len(held) < target:
                held.add(rng.choices(skills, popularity)[0])
            for skill_id in held:
                trained = rng.random() < 0.03
                held_rows.append(
                    (
                        donor_id,
                        skill_id,
                        rng.randint(1, 3),
                        now if trained else None,
                        "Bench workshop" if trained else "",
                    )
                )
            languages.append((donor_id, "en"))
            if rng.random() < 0.2:
                languages.append((donor_id, "es"))
            if rng.random() < 0.02:
                employer = rng.choice(EMPLOYERS)
                conflicts.append((donor_id, employer.title(), employer))
            user_id += 1
            donor_id += 1
        insert_rows(User, ["id", "email", "display_name", "password", "is_active"], users)
        insert_rows(
            Donor,
            [
                "id",
                "user_id",
                "country",
                "region",
                "work_mode",
                "weekly_hours",
                "capacity",
                "contact_consent",
                "paused_until",
                "vetted_at",
                "available_from",
                "available_until",
                "on_call",
            ],
            profiles,
        )
        insert_rows(
            DonorSkill, ["donor_id", "skill_id", "level", "trained_at", "trained_in"], held_rows
        )
        insert_rows(DonorLanguage, ["donor_id", "code"], languages)
        insert_rows(Conflict, ["donor_id", "name", "normalized_name"], conflicts)
    return list(range(first_donor, donor_id))


def _build_fights(slug, rng) -> list[Fight]:
    organization = Organization.objects.create(name="Bench local", slug=slug, country="US")
    return Fight.objects.bulk_create(
        Fight(
            organization=organization,
            title=f"Bench fight {i}",
            slug=f"{slug}-{i}",
            kind="strike",
            target_employer=EMPLOYERS[i].title(),
            target_employer_normalized=EMPLOYERS[i],
            country="US",
            region=rng.choice(REGIONS),
            visibility="confidential" if i % 10 == 0 else "public",
        )
        for i in range(FIGHTS)
    )


def _build_requests(count, fights, skills, rng) -> list[int]:
    today = timezone.localdate()
    first = request_id = _next_id(SupportRequest)
    rows, needs, languages = [], [], []
    for i in range(count):
        fight = rng.choice(fights)
        rows.append(
            (
                request_id,
                fight.pk,
                f"Request {i}",
                "open",
                today + datetime.timedelta(days=rng.randint(1, 60)),
                rng.randint(2, 60),
                rng.randint(1, 3),
                rng.choice(["remote", "remote", "either", "in_person"]),
                rng.choice(REGIONS),
                "US",
            )
        )
        needs += [
            (request_id, s, rng.random() < 0.6, rng.randint(1, 3))
            for s in rng.sample(skills, rng.randint(1, 4))
        ]
        if rng.random() < 0.1:
            languages.append((request_id, "es"))
        request_id += 1
    insert_rows(
        SupportRequest,
        [
            "id",
            "fight_id",
            "title",
            "status",
            "needed_by",
            "hours_estimate",
            "helpers_needed",
            "work_mode",
            "region",
            "country",
        ],
        rows,
    )
    insert_rows(RequestSkill, ["request_id", "skill_id", "required", "min_level"], needs)
    insert_rows(RequestLanguage, ["request_id", "code"], languages)
    return list(range(first, request_id))


def _build_matches(donor_ids, request_ids, rng):
    """About one match per two donors, over the last 90 days; one open match per pair."""
    now = timezone.now()
    statuses = [status for status, _share in MATCH_MIX]
    shares = [share for _status, share in MATCH_MIX]
    pairs, rows = set(), []
    for _ in range(len(donor_ids) // 2):
        pair = (rng.choice(request_ids), rng.choice(donor_ids))
        if pair in pairs:
            continue
        pairs.add(pair)
        status = rng.choices(statuses, shares)[0]
        answered = now - datetime.timedelta(days=rng.uniform(0, 90))
        rows.append((*pair, status, None if status == "proposed" else answered))
    insert_rows(Match, ["request_id", "donor_id", "status", "answered_at"], rows)


# --- Measuring ---------------------------------------------------------------------------------


def naive_rank(support_request, limit=20):
    """The baseline: every matchable donor as an ORM object, scored in a Python loop (skills
    only: it is a floor for the naive way, not the whole rule)."""
    needs = list(support_request.request_skills.all())
    scored = []
    donors = Donor.objects.matchable().prefetch_related("donor_skills")
    for donor in donors.iterator(chunk_size=2000):
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


def traced_peak_mb(function, request_ids) -> float:
    """The most memory Python held at once while `function` ranked these requests."""
    tracemalloc.start()
    for pk in request_ids:
        function(SupportRequest.objects.select_related("fight").get(pk=pk))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--donors", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--baseline-samples", type=int, default=3)
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--keep", action="store_true", help="keep (and reuse) the database")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    with bench_database(keep=args.keep):
        started = time.perf_counter()
        request_ids = build_pool(donors=args.donors, requests=args.requests, seed=args.seed)
        print(
            f"{connection.vendor}: {Donor.objects.count()} donors, {len(request_ids)} open "
            f"requests, {Match.objects.count()} matches; built or reused in "
            f"{time.perf_counter() - started:.0f} s; peak RSS so far {peak_rss_mb():.0f} MB"
        )
        sample = random.Random(args.seed).sample(request_ids, min(args.samples, len(request_ids)))
        started = time.perf_counter()
        scoring.refresh_rarity()  # as Celery beat does before the cached count expires
        print(
            f"skills' rarity counted (Celery beat's matching.refresh_rarity) in "
            f"{(time.perf_counter() - started) * 1000:.0f} ms"
        )
        times, queries = timed(scoring.rank_candidates, sample)
        print(
            f"rank_candidates top 20, {len(sample)} requests: p50 {percentile(times, 50):.1f} ms, "
            f"p95 {percentile(times, 95):.1f} ms, max {max(times):.1f} ms, "
            f"queries per call {sorted(queries)}"
        )
        print(
            f"  Python memory while ranking 20 requests (tracemalloc peak): "
            f"{traced_peak_mb(scoring.rank_candidates, sample[:20]):.1f} MB; "
            f"process peak RSS {peak_rss_mb():.0f} MB"
        )
        baseline_sample = sample[: args.baseline_samples]
        if baseline_sample:
            naive, _ = timed(naive_rank, baseline_sample)
            ours = statistics.median(times[: len(baseline_sample)])
            print(
                f"naive ORM loop, {len(baseline_sample)} requests: p50 "
                f"{statistics.median(naive):.1f} ms; ratio {statistics.median(naive) / ours:.0f}x "
                f"(against rank_candidates on the same requests, {ours:.1f} ms)"
            )
        print(f"peak RSS of this process, naive loop included: {peak_rss_mb():.0f} MB")


if __name__ == "__main__":
    sys.stdout.reconfigure(line_buffering=True)
    main()
