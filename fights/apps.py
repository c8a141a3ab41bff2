from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FightsConfig(AppConfig):
    name = "fights"
    verbose_name = _("Organizers and fights")

    def ready(self):
        from fights import privacy  # noqa: F401  (registers exporters/erasers)
