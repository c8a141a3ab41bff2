"""Rendered fragments reused for as long as what they show is unchanged, keyed by that content.

A fragment (the body of a volunteer's profile, say) is kept in this process under a key holding
everything it shows: the database rows it is rendered from, exactly as they came, and whatever
else the caller names. Any change (a form save, a staff edit in the admin, a training marking
attendance, a renamed skill inside the rows' JSON) makes a different key, so nothing needs
invalidating and an edit shows on the next request; a person erased simply stops being asked
for. The language, script prefix, time zone and day are part of every key (dates and "paused
until" read relative to today). Nothing is kept with DEBUG on (templates change under
`make run`) or across a change of settings.
"""

import contextlib

from django.conf import settings
from django.core.signals import setting_changed
from django.urls import get_script_prefix
from django.utils import timezone
from django.utils.translation import get_language

# About 5 KB each: a few thousand people's fragments in a few tens of megabytes per process.
LIMIT = 5000
_kept: dict = {}


def render_once(key: tuple, render):
    """`render()`, or what it gave before for the same `key` (which must hold all it shows)."""
    if settings.DEBUG:
        return render()
    key = (*key, get_language(), get_script_prefix(), timezone.get_current_timezone_name())
    key += (timezone.localdate(),)
    try:
        return _kept[key]
    except KeyError:
        pass
    except TypeError:  # a value that cannot be part of a key (a decoded list): not kept
        return render()
    html = render()
    if len(_kept) >= LIMIT:
        with contextlib.suppress(RuntimeError, StopIteration):  # another thread's change
            _kept.pop(next(iter(_kept)), None)  # the oldest first
    _kept[key] = html
    return html


def clear(**kwargs) -> None:
    _kept.clear()


setting_changed.connect(clear)
