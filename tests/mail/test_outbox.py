"""The mail outbox and the worker's mail pass: a queued mail goes out only once its transaction
committed, is sent once even by several workers at once, comes back within a minute when its
worker died, is retried with backoff when the mail server fails and given up after MAX_ATTEMPTS;
a sent or given-up mail leaves no row, and the log names neither address nor body."""

import logging
import socket
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.mail.mailbox import mails_written
from tests.push.test_workers import run_in_threads
from volunteers.core import time
from volunteers.extensions import db
from volunteers.mail.models import OutgoingMail
from volunteers.mail.services import forget_mails_to, queue_mail
from volunteers.mail.worker import LEASE, MAX_ATTEMPTS, claim_mail, send_due_mails
from volunteers.push.worker import send_due

SECRET_LINK = "https://treffpunkt.example/password/reset/geheim"


def queue(n: int = 1) -> None:
    for i in range(n):
        queue_mail(to=f"person{i}@example.org", subject=f"Betreff {i}", body=f"Hallo {i}\n{SECRET_LINK}/{i}\n")
    db.session.commit()


def rows() -> list:
    """The outbox as committed, read in a transaction of its own (a worker pass begins its own)."""
    db.session.rollback()
    mail = OutgoingMail
    found = db.session.execute(
        sa.select(mail.recipient, mail.attempts, mail.locked_until, mail.next_attempt_at).order_by(mail.id)
    ).all()
    db.session.rollback()
    return found


@pytest.fixture
def mail_server_down(app):
    """MAIL_SERVER names a port on which nothing listens: every send fails."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_USE_TLS=False)


def test_a_pass_sends_each_due_mail_and_forgets_it(app):
    queue(3)
    assert send_due_mails() == {"mail_sent": 3}
    mails = mails_written(app)
    assert [m["To"] for m in mails] == ["person0@example.org", "person1@example.org", "person2@example.org"]
    assert mails[1]["Subject"] == "Betreff 1" and f"{SECRET_LINK}/1" in mails[1].get_content()
    assert rows() == []
    assert send_due_mails() == {}


def test_the_reminder_worker_pass_sends_the_mails_too(app):
    queue(2)
    result = app.test_cli_runner().invoke(args=["reminders", "send-due"])
    assert result.exit_code == 0, result.output
    assert "mail_sent=2" in result.output
    assert len(mails_written(app)) == 2
    queue(1)
    assert send_due()["mail_sent"] == 1


def test_a_rolled_back_transaction_mails_nothing(app):
    queue_mail(to="niemand@example.org", subject="Nie", body="Nie")
    db.session.rollback()
    assert send_due_mails() == {}
    assert rows() == [] and mails_written(app) == []


def test_a_pass_stops_at_its_limit(app):
    queue(5)
    assert send_due_mails(limit=2) == {"mail_sent": 2}
    assert len(rows()) == 3


def test_concurrent_workers_send_each_mail_once(app):
    queue(30)

    def work_until_empty():
        while send_due_mails(limit=3):
            pass

    assert run_in_threads(app, work_until_empty, workers=4) == []
    recipients = sorted(m["To"] for m in mails_written(app))
    assert recipients == sorted(f"person{i}@example.org" for i in range(30))
    assert rows() == []


def test_a_dead_workers_claim_comes_back_within_a_minute(app):
    queue(1)
    claim = claim_mail()  # ... and the worker dies before it sends
    assert claim is not None and claim.lease - time.now() <= timedelta(minutes=1)
    assert send_due_mails() == {}, "claimed by another worker, which may still be sending"
    with time.freeze(claim.lease + timedelta(seconds=1)):
        assert send_due_mails() == {"mail_sent": 1}
    assert len(mails_written(app)) == 1 and rows() == []


def test_a_mail_its_workers_keep_dying_on_is_given_up(app, caplog):
    queue(1)
    at = time.now()
    for _ in range(MAX_ATTEMPTS):
        with time.freeze(at):
            assert claim_mail() is not None
        at += LEASE + timedelta(seconds=1)
    with time.freeze(at), caplog.at_level(logging.INFO):
        assert send_due_mails() == {"mail_given_up": 1}
    assert rows() == [] and mails_written(app) == []
    assert "given up" in caplog.text


def test_a_failing_mail_server_is_retried_with_backoff_then_given_up(app, mail_server_down, caplog):
    queue(1)
    at, delays = time.now(), []
    with caplog.at_level(logging.INFO):
        for attempt in range(1, MAX_ATTEMPTS + 1):
            with time.freeze(at):
                assert send_due_mails() == {"mail_retry" if attempt < MAX_ATTEMPTS else "mail_given_up": 1}
                assert send_due_mails() == {}, "not due again at once"
            if attempt < MAX_ATTEMPTS:
                [row] = rows()
                assert row.attempts == attempt and row.locked_until is None
                delays.append(row.next_attempt_at - at)
                at = row.next_attempt_at
    assert delays == [timedelta(minutes=m) for m in (1, 5, 25, 125, 625)]
    assert rows() == []  # the link in its body goes with it
    assert "ConnectionRefusedError" in caplog.text
    assert "person0" not in caplog.text and SECRET_LINK not in caplog.text and "Betreff" not in caplog.text


def test_a_mail_server_that_answers_again_gets_the_mail(app, mail_server_down):
    queue(1)
    assert send_due_mails() == {"mail_retry": 1}
    app.config["MAIL_SERVER"] = None  # back: the instance folder stands for it
    with time.freeze(time.now() + timedelta(minutes=1)):
        assert send_due_mails() == {"mail_sent": 1}
    assert len(mails_written(app)) == 1 and rows() == []


def test_unsent_mails_to_an_address_can_be_forgotten(app):
    queue(2)
    assert forget_mails_to(address="person1@example.org") == 1
    db.session.commit()
    assert [row.recipient for row in rows()] == ["person0@example.org"]
