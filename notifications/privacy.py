"""The outbox and preferences in the export/erase registry.

Export leaves out `context`: until a mail is sent it may hold verification or reset links,
which are credentials, not data about the person. Delivery bookkeeping (the dedup key,
attempts, claim and retry times, the last SMTP error) says nothing about the person and is
left out too; a mail's kind is given by its name. Export and erasure take the same rows:
`OutgoingMessage.objects.for_user` (sent for the account, or unlinked and addressed to one of
the person's verified addresses).
"""

from accounts.privacy import register
from notifications import kinds
from notifications.models import NotificationPreference, OutgoingMessage


def kind_label(row) -> str:
    return kinds.get_kind(row.kind).label if kinds.is_registered(row.kind) else row.kind


register(
    OutgoingMessage,
    rows=lambda u: OutgoingMessage.objects.for_user(u),
    exclude=("context",),
    internal=(
        "user",
        "key",
        "attempts",
        "next_attempt_at",
        "last_error",
        "claimed_at",
        "updated_at",
    ),
    section="Emails we sent you",
    values={"kind": kind_label},
)
register(
    NotificationPreference,
    rows=lambda u: NotificationPreference.objects.filter(user=u),
    internal=("user",),
    section="Your email preferences",
    values={"kind": kind_label},
)
