from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "guanwei.orgs"
    verbose_name = "组织机构"
