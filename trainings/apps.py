from django.apps import AppConfig


class TrainingsConfig(AppConfig):
    name = "trainings"
    verbose_name = "Trainings"

    def ready(self):
        from donors.queries import PROFILE_EXTRAS
        from trainings import privacy  # noqa: F401  (registers exporters/erasers)
        from trainings.queries import HISTORY_ROWS, history_rows

        PROFILE_EXTRAS[HISTORY_ROWS] = history_rows
