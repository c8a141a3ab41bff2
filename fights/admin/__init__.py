"""Staff tools for organizers' data: verify or reject organizations, correct fights and support
requests, edit the guided path's request templates.

Confidential fights, their requests, and organizations known only through them are hidden from
staff without `fights.view_confidential_fight` everywhere the admin reaches: every list, count,
search, filter, related lookup and autocomplete starts from a `for_staff(user)` queryset, and
their change, history and delete pages answer 404, as for an id that does not exist.

Organizers create organizations (with the attestation), fights and requests, and move them
through their states with the services; staff correct what was typed, and verify or reject.
"""

from fights.admin import fights, organizations, templates  # noqa: F401  (registers the admins)
