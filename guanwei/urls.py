from django.contrib import admin
from django.urls import include, path

from guanwei.api.router import api
from guanwei.publishing import views as publishing_views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("screening/", include("guanwei.screening.urls")),
    path("content/", include("guanwei.content.urls")),
    path("review/", include("guanwei.workflow.urls")),
    path("publishing/", include("guanwei.publishing.urls")),
    path("oversight/", include("guanwei.oversight.urls")),
    path("notices/", include("guanwei.notify.urls")),
    path("interaction/", include("guanwei.interaction.urls")),
    path("site/<slug:org>/<slug:channel>/", publishing_views.site_file, name="site_index"),
    path(
        "site/<slug:org>/<slug:channel>/<path:path>", publishing_views.site_file, name="site_file"
    ),
    # the rooms' pages at the root, as they always were
    path("", include("guanwei.orgs.urls")),
    path("", include("guanwei.channels.urls")),
    path("", include("guanwei.packs.urls")),
    path("", include("guanwei.audit.urls")),
    path("", include("guanwei.web.urls")),
]
