"""One bundling mechanism: the render batches build the bundles (no poller beside them).

Guarantee: after a run, every municipality with letters has exactly one bundle with all its
letters, merged exactly once — by the render batch that finished last — however many batches
its letters were split into; a batch that finishes while letters still wait merges nothing.
"""

import datetime as dt
from decimal import Decimal

import pytest

from elip.services.weekly_run import weekly_run
from letters import services as letter_services
from letters.models import Letter, LetterBundle, RenderStatus
from tests.elip.factories import enrol
from tests.pib.factories import PersonFactory, municipality

pytestmark = pytest.mark.django_db
RUN = dt.date(2023, 6, 14)


def candidate(code):
    return PersonFactory(loan_used=Decimal("8000"), term_end=dt.date(2024, 1, 1), municipality=municipality(code))


def test_each_municipality_is_merged_once_by_its_last_render_batch(
    settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.LETTER_BATCH_SIZE = 2  # GM0363: 5 letters in 3 render batches; GM0014: 1 letter, 1 batch
    enrol("GM0363")
    enrol("GM0014")
    for code in ("GM0363",) * 5 + ("GM0014",):
        candidate(code)
    merged = []
    real_merge = letter_services.merge_pdfs

    def counting_merge(files):
        files = list(files)
        merged.append(len(files))
        return real_merge(files)

    monkeypatch.setattr(letter_services, "merge_pdfs", counting_merge)
    with django_capture_on_commit_callbacks(execute=True):
        run = weekly_run(run_date=RUN)
    assert sorted(merged) == [1, 5]  # one merge per municipality, each with all its letters
    assert not Letter.objects.filter(dispatch=run.dispatch).exclude(render_status=RenderStatus.RENDERED).exists()
    bundles = dict(
        LetterBundle.objects.filter(dispatch=run.dispatch).values_list("municipality__code", "letters_count")
    )
    assert bundles == {"GM0363": 5, "GM0014": 1}

    # Run again (same date): nothing new, nothing merged again.
    with django_capture_on_commit_callbacks(execute=True):
        weekly_run(run_date=RUN)
    assert sorted(merged) == [1, 5]
    assert LetterBundle.objects.filter(dispatch=run.dispatch).count() == 2
