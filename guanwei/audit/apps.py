from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "guanwei.audit"
    verbose_name = "审计日志"
