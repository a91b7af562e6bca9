from django.apps import AppConfig


class ScreeningConfig(AppConfig):
    name = "guanwei.screening"
    verbose_name = "内容筛查"

    def ready(self) -> None:
        from guanwei.screening.access import register_rules

        register_rules()  # who may see a lexicon term (orgs.access)
