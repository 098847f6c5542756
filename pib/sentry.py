"""Error tracking with sentry-sdk, only when ``SENTRY_DSN`` is set (pib/settings.py calls ``init``).

Guarantees: no event, transaction or breadcrumb leaves the process with a BSN or a name in it.
``before_send``/``before_send_transaction``/``before_breadcrumb`` run ``pib.scrub.scrub`` over the
whole payload (every elfproef-valid nine-digit number becomes ``[bsn]``, every name/address/identity
field ``[verwijderd]``; tests/pib/test_scrub.py proves it with generated BSNs). On top of that the
SDK is told not to collect what it would have to scrub: no default PII (user names, e-mail, IP,
cookies), no request bodies, no local variables in stack frames.
"""

from __future__ import annotations

from .scrub import scrub


def before_send(event, hint):
    return scrub(event)


def before_breadcrumb(crumb, hint):
    return scrub(crumb)


def options(dsn: str, environment: str = "production", traces_sample_rate: float = 0.0) -> dict:
    """The arguments for ``sentry_sdk.init`` (a function, so tests can use them with their own transport)."""
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    return {
        "dsn": dsn,
        "environment": environment,
        "integrations": [DjangoIntegration(), CeleryIntegration()],
        "send_default_pii": False,
        "max_request_body_size": "never",
        "include_local_variables": False,
        "traces_sample_rate": traces_sample_rate,
        "before_send": before_send,
        "before_send_transaction": before_send,
        "before_breadcrumb": before_breadcrumb,
    }


def init(dsn: str, environment: str = "production", traces_sample_rate: float = 0.0) -> None:
    import sentry_sdk

    sentry_sdk.init(**options(dsn, environment, traces_sample_rate))
