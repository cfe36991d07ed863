"""Lockout after repeated failed logins (django-axes), counted two ways at once.

Per account, whatever the address: guessing one account's password from many addresses (a
botnet, a phone that changes networks) locks the account after `AXES_FAILURE_LIMIT` failures.
Per address, whatever the account: trying many accounts from one address locks the address
after `HUHANG_LOGIN_ADDRESS_FAILURE_LIMIT` failures (higher, because a street office shares one
address). A name that is no account is counted like any other, so the lockout never tells
whether an account exists.

A successful login clears only its own account's count: clearing the address's count too (axes'
default) would let anyone with one valid account wipe out the failures it caused on another.
"""

from __future__ import annotations

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import QuerySet, Sum


def _failures(attempts: QuerySet) -> int:
    return attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0


class AccountAndAddressHandler(AxesDatabaseHandler):
    def get_failures(self, request, credentials=None) -> int:
        # One queryset per entry of settings.AXES_LOCKOUT_PARAMETERS: ["username", "ip_address"].
        per_account, per_address = (
            _failures(qs) for qs in self.get_user_attempts(request, credentials)
        )
        # axes compares one number with AXES_FAILURE_LIMIT: a locked address answers "at the
        # limit" whatever its account's own count.
        if per_address >= settings.HUHANG_LOGIN_ADDRESS_FAILURE_LIMIT:
            return max(per_account, settings.AXES_FAILURE_LIMIT)
        return per_account

    def reset_user_attempts(self, request, credentials=None) -> int:
        username = get_client_username(request, credentials)
        deleted, _ = AccessAttempt.objects.filter(username=username).delete()
        return deleted
