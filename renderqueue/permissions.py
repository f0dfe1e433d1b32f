"""Who may see and who may steer the dashboard."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

MANAGE_PERMISSION = "renderqueue.manage_render_queue"

View = Callable[..., HttpResponse]


def staff_required(view: View) -> View:
    """Anonymous users go to the login page; logged-in non-staff get 403."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.is_staff:
            raise PermissionDenied("The render queue dashboard is for staff.")
        return view(request, *args, **kwargs)

    return wrapper


def manager_required(view: View) -> View:
    """Staff who also hold "Can manage the render queue"; others may look but not press."""

    @staff_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.has_perm(MANAGE_PERMISSION):
            raise PermissionDenied("You need the “Can manage the render queue” permission.")
        return view(request, *args, **kwargs)

    return wrapper


def can_manage(request: HttpRequest) -> bool:
    return bool(request.user.is_authenticated and request.user.has_perm(MANAGE_PERMISSION))
