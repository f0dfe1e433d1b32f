from __future__ import annotations

from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

admin.site.site_header = "renderqueue administration"
admin.site.site_url = "/"  # the admin's "View site" link opens the live dashboard

urlpatterns = [
    path("admin/", admin.site.urls),
    path("django-rq/", include("django_rq.urls")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("renderqueue.urls")),
    *static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT),
]
