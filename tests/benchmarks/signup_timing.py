"""Benchmark (not a test): does sign-up with a registered address answer faster than a new one?

With enumeration prevention allauth answers "check your inbox" either way; accounts.forms.SignupForm
hashes a throwaway password on the registered-address path so that both paths cost one hash. This
script measures it end to end through Django's test client, with Django's real default hasher
(PBKDF2), against a throwaway test database (SQLite in memory, or test_<name> on PostgreSQL when
DATABASE_URL is set), and prints the two medians.

Run from the repository root:

    .venv/bin/python tests/benchmarks/signup_timing.py            # 40 sign-ups per path
    .venv/bin/python tests/benchmarks/signup_timing.py -n 100
    .venv/bin/python tests/benchmarks/signup_timing.py --allauth-form   # without the dummy hash
    .venv/bin/python tests/benchmarks/signup_timing.py --fast-hasher    # cost apart from hashing
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kd \\
        .venv/bin/python tests/benchmarks/signup_timing.py

The two kinds of request are interleaved, in alternating order, so that drift (CPU frequency,
other processes) hits both alike; the median of the paired differences is the steadiest figure
on a busy machine.
The rate-limit cache is cleared before every request so no request is cut short by a limit.
"""

import argparse
import logging
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django

django.setup()

from django.conf import global_settings  # noqa: E402
from django.contrib.auth.hashers import get_hasher  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import setup_test_environment, teardown_test_environment  # noqa: E402

PASSWORD = "a long and unusual passphrase 42"
TAKEN = "already-registered@example.org"


def sign_up(email: str) -> float:
    cache.clear()
    client = Client()
    data = {"email": email, "password1": PASSWORD, "password2": PASSWORD}
    started = time.perf_counter()
    response = client.post("/accounts/signup/", data)
    elapsed = time.perf_counter() - started
    if response.status_code != 302 or response["Location"] != "/accounts/confirm-email/":
        raise SystemExit(f"unexpected answer for {email}: {response.status_code}")
    return elapsed * 1000


def measure(rounds: int, warmup: int) -> tuple[list[float], list[float]]:
    sign_up(TAKEN)  # registers the address the "existing" path signs up with
    for n in range(warmup):
        sign_up(f"warmup-{n}@example.org")
        sign_up(TAKEN)
    new, existing = [], []
    for n in range(rounds):
        # Alternate which path goes first, so neither always follows the other.
        if n % 2:
            existing.append(sign_up(TAKEN))
            new.append(sign_up(f"new-{n}@example.org"))
        else:
            new.append(sign_up(f"new-{n}@example.org"))
            existing.append(sign_up(TAKEN))
    return new, existing


def summary(label: str, samples: list[float]) -> str:
    q1, median, q3 = statistics.quantiles(samples, n=4)
    return f"{label} median {median:7.1f} ms   (quartiles {q1:.1f} to {q3:.1f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--rounds", type=int, default=40, help="sign-ups per path")
    parser.add_argument("--warmup", type=int, default=3, help="unmeasured rounds first")
    parser.add_argument(
        "--allauth-form",
        action="store_true",
        help="use allauth's own SignupForm (no dummy hash) to see the gap it leaves",
    )
    parser.add_argument(
        "--fast-hasher",
        action="store_true",
        help="hash with MD5 to see what the two paths cost apart from hashing",
    )
    args = parser.parse_args()
    logging.disable(logging.INFO)  # mail delivery logs a line per sign-up

    overrides = {"PASSWORD_HASHERS": global_settings.PASSWORD_HASHERS}
    if args.fast_hasher:
        overrides["PASSWORD_HASHERS"] = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    if args.allauth_form:
        overrides["ACCOUNT_FORMS"] = {}
    setup_test_environment()
    test_db = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        with override_settings(**overrides):
            hasher = get_hasher("default")
            new, existing = measure(args.rounds, args.warmup)
    finally:
        connection.creation.destroy_test_db(test_db, verbosity=0)
        teardown_test_environment()

    form = "allauth's SignupForm" if args.allauth_form else "accounts.forms.SignupForm"
    iterations = getattr(hasher, "iterations", None)
    print(f"hasher: {hasher.algorithm}" + (f" ({iterations} iterations)" if iterations else ""))
    print(f"form: {form}; database: {connection.vendor}; {args.rounds} sign-ups per path")
    print(summary("new address:       ", new))
    print(summary("registered address:", existing))
    difference = statistics.median(existing) - statistics.median(new)
    paired = statistics.median(e - n for e, n in zip(existing, new, strict=True))
    print(f"difference of medians (registered - new): {difference:+.1f} ms")
    print(f"median of paired differences:             {paired:+.1f} ms")


if __name__ == "__main__":
    main()
