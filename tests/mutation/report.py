"""Kill rate per module from a finished `mutmut run`, less the mutants known to be equivalent.

`make mutate` runs this after mutmut. It reads mutmut's results under mutants/, re-checks in a
fresh process the survivors of code that runs once at start-up (see STARTUP), subtracts the
mutants listed in mutation-equivalents.txt, prints each module's figures and every surviving
mutant's diff, and exits 1 when a module is below TARGET.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MUTANTS = ROOT / "mutants"
EQUIVALENTS = ROOT / "mutation-equivalents.txt"
TARGET = 90.0

# Functions that run once while Django starts (AppConfig.ready), before mutmut forks a worker
# per mutant: in the worker the registry is already built by the original code, so every
# mutant of them "survives". They are re-run in a fresh process against the tests of the
# functions that read what they built.
STARTUP = {
    "accounts.privacy.x_register_builtin": "accounts.privacy.x_",
    "accounts.privacy.x_register": "accounts.privacy.x_",
}
STARTUP_READERS = ("x_export_user_data", "x_erase_user", "x_registered_models")

KILLED = {1, 3, 24, -24, 36, 152, 255}  # a failing test, a pytest error, or a timeout
SURVIVED = 0


def mutated_paths() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mutmut"]
    return config["only_mutate"]


def load_results(path: str) -> dict[str, int | None]:
    meta = MUTANTS / f"{path}.meta"
    if not meta.exists():
        sys.exit(f"No results for {path}: run `make mutate` (mutmut run) first.")
    return json.loads(meta.read_text())["exit_code_by_key"]


def load_equivalents() -> dict[str, str]:
    reasons = {}
    for line in EQUIVALENTS.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, reason = line.partition(" ")
            reasons[name] = reason.strip()
    return reasons


def function_of(mutant: str) -> str:
    return mutant.rpartition("__mutmut_")[0]


def startup_tests(stats: dict) -> list[str]:
    by_function = stats["tests_by_mangled_function_name"]
    prefix = "accounts.privacy."
    tests = set()
    for reader in STARTUP_READERS:
        tests |= set(by_function.get(prefix + reader, ()))
    return sorted(tests)


def fresh_run(mutant: str, tests: list[str]) -> int:
    env = {**os.environ, "MUTANT_UNDER_TEST": mutant}
    command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:randomly", *tests]
    return subprocess.run(
        command, cwd=MUTANTS, env=env, capture_output=True, check=False
    ).returncode


def killed_in_fresh_process(mutant: str, tests: list[str]) -> bool:
    code = fresh_run(mutant, tests)
    if code not in (0, 1, 3):  # 1: a test failed, 3: start-up (an AppConfig.ready) crashed
        raise RuntimeError(f"pytest could not run the tests for {mutant} (exit code {code})")
    return code != 0


def recheck_startup_survivors(results: dict[str, dict[str, int | None]]) -> None:
    stats = json.loads((MUTANTS / "mutmut-stats.json").read_text())
    tests = startup_tests(stats)
    survivors = [
        (path, mutant)
        for path, codes in results.items()
        for mutant, code in codes.items()
        if code == SURVIVED and function_of(mutant) in STARTUP
    ]
    if not survivors or not tests:
        return
    print(f"Re-checking {len(survivors)} start-up survivors in fresh processes …", flush=True)
    if fresh_run("", tests) != 0:  # a kill must come from the mutant, not from the set-up
        sys.exit(f"The unmutated code fails these tests in a fresh process in mutants/: {tests}")
    with ThreadPoolExecutor(max_workers=int(os.environ.get("MUTATE_CHILDREN", "2"))) as pool:
        verdicts = pool.map(lambda item: killed_in_fresh_process(item[1], tests), survivors)
        for (path, mutant), killed in zip(survivors, verdicts, strict=True):
            if killed:
                results[path][mutant] = 1


def diff_of(mutant: str, path: str) -> str:
    from mutmut.mutation.diff_apply import get_diff_for_mutant

    lines = get_diff_for_mutant(mutant, path=path).splitlines()
    return "\n".join(
        f"      {line}" for line in lines if line[:1] in "+-" and line[:3] not in "+++---"
    )


def main() -> int:
    os.chdir(ROOT)  # mutmut's helpers read pyproject.toml and mutants/ relative to the cwd
    paths = mutated_paths()
    results = {path: load_results(path) for path in paths}
    recheck_startup_survivors(results)
    equivalents = load_equivalents()
    known = {mutant for codes in results.values() for mutant in codes}

    below_target = []
    survivors = []
    print(f"\n{'module':28} {'killed':>7} {'total':>6} {'equiv':>6} {'rate':>7}")
    for path in paths:
        codes = results[path]
        counts = Counter(
            "killed"
            if c in KILLED
            else "equivalent"
            if m in equivalents and c == SURVIVED
            else "open"
            for m, c in codes.items()
        )
        counted = len(codes) - counts["equivalent"]
        rate = 100.0 * counts["killed"] / counted if counted else 100.0
        figures = f"{counts['killed']:>7} {len(codes):>6} {counts['equivalent']:>6}"
        print(f"{path:28} {figures} {rate:>6.1f}%")
        if rate < TARGET:
            below_target.append(path)
        survivors += [
            (path, m) for m, c in codes.items() if c not in KILLED and m not in equivalents
        ]

    if survivors:
        print(f"\nSurviving mutants ({len(survivors)}), not listed as equivalent:")
        for path, mutant in survivors:
            code = results[path][mutant]
            note = "" if code == SURVIVED else f" (exit code {code}: no covering test or not run)"
            print(f"  {mutant}{note}")
            print(diff_of(mutant, path))
    stale = sorted(set(equivalents) - known)
    killed_but_listed = sorted(
        m for path in paths for m, c in results[path].items() if m in equivalents and c in KILLED
    )
    for mutant in stale:
        print(f"warning: {EQUIVALENTS.name} lists {mutant}, which no longer exists")
    for mutant in killed_but_listed:
        print(f"warning: {EQUIVALENTS.name} lists {mutant}, but a test kills it")
    if below_target:
        print(f"\nBelow the {TARGET:.0f} % target: {', '.join(below_target)}")
        return 1
    print(f"\nEvery module kills at least {TARGET:.0f} % of its non-equivalent mutants.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
