"""config.fragments: a fragment is reused only for the very same key, never with DEBUG on."""

from config import fragments


def counting_render():
    calls = []

    def render():
        calls.append(1)
        return f"html {len(calls)}"

    return render, calls


def test_render_once_same_key_renders_once(settings):
    settings.DEBUG = False  # a settings change also empties what was kept
    render, calls = counting_render()

    assert [fragments.render_once(("k", 1), render) for _ in range(3)] == ["html 1"] * 3
    assert fragments.render_once(("k", 2), render) == "html 2"
    assert len(calls) == 2


def test_render_once_with_debug_renders_every_time(settings):
    settings.DEBUG = True
    render, calls = counting_render()

    fragments.render_once(("k", 1), render)
    fragments.render_once(("k", 1), render)

    assert len(calls) == 2


def test_render_once_when_full_forgets_the_oldest(settings, monkeypatch):
    settings.DEBUG = False
    monkeypatch.setattr(fragments, "LIMIT", 2)
    render, calls = counting_render()

    for key in ("a", "b", "c", "a"):
        fragments.render_once((key,), render)

    assert len(calls) == 4  # "a" was the oldest when "c" came


def test_render_once_with_an_unhashable_key_renders_and_keeps_nothing(settings):
    settings.DEBUG = False
    render, calls = counting_render()

    fragments.render_once(("k", ["a list"]), render)
    fragments.render_once(("k", ["a list"]), render)

    assert len(calls) == 2
