"""`.env.example` is the one list of settings a deployer reads: it must match config/settings.py."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ENV_READERS = {"env_str", "env_bool", "env_int", "env_float", "env_list", "getenv", "get"}


def names_read_by_settings() -> set[str]:
    """First string argument of every env_*() / os.getenv() / os.environ.get() call, and
    every os.environ[...] subscript, in config/settings.py."""
    tree = ast.parse((ROOT / "config" / "settings.py").read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.args:
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if called in ENV_READERS and isinstance(node.args[0], ast.Constant):
                names.add(node.args[0].value)
        if isinstance(node, ast.Subscript) and ast.unparse(node.value) == "os.environ":
            names.add(ast.literal_eval(node.slice))
    return {name for name in names if isinstance(name, str) and name.isupper()}


def names_documented() -> set[str]:
    text = (ROOT / ".env.example").read_text()
    return set(re.findall(r"^#? ?([A-Z][A-Z0-9_]*)=", text, flags=re.MULTILINE))


def test_env_example_documents_every_variable_settings_read():
    assert names_read_by_settings() - names_documented() == set()


def test_env_example_documents_no_variable_settings_ignore():
    assert names_documented() - names_read_by_settings() == set()


def test_env_example_finds_the_core_variables():
    """Guards the parser above: if it silently found nothing, the two tests would pass."""
    assert {"DEBUG", "SECRET_KEY", "DATABASE_URL", "REDIS_URL", "EMAIL_URL"} <= (
        names_read_by_settings() & names_documented()
    )
