"""Pure parts of a push: payload size, Topic, Retry-After and what each HTTP status means."""

import json
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from volunteers.push.delivery import MAX_PAYLOAD_BYTES, build_message, classify, fit_payload, parse_retry_after, topic

AT = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)


def test_a_payload_that_fits_is_left_alone():
    payload = fit_payload(title="Morgen", body="Sprachcafé, 10 Uhr", url="/me/shifts", tag="t")
    assert payload.decode() == (
        '{"title":"Morgen","body":"Sprachcafé, 10 Uhr","url":"/me/shifts","tag":"t","lang":"de"}'
    )


@pytest.mark.parametrize("body", ["ä" * 5000, 'Zitat "' * 1000, "x" * 5000, "😀" * 2000])
def test_a_long_body_is_cut_to_the_largest_start_that_fits(body):
    payload = fit_payload(title="Änderung", body=body, url="/me/shifts", tag="t")
    assert MAX_PAYLOAD_BYTES - 8 <= len(payload) <= MAX_PAYLOAD_BYTES


@pytest.mark.parametrize("locale, lang", [(None, "de"), ("ar", "ar"), ("uk", "uk")])
def test_the_push_names_the_language_its_texts_are_in(locale, lang):
    notification = SimpleNamespace(
        id=4, kind="reminder", title="T", body="B", url="/", tag="t", dedupe_key=None, expires_at=None
    )
    notification.user = SimpleNamespace(locale=locale)
    message = build_message(notification=notification, at=AT)
    assert json.loads(message.payload)["lang"] == lang


def test_topic_is_short_url_safe_and_one_per_key():
    assert topic("reminder-24h:shift:12:user:7") == topic("reminder-24h:shift:12:user:7")
    assert topic("reminder-24h:shift:12:user:7") != topic("reminder-2h:shift:12:user:7")
    assert len(topic("x" * 500)) == 32 and "=" not in topic("a")


@pytest.mark.parametrize(
    "value, delay",
    [
        ("120", timedelta(seconds=120)),
        ("0", timedelta(0)),
        ("999999", timedelta(days=1)),
        ("Sun, 29 Mar 2026 00:45:00 GMT", timedelta(minutes=15)),
        ("Sat, 28 Mar 2026 23:00:00 GMT", timedelta(0)),  # in the past: at once
        ("bald", None),
        ("", None),
        (None, None),
        ("-5", None),
    ],
)
def test_retry_after_in_seconds_or_as_http_date(value, delay):
    assert parse_retry_after(value, at=AT) == delay


@pytest.mark.parametrize(
    "status, outcome",
    [
        (200, "delivered"),
        (201, "delivered"),
        (202, "delivered"),
        (404, "gone"),
        (410, "gone"),
        (429, "retry"),
        (500, "retry"),
        (503, "retry"),
        (301, "failed"),
        (400, "failed"),
        (403, "failed"),
        (413, "failed"),
    ],
)
def test_what_each_status_means(status, outcome):
    result = classify(7, "fcm.googleapis.com", status, None, at=AT)
    assert (result.outcome, result.status_code, result.subscription_id) == (outcome, status, 7)


@pytest.mark.parametrize(
    "kind, starts_in, urgency, ttl",
    [
        ("reminder", timedelta(hours=2), "high", 2 * 3600),
        ("reminder", timedelta(hours=26), "normal", 26 * 3600),
        ("staffing_call", timedelta(hours=1), "normal", 3600),
        ("shift_cancelled", timedelta(minutes=90), "high", 5400),
        ("reminder", timedelta(days=60), "normal", 28 * 24 * 3600),  # at most 4 weeks
        ("reminder", timedelta(seconds=20), "high", 60),  # at least a minute
        ("staffing_call", None, "normal", 24 * 3600),  # no expiry: a day
    ],
)
def test_urgency_and_ttl_follow_kind_and_expiry(kind, starts_in, urgency, ttl):
    notification = SimpleNamespace(
        id=3,
        kind=kind,
        title="T",
        body="B",
        url="/",
        tag="t",
        dedupe_key=None,
        expires_at=AT + starts_in if starts_in else None,
        user=SimpleNamespace(locale=None),
    )
    message = build_message(notification=notification, at=AT)
    assert (message.headers["Urgency"], message.ttl) == (urgency, ttl)
    assert message.headers["Topic"] == topic("notification:3")
