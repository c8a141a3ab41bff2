from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "matching"
    verbose_name = "Matching"

    def ready(self):
        from matching import privacy  # noqa: F401  (registers exporters/erasers)
