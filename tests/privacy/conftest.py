"""Hypothesis profiles for the fuzz tests: ``HYPOTHESIS_PROFILE=ci`` (CI: 1,000 examples per form)
or ``dev`` (the default for ``make test`` on a laptop: 100). The per-form counts are printed in
the terminal summary."""

import os

from hypothesis import HealthCheck, settings

COMMON = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
    "database": None,
}
settings.register_profile("ci", max_examples=1000, **COMMON)
settings.register_profile("dev", max_examples=100, **COMMON)
FUZZ_PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "dev")
if FUZZ_PROFILE not in ("ci", "dev"):
    FUZZ_PROFILE = "dev"

FUZZ_COUNTS: dict[str, int] = {}


def pytest_terminal_summary(terminalreporter):
    if FUZZ_COUNTS:
        terminalreporter.write_sep("-", f"fuzz examples per form (profile {FUZZ_PROFILE})")
        for name, count in sorted(FUZZ_COUNTS.items()):
            terminalreporter.write_line(f"{name:40} {count:6d}")
