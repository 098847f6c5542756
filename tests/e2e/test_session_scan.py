"""The session scan's own check: it finds a BSN standing alone and ignores digit runs inside hashes."""

from tests.e2e.conftest import bsn_like_numbers


def test_a_bsn_standing_alone_is_found_in_any_shape_a_session_holds_it():
    assert bsn_like_numbers('{"bsn": "123456782"}') == {"123456782"}
    assert bsn_like_numbers('{"zoek": [123456782, "x"]}') == {"123456782"}
    assert bsn_like_numbers("bsn=123456782;") == {"123456782"}


def test_digit_runs_inside_a_hash_are_not_a_bsn():
    # a sha256 hex digest (as _auth_user_hash) whose digits happen to pass the elfproef
    assert bsn_like_numbers('{"_auth_user_hash": "ab123456782cd0f9"}') == set()
    assert bsn_like_numbers("1234567820") == set()
