import pytest

from tests.conftest import load_reference_data

try:  # the aiosmtpd fixture: tests/smtp.py once it moved there, tests/mijnduo/conftest.py before
    from tests.smtp import smtp_server  # noqa: F401
except ImportError:  # pragma: no cover - depends on the merge order
    from tests.mijnduo.conftest import smtp_server  # noqa: F401


@pytest.fixture(autouse=True)
def _reference_data(db):
    load_reference_data()
