"""Login and logout, with each attempt in the audit trail (django-axes counts the failures)."""

from __future__ import annotations

from django.contrib.auth import views as auth_views

from huhang.core.audit import audit_record
from huhang.core.models import AuditAction


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        audit_record(by=self.request.user, action=AuditAction.LOGIN)
        return response

    def form_invalid(self, form):
        username = (form.data.get("username") or "")[:150]
        audit_record(by=username, action=AuditAction.LOGIN_FAILED)
        return super().form_invalid(form)


class LogoutView(auth_views.LogoutView):
    def post(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            audit_record(by=request.user, action=AuditAction.LOGOUT)
        return super().post(request, *args, **kwargs)
