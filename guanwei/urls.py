from django.contrib import admin
from django.urls import include, path

from guanwei.api.router import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("screening/", include("guanwei.screening.urls")),
    path("content/", include("guanwei.content.urls")),
    path("review/", include("guanwei.workflow.urls")),
    path("publishing/", include("guanwei.publishing.urls")),
    path("oversight/", include("guanwei.oversight.urls")),
    path("", include("guanwei.web.urls")),
]
