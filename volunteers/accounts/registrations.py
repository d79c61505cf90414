"""Registration with double opt-in, which tells nobody whether an address has an account.

`request_registration` gives the same answer and does the same work for every address: it hashes
the password, and queues one mail (sent later by the worker): for a new address a link that
confirms the registration, for a known one a note that an account exists, with the way to a new
password. What the form gave waits in `pending_registrations` (the password only as its hash) until
the link is followed, for at most a day; a new request for the same address replaces it.
`resend_confirmation` mails a fresh link for a registration still waiting (the old link stops
working), with a limit per address that holds for every address alike."""

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import render_template
from flask_babel import gettext as _
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..centres.models import Centre
from ..core import time
from ..core.errors import DomainError
from ..core.links import external_url
from ..core.rate_limits import Limit, count_use
from ..core.time import UTCDateTime
from ..core.tokens import hash_token, new_token
from ..extensions import db
from ..mail.services import queue_mail
from . import services
from .models import EMAIL, User

LIFETIME = timedelta(hours=24)
# A fresh link at most once a minute and three times an hour per address: enough for a mail
# that went astray, too few to fill someone's mailbox.
RESEND_LIMITS = (Limit(1, timedelta(minutes=1)), Limit(3, timedelta(hours=1)))


def _too_often() -> str:
    return _("Sie haben schon mehrmals einen Link angefordert. Bitte warten Sie ein paar Minuten.")


class PendingRegistration(db.Model):
    """A registration asked for and not yet confirmed by the link mailed to its address."""

    __tablename__ = "pending_registrations"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    centre_id: Mapped[int] = mapped_column(sa.ForeignKey("centres.id", ondelete="CASCADE"), index=True)
    consent_version: Mapped[str] = mapped_column(sa.String(20))
    locale: Mapped[str | None] = mapped_column(sa.String(5))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)

    centre: Mapped[Centre] = relationship()


class RegistrationLinkInvalid(DomainError):
    status = 404


def request_registration(
    *, email: str, name: str, password: str, centre: Centre, consent_version: str, locale: str | None
) -> None:
    """Step one: remember what the form gave and queue the mail for this address (flushes).
    Known and new addresses cost the same: one password hash, the same statements, one mail."""
    password_hash = services.hash_password(password)  # first, on both paths
    email = EMAIL.check(services.normalise_email(email), "email")
    name = services.checked_name(name)
    count_use(key=f"registration:{email}", limits=RESEND_LIMITS, message=_too_often())
    _forget_expired()
    if not _has_account(email):
        token = new_token()
        _remember(email, name, password_hash, centre, consent_version, locale, token)
        link = external_url("accounts.confirm_registration", token=token)
        subject = _("Treffpunkt: Registrierung bestätigen")
        body = render_template("accounts/mail/confirm_registration.txt", name=name, link=link)
    else:
        # The statement the other path's upsert stands for; a pending registration cannot be confirmed now anyway.
        db.session.execute(sa.delete(PendingRegistration).where(PendingRegistration.email == email))
        link = external_url("accounts.forgot_password")
        subject = _("Treffpunkt: Sie haben schon ein Konto")
        body = render_template("accounts/mail/already_registered.txt", link=link)
    queue_mail(to=email, subject=subject, body=body)


def count_reset_request(email: str) -> None:
    """A password-reset mail at most as often as a registration link (TooManyRequests)."""
    email = services.normalise_email(email)
    count_use(key=f"password-reset:{email}", limits=RESEND_LIMITS, message=_too_often())


def resend_confirmation(*, email: str) -> None:
    """Mail a fresh confirmation link if a registration for `email` is waiting; its old link stops
    working (flushes). For an address with an account the note that it exists goes instead, and
    for any other nothing; the caller answers the same in every case. TooManyRequests (for every
    address alike, so that the limit tells nothing either) when RESEND_LIMITS are reached."""
    email = services.normalise_email(email)
    count_use(key=f"registration-resend:{email}", limits=RESEND_LIMITS, message=_too_often())
    _forget_expired()
    pending = db.session.scalar(
        sa.select(PendingRegistration).where(PendingRegistration.email == email).with_for_update()
    )
    if pending is not None:
        token = new_token()
        pending.token_hash, pending.created_at = hash_token(token), time.now()
        link = external_url("accounts.confirm_registration", token=token)
        body = render_template("accounts/mail/confirm_registration.txt", name=pending.name, link=link)
        queue_mail(to=email, subject=_("Treffpunkt: Registrierung bestätigen"), body=body)
    elif _has_account(email):
        body = render_template("accounts/mail/already_registered.txt", link=external_url("accounts.forgot_password"))
        queue_mail(to=email, subject=_("Treffpunkt: Sie haben schon ein Konto"), body=body)
    db.session.flush()


def pending_registration(*, token: str, lock: bool = False) -> PendingRegistration:
    """The registration this link confirms; RegistrationLinkInvalid when unknown, used or expired."""
    query = sa.select(PendingRegistration).where(
        PendingRegistration.token_hash == hash_token(token),
        PendingRegistration.created_at > time.now() - LIFETIME,
    )
    pending = db.session.scalar(query.with_for_update() if lock else query)
    if pending is None:
        raise RegistrationLinkInvalid(
            _(
                "Dieser Bestätigungslink ist abgelaufen oder wurde schon benutzt. "
                "Fordern Sie unten einen neuen Link an, oder registrieren Sie sich noch einmal."
            ),
            code="token_invalid",
        )
    return pending


def confirm_registration(*, token: str) -> User:
    """Step two: create the volunteer's account from the pending registration (flushes). Locks the
    row first, so that a link followed twice at once creates one account."""
    pending = pending_registration(token=token, lock=True)
    user = services.register_volunteer(
        email=pending.email,
        name=pending.name,
        password_hash=pending.password_hash,
        centre=pending.centre,
        consent_version=pending.consent_version,
        locale=pending.locale,
    )
    db.session.delete(pending)
    db.session.flush()
    return user


def _remember(email, name, password_hash, centre, consent_version, locale, token) -> None:
    # One statement, so that two requests for the same new address at once cannot collide.
    fields = {
        "name": name,
        "password_hash": password_hash,
        "centre_id": centre.id,
        "consent_version": consent_version,
        "locale": locale,
        "token_hash": hash_token(token),
        "created_at": time.now(),
    }
    insert = postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
    db.session.execute(
        insert(PendingRegistration)
        .values(email=email, **fields)
        .on_conflict_do_update(index_elements=["email"], set_=fields)
    )


def _has_account(email: str) -> bool:
    # One statement on both paths: loading the user would also load their memberships.
    return db.session.scalar(sa.select(sa.exists().where(User.email == email)))


def _forget_expired() -> None:
    db.session.execute(sa.delete(PendingRegistration).where(PendingRegistration.created_at <= time.now() - LIFETIME))
