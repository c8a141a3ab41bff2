"""Staff watch the outbox here: who, what kind, status, attempts, errors and times.

Never bodies, contexts or links: verification and reset links are credentials. The context field
is not in any list, form or export of this admin, and nothing is rendered for preview.
"""

from django.contrib import admin, messages
from django.template.defaultfilters import truncatechars

from config.admin import CheckedLookupsMixin
from notifications import services
from notifications.models import OutgoingMessage

SAFE_FIELDS = (
    "to",
    "user",
    "kind",
    "status",
    "attempts",
    "last_error",
    "created_at",
    "next_attempt_at",
    "claimed_at",
    "sent_at",
    "updated_at",
)


@admin.register(OutgoingMessage)
class OutgoingMessageAdmin(CheckedLookupsMixin, admin.ModelAdmin):
    list_display = ("to", "kind", "status", "attempts", "short_error", "created_at", "sent_at")
    list_filter = ("status", "kind")
    search_fields = ("to",)
    date_hierarchy = "created_at"
    fields = SAFE_FIELDS
    readonly_fields = SAFE_FIELDS
    list_select_related = ("user",)
    actions = ("retry_failed",)

    @admin.display(description="last error")
    def short_error(self, obj):
        return truncatechars(obj.last_error, 80)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # rows change only through delivery and the retry action

    def has_retry_permission(self, request):
        return request.user.has_perm("notifications.change_outgoingmessage")

    @admin.action(description="Retry failed messages", permissions=["retry"])
    def retry_failed(self, request, queryset):
        count = services.retry_failed(queryset)
        self.message_user(
            request,
            f"{count} failed message(s) queued again." if count else "No failed messages selected.",
            messages.SUCCESS if count else messages.WARNING,
        )
