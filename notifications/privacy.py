"""The outbox and preferences in the export/erase registry.

Export leaves out `context`: until a mail is sent it may hold verification or reset links,
which are credentials, not data about the person. Export and erasure take the same rows:
`OutgoingMessage.objects.for_user` (sent for the account, or unlinked and addressed to one of
the person's verified addresses).
"""

from accounts.privacy import register
from notifications.models import NotificationPreference, OutgoingMessage

register(
    OutgoingMessage,
    rows=lambda u: OutgoingMessage.objects.for_user(u),
    exclude=("context",),
)
register(NotificationPreference, rows=lambda u: NotificationPreference.objects.filter(user=u))
