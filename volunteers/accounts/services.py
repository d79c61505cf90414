"""Accounts: registration, login with throttling, login sessions, password reset, roles, API tokens."""

import hashlib
from datetime import timedelta
from functools import cache

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import orm
from werkzeug.security import check_password_hash, generate_password_hash

from ..centres.models import Centre, CentreStamp
from ..centres.stamp import remember_stamps
from ..core import time
from ..core.errors import DomainError, NotFound, TooManyRequests, Unauthorized
from ..core.tokens import hash_token, new_token
from ..extensions import db
from .models import (
    CENTRE_ROLES,
    EMAIL,
    GLOBAL_ROLES,
    NAME,
    PHONE,
    TOKEN_LABEL,
    VOLUNTEER,
    ApiToken,
    LoginFailure,
    LoginSession,
    Membership,
    User,
)

MIN_PASSWORD_LENGTH = 10
# Checked against a fixed hash when the email is unknown, so both cases take the same time.
_DUMMY_HASH = generate_password_hash("treffpunkt-timing-equaliser")


class AccountError(DomainError):
    pass


def normalise_email(email: str) -> str:
    return email.strip().lower()


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))


def create_user(
    *,
    email: str,
    name: str,
    role: str,
    password: str | None = None,
    password_hash: str | None = None,
    centre: Centre | None = None,
) -> User:
    """Create an account with a centre role (volunteer, coordinator, lead) or a global one, with a
    password or the hash one got earlier (a confirmed registration)."""
    email, name = EMAIL.check(normalise_email(email), "email"), checked_name(name)
    if find_user_by_email(email):
        raise AccountError(_("Diese E-Mail-Adresse ist bereits registriert."), code="email_taken", field="email")
    if role in CENTRE_ROLES and centre is None:
        raise AccountError(_("Für diese Rolle muss ein Zentrum angegeben werden."), code="centre_required")
    if role not in CENTRE_ROLES + GLOBAL_ROLES:
        raise AccountError(_("Unbekannte Rolle."), code="invalid_role")
    user = User(
        email=email,
        name=name,
        password_hash=password_hash or hash_password(password),
        global_role=role if role in GLOBAL_ROLES else None,
    )
    if role in CENTRE_ROLES:
        user.memberships.append(Membership(centre=centre, role=role))
    db.session.add(user)
    db.session.flush()
    return user


def checked_name(name: str) -> str:
    """A person's name, stripped; refused when empty or longer than the column holds."""
    name = (name or "").strip()
    if not name:
        raise AccountError(_("Bitte geben Sie Ihren Namen ein."), code="name_required", field="name")
    return NAME.check(name, "name")


def update_profile(
    *,
    user: User,
    name: str,
    phone: str,
    shares_phone: bool,
    languages: list[str],
    locale: str | None,
    shows_first_name: bool = False,
) -> None:
    """The person's own settings: name, phone (and whether coordinators see it), languages, locale,
    whether co-volunteers see the first name. Reminders: reminders/settings.py."""
    user.name = checked_name(name)
    user.phone = PHONE.check((phone or "").strip(), "phone")
    user.shares_phone, user.languages, user.locale = shares_phone, languages, locale
    user.shows_first_name = shows_first_name
    db.session.flush()


def register_volunteer(
    *,
    email: str,
    name: str,
    password_hash: str,
    centre: Centre,
    consent_version: str,
    locale: str | None = None,
) -> User:
    """Self-registration of a volunteer, confirmed by mail: the password was hashed when the
    registration was requested (accounts/registrations.py). The privacy consent is recorded."""
    user = create_user(email=email, name=name, password_hash=password_hash, role=VOLUNTEER, centre=centre)
    user.consent_version = consent_version
    user.consent_at = time.now()
    user.locale = locale
    return user


def set_centre_role(*, user: User, centre: Centre, role: str | None) -> None:
    """Give `user` a role in `centre`, change it, or (role None) remove them from the centre."""
    membership = next((m for m in user.memberships if m.centre_id == centre.id), None)
    if role is None:
        if membership:
            user.memberships.remove(membership)
    elif membership:
        membership.role = role
    else:
        user.memberships.append(Membership(centre=centre, role=role))
    db.session.flush()


def join_centre(*, user: User, centre: Centre) -> None:
    if user.role_in(centre) is None:
        set_centre_role(user=user, centre=centre, role=VOLUNTEER)


# --- login and its throttle -------------------------------------------------------------


def _throttle_keys(email: str, client_address: str) -> tuple[str, str]:
    email_key = hashlib.sha256(("email:" + normalise_email(email)).encode()).hexdigest()
    address_key = hashlib.sha256(("ip:" + (client_address or "")).encode()).hexdigest()
    return email_key, address_key


def _recent_failures(key_hash: str) -> int:
    window_start = time.now() - timedelta(minutes=current_app.config["LOGIN_LOCKOUT_MINUTES"])
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(LoginFailure)
        .where(LoginFailure.key_hash == key_hash, LoginFailure.failed_at >= window_start)
    )


def authenticate(*, email: str, password: str, client_address: str) -> User:
    """The user with these credentials; a wrong password and an unknown email fail alike.
    Too many failures for one account or one address lock further tries for a while."""
    config = current_app.config
    email_key, address_key = _throttle_keys(email, client_address)
    if (
        _recent_failures(email_key) >= config["LOGIN_MAX_FAILURES"]
        or _recent_failures(address_key) >= config["LOGIN_MAX_FAILURES_PER_IP"]
    ):
        raise TooManyRequests(
            _(
                "Zu viele fehlgeschlagene Anmeldeversuche. Bitte warten Sie %(minutes)d Minuten.",
                minutes=config["LOGIN_LOCKOUT_MINUTES"],
            ),
            code="too_many_attempts",
        )
    user = find_user_by_email(email)
    if not check_password_hash(user.password_hash if user else _DUMMY_HASH, password) or user is None:
        db.session.add_all([LoginFailure(key_hash=email_key), LoginFailure(key_hash=address_key)])
        db.session.flush()
        raise Unauthorized(_("E-Mail-Adresse oder Passwort ist falsch."), code="invalid_credentials")
    user.last_login_at = time.now()
    return user


def prune_login_failures() -> int:
    """Forget failures older than the lockout window (called from the login view, cheaply)."""
    cutoff = time.now() - timedelta(minutes=current_app.config["LOGIN_LOCKOUT_MINUTES"])
    return db.session.execute(sa.delete(LoginFailure).where(LoginFailure.failed_at < cutoff)).rowcount


# --- password reset ----------------------------------------------------------------------


class _ClockSigner(TimestampSigner):
    """Signs with the application clock, so that expiry follows core.time (and tests can move it)."""

    def get_timestamp(self) -> int:
        return int(time.now().timestamp())


def _reset_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="password-reset", signer=_ClockSigner)


def password_reset_token(user: User) -> str:
    # The session version inside makes the link single-use: resetting bumps it.
    return _reset_serializer().dumps({"user": user.id, "v": user.session_version})


def user_for_reset_token(token: str) -> User:
    try:
        data = _reset_serializer().loads(token, max_age=current_app.config["PASSWORD_RESET_MAX_AGE"])
    except SignatureExpired:
        raise AccountError(
            _("Der Link ist abgelaufen. Bitte fordern Sie einen neuen an."), code="token_expired"
        ) from None
    except BadSignature:
        raise AccountError(_("Der Link ist ungültig."), code="token_invalid") from None
    user = db.session.get(User, data.get("user")) if isinstance(data, dict) else None
    if user is None or user.session_version != data.get("v"):
        raise AccountError(_("Der Link ist ungültig oder wurde bereits benutzt."), code="token_invalid")
    return user


def change_password(*, user: User, password: str) -> None:
    """Set a new password and end everything the old one opened: every login session (remember-me
    cookies included), every API token and every older reset link."""
    user.password_hash = hash_password(password)
    user.session_version += 1
    sign_out_everywhere(user=user)


# --- login sessions ----------------------------------------------------------------------

# A login session nobody used for this long is over: as long as the remember-me cookie lives.
LOGIN_SESSION_IDLE_LIMIT = timedelta(days=365)
# How often a login session's last use is written (by writing requests only, so reads never write).
LOGIN_SESSION_SEEN_EVERY = timedelta(minutes=5)


def start_login_session(*, user: User) -> str:
    """A new login session for `user` (a browser signing in); returns its token for the cookies.
    Only the token's hash is stored. The person's sessions idle too long are forgotten here."""
    db.session.execute(
        sa.delete(LoginSession).where(
            LoginSession.user_id == user.id, LoginSession.last_seen_at < time.now() - LOGIN_SESSION_IDLE_LIMIT
        )
    )
    token = new_token()
    db.session.add(LoginSession(user=user, token_hash=hash_token(token)))
    db.session.flush()
    return token


def user_for_login_session(token: str, *, record_use: bool) -> User | None:
    """The person signed in with this login session, or None when it has ended. One statement
    reads the session's last use, the person and their memberships with the centres (what the
    layout and the policies ask of every request); the login session itself is not loaded."""
    token_hash = hash_token(token)
    since = time.now() - LOGIN_SESSION_IDLE_LIMIT
    found = db.session.execute(_signed_in_query(), {"token_hash": token_hash, "since": since}).unique().all()
    if not found or not found[0].User.is_active:
        return None
    user, last_seen_at, stamps = found[0]
    remember_stamps(_memberships_stamps(user, stamps))
    if record_use and time.now() - last_seen_at > LOGIN_SESSION_SEEN_EVERY:
        db.session.execute(
            sa.update(LoginSession).where(LoginSession.token_hash == token_hash).values(last_seen_at=time.now()),
            execution_options={"synchronize_session": False},
        )
    user.login_token = token
    return user


def _memberships_stamps(user: User, found: str | None) -> dict[int, int]:
    """The change stamps of the person's centres from "centre:stamp,…" (a centre never stamped has 0)."""
    pairs = dict(map(int, pair.split(":")) for pair in found.split(",")) if found else {}
    return {m.centre_id: pairs.get(m.centre_id, 0) for m in user.memberships}


def _stamps_of_memberships() -> sa.ScalarSelect:
    """The change stamps of the person's centres as one text: the pages that keep what they show
    read them first (centres.stamp), and read them here, without a statement of their own."""
    pair = sa.cast(CentreStamp.centre_id, sa.String) + ":" + sa.cast(CentreStamp.stamp, sa.String)
    own_centres = sa.select(Membership.centre_id).where(Membership.user_id == User.id).correlate(User)
    return (
        sa.select(sa.func.aggregate_strings(pair, ",")).where(CentreStamp.centre_id.in_(own_centres)).scalar_subquery()
    )


@cache
def _signed_in_query() -> sa.Select:
    """Built once (only the token's hash and the idle limit differ between requests): the person
    of a login session used since `since`, with their memberships and centres and the centres'
    change stamps, in one statement."""
    return (
        sa.select(User, LoginSession.last_seen_at, _stamps_of_memberships())
        .join(LoginSession, LoginSession.user_id == User.id)
        .where(
            LoginSession.token_hash == sa.bindparam("token_hash"), LoginSession.last_seen_at >= sa.bindparam("since")
        )
        .options(orm.joinedload(User.memberships))
    )


def end_login_session(token: str) -> None:
    """Log out: the session's cookies, and every copy of them, stop working."""
    db.session.execute(sa.delete(LoginSession).where(LoginSession.token_hash == hash_token(token)))


def count_sign_ins(*, user: User) -> int:
    """Where the person is signed in: open login sessions and API tokens (apps, integrations)."""
    open_sessions = sa.select(sa.func.count()).where(
        LoginSession.user_id == user.id, LoginSession.last_seen_at >= time.now() - LOGIN_SESSION_IDLE_LIMIT
    )
    live_tokens = sa.select(sa.func.count()).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    return db.session.scalar(open_sessions) + db.session.scalar(live_tokens)


def sign_out_everywhere(*, user: User) -> None:
    """End every login session of the person (remember-me cookies included) and revoke their API
    tokens: each browser and app must sign in again."""
    db.session.execute(sa.delete(LoginSession).where(LoginSession.user_id == user.id))
    db.session.execute(
        sa.update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=time.now())
    )
    db.session.flush()


# --- API tokens ------------------------------------------------------------------------


def issue_api_token(*, user: User, label: str = "") -> str:
    """A new bearer token for `user`; the clear text is returned once and never stored."""
    label = TOKEN_LABEL.check(label.strip(), "label")
    token = new_token()
    db.session.add(ApiToken(user=user, token_hash=hash_token(token), label=label))
    db.session.flush()
    return token


def user_for_api_token(token: str, *, record_use: bool = True) -> User | None:
    """The owner of a live API token, with their memberships and centres, in one statement."""
    found = db.session.execute(_token_owner_query(), {"token_hash": hash_token(token)}).unique().all()
    if not found:
        return None
    user, token_id, last_used_at = found[0]
    # Written at most hourly and only by writing requests, so that reads never write.
    if record_use and (last_used_at is None or time.now() - last_used_at > timedelta(hours=1)):
        db.session.execute(
            sa.update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=time.now()),
            execution_options={"synchronize_session": False},
        )
    return user


@cache
def _token_owner_query() -> sa.Select:
    return (
        sa.select(User, ApiToken.id, ApiToken.last_used_at)
        .join(ApiToken, ApiToken.user_id == User.id)
        .where(ApiToken.token_hash == sa.bindparam("token_hash"), ApiToken.revoked_at.is_(None))
        .options(orm.joinedload(User.memberships))
    )


def revoke_api_token(token: str) -> None:
    api_token = db.session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
    if api_token is None:
        raise NotFound(_("Token unbekannt."), code="not_found")
    api_token.revoked_at = time.now()
