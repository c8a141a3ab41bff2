from django.apps import AppConfig


class TrainingsConfig(AppConfig):
    name = "trainings"
    verbose_name = "Trainings"

    def ready(self):
        from trainings import privacy  # noqa: F401  (registers exporters/erasers)
