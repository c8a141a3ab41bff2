from django.apps import AppConfig


class DonorsConfig(AppConfig):
    name = "donors"
    verbose_name = "Knowledge donors"

    def ready(self):
        from donors import privacy  # noqa: F401  (registers exporters/erasers)
