from django.apps import AppConfig, apps


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        from accounts import privacy
        from config import checks  # noqa: F401  registers the kd.W00x deployment checks

        privacy.register_builtin()
        # allauth's app is also called "Accounts": the admin index showed two such sections.
        # Its one model here is the sign-in addresses, so the section says that.
        apps.get_app_config("account").verbose_name = "Sign-in addresses"
