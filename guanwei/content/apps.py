from django.apps import AppConfig


class ContentConfig(AppConfig):
    name = "guanwei.content"
    verbose_name = "稿件与报送"

    def ready(self) -> None:
        from guanwei.content.access import register_rules

        register_rules()  # who may see posts, material, files (orgs.access.get_for)
