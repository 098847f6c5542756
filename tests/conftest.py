import pytest


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def pytest_collection_modifyitems(items):
    """Transactional tests (browser, worker integration) flush the database afterwards, which also
    removes the reference data loaded by migrations (the 342 municipalities, policy versions).
    Serialized rollback restores it before each such test, whatever ran before."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker and marker.kwargs.get("transaction") and "serialized_rollback" not in marker.kwargs:
            item.add_marker(pytest.mark.django_db(*marker.args, **marker.kwargs, serialized_rollback=True))
