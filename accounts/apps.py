from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        from accounts import privacy
        from config import checks  # noqa: F401  registers the kd.W00x deployment checks

        privacy.register_builtin()
