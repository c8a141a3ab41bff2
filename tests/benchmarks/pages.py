"""Benchmark (not a test): are the app's pages as fast as a stock Django page?

Builds, beside the app, a stock twin (tests/benchmarks/stock/: `startproject` settings for Django
5.2 with the default middleware, database sessions, a base and a child template, and Django's own
LoginView on that base), each in its own throwaway database on the same PostgreSQL server
(`<DATABASE_URL's name>_pages_app`, `..._pages_stock`), both with DEBUG off. The app's database
gets the demo data (`seed_demo --force`: 50 volunteers, a staff login, fights). Then, for each
page and its twin, it measures both the same way, alternating them in one run:

- server time: Django's test client in a long-lived process per side (each with its own
  settings), on the real PostgreSQL, warm; the median of `--rounds` x `--batch` requests, the
  two sides taking turns batch by batch (and which goes first alternates);
- req/s over HTTP: gunicorn with 2 sync workers per side on loopback, loaded by `wrk` (Debian's
  `apt-get install wrk`; a small Python loop if it is missing) with 4 connections, in bursts
  of `--http-seconds` that alternate app, twin, twin, app.

It prints per page the two server times, the speed ratio (twin time / app time: 1.0 is as fast
as stock) against the issue's target, and the HTTP req/s of both with their ratio.

| page | twin | target (server time) |
|---|---|---|
| home `/`, `/organizers/` | the child template, signed out | ≥ 0.8x |
| sign-in, sign-up | LoginView | ≥ 0.8x |
| `/profile/` (a volunteer) | the child template, signed in | ≥ 0.5x |
| the staff donor list, 50 rows | the child template, signed in | ≤ 20 ms |

Run from the repository root (`make bench` runs it after the matching benchmark):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kd .venv/bin/python tests/benchmarks/pages.py
    ... pages.py --no-http                   # server time only (quiet on a shared machine)
    ... pages.py --pages donors --rounds 40  # one page, more samples

The machine is usually shared: the HTTP part is short bursts by design; read its figures as a
ratio between neighbours measured in the same minute, not as absolute capacity.
"""

import argparse
import contextlib
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))
ADMIN_DONORS = "/admin/donors/donor/"


@dataclass(frozen=True)
class Page:
    key: str
    label: str
    path: str
    who: str  # "" (signed out), "volunteer" or "staff"
    twin: str
    twin_who: str
    target: str  # "ratio:0.8" or "ms:20"


PAGES = [
    Page("home", "home /", "/", "", "/", "", "ratio:0.8"),
    Page("organizers", "/organizers/", "/organizers/", "", "/", "", "ratio:0.8"),
    Page("signin", "sign-in", "/accounts/login/", "", "/login/", "", "ratio:0.8"),
    Page("signup", "sign-up", "/accounts/signup/", "", "/login/", "", "ratio:0.8"),
    Page("profile", "/profile/", "/profile/", "volunteer", "/signed-in/", "user", "ratio:0.5"),
    Page("donors", "donor list, 50 rows", ADMIN_DONORS, "staff", "/signed-in/", "user", "ms:20"),
]

SIDES = {
    # DJANGO_SETTINGS_MODULE and WSGI module of each side.
    "app": ("config.settings", "config.wsgi"),
    "stock": ("tests.benchmarks.stock.settings", "tests.benchmarks.stock.wsgi"),
}


# --- the parts that run inside a side's own process -------------------------------------------


def django_for(side: str):
    os.environ["DJANGO_SETTINGS_MODULE"] = SIDES[side][0]
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def setup_side(side: str) -> dict:
    """Migrate the side's database, add its data, and sign in its users: their session keys."""
    django_for(side)
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", verbosity=0, interactive=False)
    users = get_user_model().objects
    if side == "app":
        from donors.models import Donor

        call_command("seed_demo", "--force", stdout=open(os.devnull, "w"))  # noqa: SIM115
        if Donor.objects.count() != 50:
            raise SystemExit(f"expected 50 donors, found {Donor.objects.count()}")
        people = {
            "volunteer": users.get(email="volunteer1@example.org"),
            "staff": users.get(email="staff@example.org"),
        }
    else:
        people = {"user": users.create_user("bench", "bench@example.org", "not-used-42")}
    sessions = {}
    for who, user in people.items():
        client = Client()
        client.force_login(user)
        sessions[who] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return {"cookie": settings.SESSION_COOKIE_NAME, "sessions": sessions}


def serve_timings(side: str) -> None:
    """Answer "<who> <path> <n>" lines on stdin with the n server times (ms) as a JSON list."""
    django_for(side)
    from django.test import Client

    setup = json.loads(sys.stdin.readline())
    clients = {"": Client(HTTP_HOST="127.0.0.1")}
    for who, key in setup["sessions"].items():
        clients[who] = Client(HTTP_HOST="127.0.0.1")
        clients[who].cookies[setup["cookie"]] = key
    print("ready", flush=True)
    for line in sys.stdin:
        who, path, count = line.split()
        client = clients["" if who == "-" else who]
        times = []
        for _ in range(int(count)):
            started = time.perf_counter()
            response = client.get(path)
            elapsed = time.perf_counter() - started
            if response.status_code != 200:
                raise SystemExit(f"{side} {path}: {response.status_code} for {who}")
            times.append(elapsed * 1000)
        print(json.dumps(times), flush=True)


# --- the driver ------------------------------------------------------------------------------


def side_env(side: str, database_url: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DEBUG")}
    env |= {
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": SIDES[side][0],
        "SECRET_KEY": "pages-benchmark-only-key",
        "SECURE_SSL_REDIRECT": "false",
        "PYTHONPATH": str(ROOT),
        # whitenoise warns once per process that collectstatic has not run; pages need no files.
        "PYTHONWARNINGS": "ignore:No directory at",
    }
    return env


def database_urls(url: str) -> dict:
    parts = urlsplit(url)
    if not parts.scheme.startswith("postgres"):
        raise SystemExit("pages.py measures on PostgreSQL: set DATABASE_URL=postgres://...")
    name = parts.path.lstrip("/") or "postgres"
    return {
        side: urlunsplit(parts._replace(path=f"/{name}_pages_{side}")) for side in ("app", "stock")
    } | {"admin": urlunsplit(parts._replace(path="/postgres"))}


def recreate_databases(urls: dict, *, drop_only=False) -> None:
    import psycopg2

    connection = psycopg2.connect(urls["admin"])
    connection.autocommit = True
    with connection.cursor() as cursor:
        for side in ("app", "stock"):
            name = urlsplit(urls[side]).path.lstrip("/")
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            if not drop_only:
                cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()


class TimingWorker:
    def __init__(self, side: str, database_url: str, setup: dict):
        self.process = subprocess.Popen(
            [PYTHON, __file__, "--serve", side],
            env=side_env(side, database_url),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        self.process.stdin.write(json.dumps(setup) + "\n")
        self.process.stdin.flush()
        if self.process.stdout.readline().strip() != "ready":
            raise SystemExit(f"the {side} timing process did not start")

    def get(self, who: str, path: str, count: int) -> list[float]:
        self.process.stdin.write(f"{who or '-'} {path} {count}\n")
        self.process.stdin.flush()
        answer = self.process.stdout.readline()
        if not answer:
            raise SystemExit("a timing process stopped (its error is above)")
        return json.loads(answer)

    def close(self):
        self.process.stdin.close()
        self.process.wait(timeout=30)


def server_times(workers: dict, pages: list[Page], rounds: int, batch: int) -> dict:
    results = {}
    for page in pages:
        runs = {"app": (page.who, page.path), "stock": (page.twin_who, page.twin)}
        for side, (who, path) in runs.items():
            workers[side].get(who, path, 5)  # warm: templates compiled, connection open
        samples = {"app": [], "stock": []}
        for n in range(rounds):
            order = ("app", "stock") if n % 2 == 0 else ("stock", "app")
            for side in order:
                samples[side] += workers[side].get(*runs[side], batch)
        results[page.key] = {side: statistics.median(s) for side, s in samples.items()}
    return results


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def gunicorn(side: str, database_url: str, log: Path):
    port = free_port()
    command = [GUNICORN, SIDES[side][1], "--workers", "2", "--worker-class", "sync"]
    command += ["--bind", f"127.0.0.1:{port}", "--forwarded-allow-ips", "", "--log-file", str(log)]
    process = subprocess.Popen(command, env=side_env(side, database_url), cwd=ROOT)
    try:
        wait_until_up(port, process)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)


def wait_until_up(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn stopped; see its log under var/ (port {port})")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.2)
    raise SystemExit("gunicorn did not start within 60 s")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def check_answers_200(url: str, cookie: str) -> None:
    """wrk counts a redirect as a success: make sure the page itself is what gets measured."""
    opener = urllib.request.build_opener(NoRedirect)
    headers = {"Cookie": cookie} if cookie else {}
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 (http on loopback)
    try:
        status = opener.open(request, timeout=10).status
    except urllib.error.HTTPError as error:
        status = error.code
    if status != 200:
        raise SystemExit(f"{url} answered {status}, not 200")


def load(url: str, cookie: str, seconds: int) -> tuple[int, float]:
    """(successful requests, elapsed seconds) of one burst of 4 connections."""
    if shutil.which("wrk"):
        command = ["wrk", "-t1", "-c4", f"-d{seconds}s", url]
        if cookie:
            command += ["-H", f"Cookie: {cookie}"]
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
        total = int(re.search(r"(\d+) requests in ([\d.]+)(m?s)", output).group(1))
        elapsed = re.search(r"requests in ([\d.]+)(m?s)", output)
        elapsed_s = float(elapsed.group(1)) / (1000 if elapsed.group(2) == "ms" else 1)
        bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
        return total - (int(bad.group(1)) if bad else 0), elapsed_s
    return python_load(url, cookie, seconds)


def python_load(url: str, cookie: str, seconds: int) -> tuple[int, float]:
    counts = [0] * 4
    deadline = time.monotonic() + seconds

    def loop(slot):
        headers = {"Cookie": cookie} if cookie else {}
        request = urllib.request.Request(url, headers=headers)  # noqa: S310 (http on loopback)
        while time.monotonic() < deadline:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (loopback)
                response.read()
                counts[slot] += response.status == 200

    started = time.monotonic()
    threads = [threading.Thread(target=loop, args=(slot,)) for slot in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts), time.monotonic() - started


def http_rates(bases: dict, setups: dict, pages: list[Page], seconds: int) -> dict:
    results = {}
    for page in pages:
        runs = {"app": (page.who, page.path), "stock": (page.twin_who, page.twin)}
        targets = {}
        for side, (who, path) in runs.items():
            setup = setups[side]
            cookie = f"{setup['cookie']}={setup['sessions'][who]}" if who else ""
            targets[side] = (bases[side] + path, cookie)
            check_answers_200(*targets[side])
        done = {"app": [0, 0.0], "stock": [0, 0.0]}
        for side in ("app", "stock", "stock", "app"):
            count, elapsed = load(*targets[side], seconds)
            done[side][0] += count
            done[side][1] += elapsed
        results[page.key] = {side: count / elapsed for side, (count, elapsed) in done.items()}
    return results


def verdict(page: Page, app_ms: float, stock_ms: float) -> str:
    kind, value = page.target.split(":")
    if kind == "ms":
        return f"≤ {value} ms: {'met' if app_ms <= float(value) else 'NOT met'}"
    met = stock_ms / app_ms >= float(value)
    return f"≥ {value}x: {'met' if met else 'NOT met'}"


def report(pages: list[Page], times: dict, rates: dict) -> None:
    print()
    head = f"{'page':<24}{'app ms':>8}{'stock ms':>10}{'speed':>8}  {'target':<16}"
    if rates:
        head += f"{'app req/s':>11}{'stock req/s':>13}{'ratio':>7}"
    print(head)
    print("-" * len(head))
    for page in pages:
        app_ms, stock_ms = times[page.key]["app"], times[page.key]["stock"]
        line = f"{page.label:<24}{app_ms:8.2f}{stock_ms:10.2f}{stock_ms / app_ms:7.2f}x  "
        line += f"{verdict(page, app_ms, stock_ms):<16}"
        if rates:
            app_rps, stock_rps = rates[page.key]["app"], rates[page.key]["stock"]
            line += f"{app_rps:11.0f}{stock_rps:13.0f}{app_rps / stock_rps:6.2f}x"
        print(line)
    print()
    print("server time: median per request (test client, warm); speed = stock ms / app ms.")
    if rates:
        print("req/s: gunicorn, 2 sync workers per side, 4 connections; ratio = app / stock.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", help="comma-separated keys: " + ",".join(p.key for p in PAGES))
    parser.add_argument("--rounds", type=int, default=20, help="batches per side and page")
    parser.add_argument("--batch", type=int, default=10, help="requests per batch")
    parser.add_argument("--http-seconds", type=int, default=2, help="seconds per HTTP burst")
    parser.add_argument("--no-http", action="store_true", help="server time only")
    parser.add_argument("--keep", action="store_true", help="keep the two databases afterwards")
    parser.add_argument("--setup", choices=SIDES, help=argparse.SUPPRESS)
    parser.add_argument("--serve", choices=SIDES, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.setup:
        print(json.dumps(setup_side(args.setup)))
        return
    if args.serve:
        serve_timings(args.serve)
        return

    pages = PAGES
    if args.pages:
        wanted = args.pages.split(",")
        pages = [page for page in PAGES if page.key in wanted]
    if not os.environ.get("DATABASE_URL"):
        raise SystemExit("pages.py measures on PostgreSQL: set DATABASE_URL=postgres://...")
    urls = database_urls(os.environ["DATABASE_URL"])
    recreate_databases(urls)
    try:
        run(args, pages, urls)
    finally:
        if not args.keep:
            recreate_databases(urls, drop_only=True)


def run(args, pages: list[Page], urls: dict) -> None:
    setups = {}
    for side in SIDES:
        print(f"setting up the {side} side (migrate, data, sign-ins)…", flush=True)
        output = subprocess.run(
            [PYTHON, __file__, "--setup", side],
            env=side_env(side, urls[side]),
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        if output.returncode:
            raise SystemExit(output.stderr)
        setups[side] = json.loads(output.stdout.strip().splitlines()[-1])
    workers = {side: TimingWorker(side, urls[side], setups[side]) for side in SIDES}
    try:
        print("server time…", flush=True)
        times = server_times(workers, pages, args.rounds, args.batch)
    finally:
        for worker in workers.values():
            worker.close()
    rates = {}
    if not args.no_http:
        print("req/s over HTTP…", flush=True)
        (ROOT / "var").mkdir(exist_ok=True)
        with (
            gunicorn("app", urls["app"], ROOT / "var/bench-gunicorn-app.log") as app,
            gunicorn("stock", urls["stock"], ROOT / "var/bench-gunicorn-stock.log") as stock,
        ):
            rates = http_rates({"app": app, "stock": stock}, setups, pages, args.http_seconds)
    report(pages, times, rates)


if __name__ == "__main__":
    main()
