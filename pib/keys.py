"""The two secrets of the portal and when they are too weak to run on.

``SECRET_KEY`` signs sessions and CSRF tokens; ``READLOG_KEY`` keys the HMAC of BSNs in the read
log (``pib.readlog.bsn_hash``). They are separate so that neither leaks the other, and so that the
read log's hashes survive a rotation of ``SECRET_KEY``.

Guarantee: with ``DEBUG`` off the portal does not start (``manage.py check``, ``runserver``,
``migrate`` and the WSGI application used by gunicorn all refuse) while either key is missing, is
the committed demo key, or is weak (shorter than 50 characters, fewer than 5 distinct characters,
Django's ``django-insecure-`` prefix), or when both keys are the same. Pure functions only: no
Django import, so ``pib.settings`` can use them too.
"""

DEMO_SECRET_KEY = "embedded-demo-only-not-secret-4f1c9e0b7a2d4c7e9b1a3f5d6e8c0b2a"  # noqa: S105 - public on purpose
DEMO_READLOG_KEY = "embedded-demo-only-readlog-key-9d2e7b4c1a6f3e8d5c0b7a2f4e6d8c1b"
DEMO_KEYS = frozenset({DEMO_SECRET_KEY, DEMO_READLOG_KEY})
MIN_LENGTH = 50
MIN_UNIQUE = 5


def key_problem(value: str) -> str:
    """Why ``value`` may not be used as a production key ("" when it may)."""
    if not value:
        return "is niet gezet"
    if value in DEMO_KEYS:
        return "is de openbare demo-sleutel uit de broncode"
    if value.startswith("django-insecure-"):
        return "is een onveilige ontwikkelsleutel (django-insecure-)"
    if len(value) < MIN_LENGTH or len(set(value)) < MIN_UNIQUE:
        return f"is te zwak (minstens {MIN_LENGTH} tekens, {MIN_UNIQUE} verschillende)"
    return ""


def production_key_errors(*, debug: bool, secret_key: str, readlog_key: str) -> list[str]:
    """One sentence per reason the keys may not run a production portal (none with DEBUG on)."""
    if debug:
        return []
    errors = []
    for name, value in (("SECRET_KEY", secret_key), ("READLOG_KEY", readlog_key)):
        problem = key_problem(value)
        if problem:
            errors.append(
                f"{name} {problem}. Zet een eigen, willekeurige sleutel in de omgeving (of DEBUG=true lokaal)."
            )
    if secret_key and secret_key == readlog_key:
        errors.append("SECRET_KEY en READLOG_KEY zijn gelijk; gebruik twee verschillende sleutels.")
    return errors
