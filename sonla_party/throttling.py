"""Login throttling per account and per address (django-axes).

Axes counts failures for each lockout parameter (one account from one address; one address across
every account) and locks when the largest count reaches one limit. An address tries many accounts
once each ("password spraying"), so it has its own higher limit (`LOGIN_ADDRESS_FAILURE_LIMIT`):
each count is scaled to the account limit before axes compares, so an address is locked at
exactly its own limit and an account at its own.
"""

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit, get_lockout_parameters
from django.conf import settings
from django.db.models import Sum

ADDRESS_PARAMETER = "ip_address"


def _limit_of(parameter, account_limit: int) -> int:
    return settings.LOGIN_ADDRESS_FAILURE_LIMIT if parameter == ADDRESS_PARAMETER else account_limit


class AddressThrottlingHandler(AxesDatabaseHandler):
    def get_failures(self, request, credentials=None) -> int:
        account_limit = get_failure_limit(request, credentials)
        parameters = get_lockout_parameters(request, credentials)
        scaled = [0]
        for parameter, attempts in zip(parameters, self.get_user_attempts(request, credentials), strict=True):
            failures = attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            # floor(failures × account / limit) reaches `account_limit` exactly when failures reach `limit`
            scaled.append(failures * account_limit // _limit_of(parameter, account_limit))
        return max(scaled)

    def reset_user_attempts(self, request, credentials=None) -> int:
        """A successful sign-in clears that account's failures from that address, never the
        address's count: else one valid account would reset a spraying address's counter."""
        parameters = get_lockout_parameters(request, credentials)
        count = 0
        for parameter, attempts in zip(parameters, self.filter_user_attempts(request, credentials), strict=True):
            if parameter != ADDRESS_PARAMETER:
                count += attempts.delete()[0]
        return count
