from django.apps import AppConfig


class VaultConfig(AppConfig):
    name = "guanwei.vault"
    verbose_name = "保险库"

    def ready(self) -> None:
        from guanwei.vault import checks  # noqa: F401  (registers the system check)
