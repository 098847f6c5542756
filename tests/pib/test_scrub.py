"""No BSN and no name leaves the process in a log line or an error report (pib/scrub.py, pib/sentry.py).

The BSNs are generated (hypothesis): every elfproef-valid nine-digit number, placed anywhere in a
Sentry-shaped event (message, exception value, breadcrumbs, request URL and query string, tags,
extra, nested lists), written plain, with dots or with spaces, must be gone after ``before_send``;
so must every name field. A real sentry_sdk client with a capturing transport proves the same for
an exception raised with a BSN in its message.
"""

import json

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from pib.scrub import BSN_MARK, REMOVED, scrub, scrub_text
from pib.sentry import before_breadcrumb, before_send
from pib.validators import is_valid_bsn


@st.composite
def bsns(draw):
    digits = draw(st.lists(st.integers(0, 9), min_size=8, max_size=8))
    weighted = sum(d * w for d, w in zip(digits, range(9, 1, -1), strict=True))
    last = weighted % 11
    if last > 9:  # no check digit makes this one valid: change the first digit and retry
        digits[0] = (digits[0] + 1) % 10
        weighted = sum(d * w for d, w in zip(digits, range(9, 1, -1), strict=True))
        last = weighted % 11
    value = "".join(map(str, digits)) + str(last)
    if last > 9 or not is_valid_bsn(value):
        value = "111222333"
    return value


def written(bsn: str, style: int) -> str:
    return (bsn, f"{bsn[:4]}.{bsn[4:6]}.{bsn[6:]}", f"{bsn[:4]} {bsn[4:6]} {bsn[6:]}")[style]


NAME_KEYS = ["first_names", "last_name", "prefix", "contact_name", "username", "name", "Voornamen", "email"]


def event_with(bsn_text: str, name: str) -> dict:
    return {
        "message": f"Persoon {bsn_text} niet gevonden",
        "logentry": {"message": "Persoon %s", "params": [bsn_text]},
        "exception": {
            "values": [
                {
                    "type": "ValueError",
                    "value": f"bsn={bsn_text}",
                    "stacktrace": {"frames": [{"function": "f", "vars": {"bsn": bsn_text, "x": [bsn_text]}}]},
                }
            ]
        },
        "request": {
            "url": f"https://elip.example.nl/zoek/?q={bsn_text}",
            "query_string": f"bsn={bsn_text}&naam={name}",
            "data": {"first_names": name, "nested": {"last_name": name, "note": f"{bsn_text}"}},
            "headers": {"Referer": f"/x/{bsn_text}/"},
        },
        "user": {"id": 7, "username": name, "email": f"{name}@example.nl"},
        "breadcrumbs": {"values": [{"message": f"SELECT … WHERE bsn = '{bsn_text}'", "data": {"name": name}}]},
        "extra": {"person": {"first_names": name, "prefix": "van", "contact_name": name}, "count": 3},
        "tags": {"bsn": bsn_text},
    }


@settings(max_examples=300, deadline=None)
@given(bsn=bsns(), style=st.integers(0, 2), name=st.sampled_from(["Fatima", "Jan", "Ahmed", "Olga"]))
def test_before_send_drops_every_valid_bsn_and_every_name_field(bsn, style, name):
    assert is_valid_bsn(bsn)
    cleaned = before_send(event_with(written(bsn, style), name), hint={})
    text = json.dumps(cleaned)
    assert bsn not in text and written(bsn, style) not in text
    assert name not in text
    assert cleaned["extra"]["count"] == 3  # the rest of the event stays useful
    assert cleaned["exception"]["values"][0]["type"] == "ValueError"


@settings(max_examples=200, deadline=None)
@given(bsn=bsns())
def test_a_bsn_as_an_int_or_inside_words_is_dropped(bsn):
    assume(int(bsn) >= 10_000_000)  # as an int, 8 or 9 digits: smaller ints are no BSN-shaped value
    assert scrub({"n": int(bsn)})["n"] == BSN_MARK and int(bsn) not in scrub([int(bsn)])
    assert bsn not in scrub_text(f"a{bsn}b /p/{bsn}?x={bsn}#")


@pytest.mark.parametrize(
    "text",
    ["123456789", "1234567890", "12345678", "2023-06-14", "ELIP-20230614-AB12CD34", "GM0363", "€ 10.000,00"],
)
def test_other_numbers_stay(text):
    assert not is_valid_bsn(text) or len(text) != 9
    assert scrub_text(text) == text


def test_breadcrumbs_and_names_in_nested_lists():
    crumb = before_breadcrumb({"data": {"rows": [{"last_name": "Jansen", "bsn": "111222333"}]}}, hint={})
    assert crumb == {"data": {"rows": [{"last_name": REMOVED, "bsn": REMOVED}]}}


def test_a_real_sentry_client_sends_nothing_personal():
    """sentry_sdk with the project's options and a transport that keeps the envelopes."""
    import sentry_sdk
    from sentry_sdk.transport import Transport

    from pib import sentry

    sent = []
    # Built at run time: the event's source context quotes this file's lines (program text, not data).
    first, last, username = "Fat" + "ima", "El " + "Amrani", "fatima" + ".el.amrani"
    bsn, dotted = "111" + "222333", "1234" + ".56.782"

    class Keep(Transport):
        def capture_envelope(self, envelope):
            sent.append(envelope.serialize().decode("utf-8", "replace"))

    options = sentry.options("https://public@sentry.example.invalid/1", environment="test")
    client = sentry_sdk.Client(**options, transport=Keep)
    with sentry_sdk.isolation_scope() as scope:
        scope.set_client(client)
        scope.set_user({"id": 5, "username": username})
        scope.set_extra("person", {"first_names": first, "last_name": last})
        sentry_sdk.add_breadcrumb(message=f"opened person {bsn}")
        try:
            raise ValueError(f"BSN {bsn} / {dotted} weigert")
        except ValueError:
            sentry_sdk.capture_exception()
        client.flush(timeout=5)
    assert sent, "the client sent no event"
    payload = "\n".join(sent)
    assert "ValueError" in payload and BSN_MARK in payload
    for secret in (bsn, dotted, first, last, username):
        assert secret not in payload, secret
