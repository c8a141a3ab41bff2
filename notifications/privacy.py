"""The outbox and preferences in the export/erase registry.

Export leaves out `context`: until a mail is sent it may hold verification or reset links,
which are credentials, not data about the person. Erasure deletes the person's rows and every
row addressed to one of their addresses, linked to the account or not.
"""

from accounts.privacy import register
from notifications.models import NotificationPreference, OutgoingMessage

register(
    OutgoingMessage,
    rows=lambda u: OutgoingMessage.objects.for_user(u),
    exclude=("context",),
)
register(NotificationPreference, rows=lambda u: NotificationPreference.objects.filter(user=u))
