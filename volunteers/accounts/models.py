"""People and what they may do: accounts, their role in each centre, login sessions, API tokens,
login throttling."""

from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash

from ..centres.models import Centre
from ..core import i18n
from ..core.limits import TextLimit
from ..core.time import UTCDateTime, now
from ..extensions import db

# Roles within one centre, weakest first.
VOLUNTEER, COORDINATOR, LEAD = "volunteer", "coordinator", "lead"
CENTRE_ROLES = (VOLUNTEER, COORDINATOR, LEAD)
STAFF_ROLES = (COORDINATOR, LEAD)
# Roles across the installation.
STATE, ADMIN = "state", "admin"
GLOBAL_ROLES = (STATE, ADMIN)
LOCALES = i18n.LOCALES  # a user may save any language the app is translated into

EMAIL = TextLimit(254, _l("Die E-Mail-Adresse ist zu lang."))  # RFC 5321's longest usable address
NAME = TextLimit(120, _l("Der Name darf höchstens %(max)d Zeichen lang sein."))
PHONE = TextLimit(40, _l("Die Telefonnummer ist zu lang."))
TOKEN_LABEL = TextLimit(100)


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(EMAIL.max_length), unique=True)
    name: Mapped[str] = mapped_column(sa.String(NAME.max_length))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    global_role: Mapped[str | None] = mapped_column(sa.String(20))
    phone: Mapped[str] = mapped_column(sa.String(PHONE.max_length), default="")
    # Coordinators see the phone number only if the volunteer allows it.
    shares_phone: Mapped[bool] = mapped_column(default=False)
    # Co-volunteers of a shift see the first name only if the volunteer allows it.
    shows_first_name: Mapped[bool] = mapped_column(default=False)
    languages: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    # A reminder inside the personal calendar feed (VALARM), minutes before a shift; None: no alarm.
    calendar_alarm_minutes: Mapped[int | None] = mapped_column(default=None)
    # Push reminders: minutes before a shift (whole days keep the wall-clock time), no messages
    # during quiet hours (local hours, e.g. 22 to 7), and the channel: push, email or both.
    reminder_minutes: Mapped[list[int]] = mapped_column(sa.JSON, default=lambda: [1440, 120])
    quiet_start_hour: Mapped[int] = mapped_column(default=22)
    quiet_end_hour: Mapped[int] = mapped_column(default=7)
    notify_channel: Mapped[str] = mapped_column(sa.String(10), default="push")
    locale: Mapped[str | None] = mapped_column(sa.String(5))
    consent_version: Mapped[str | None] = mapped_column(sa.String(20))
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Bumped on a password change: older reset links stop working (login sessions end with it).
    session_version: Mapped[int] = mapped_column(default=1)
    # Set when the person deleted their account: the row stays, pseudonymised, so that the hours
    # they gave still count in the funding figures.
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    memberships: Mapped[list["Membership"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin", foreign_keys="Membership.user_id"
    )

    # The token of the login session this object was signed in or loaded with (accounts/auth.py):
    # the session and remember-me cookies carry it instead of the id, so that ending the login
    # session on the server ends the cookies too.
    login_token = None

    def get_login_token(self) -> str:
        if self.login_token is None:
            raise RuntimeError("sign in with accounts.auth.sign_in_after_commit(), which starts a login session")
        return self.login_token

    @hybrid_property
    def is_deleted(self) -> bool:
        """A deleted account stays only as the pseudonym under its hours: no picker or list shows
        it, and nobody can sign it up or assign it (shifts.signups asks this)."""
        return self.deleted_at is not None

    @is_deleted.inplace.expression
    @classmethod
    def _is_deleted_expression(cls) -> sa.ColumnElement[bool]:
        return cls.deleted_at.is_not(None)

    @property
    def is_active(self) -> bool:
        return not self.is_deleted

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_admin(self) -> bool:
        return self.global_role == ADMIN

    @property
    def is_state_viewer(self) -> bool:
        return self.global_role == STATE

    def membership_in(self, centre: Centre) -> "Membership | None":
        return next((m for m in self.memberships if m.centre_id == centre.id), None)

    def role_in(self, centre: Centre) -> str | None:
        membership = self.membership_in(centre)
        return membership.role if membership else None

    def is_staff_of(self, centre: Centre) -> bool:
        return self.role_in(centre) in STAFF_ROLES

    def is_lead_of(self, centre: Centre) -> bool:
        return self.role_in(centre) == LEAD

    @property
    def staff_centres(self) -> list[Centre]:
        return [m.centre for m in self.memberships if m.role in STAFF_ROLES]

    @property
    def volunteer_centres(self) -> list[Centre]:
        return [m.centre for m in self.memberships if m.role == VOLUNTEER]

    @property
    def centres(self) -> list[Centre]:
        return [m.centre for m in self.memberships]


class Membership(db.Model):
    """A person's role in one centre: volunteer, coordinator or centre lead."""

    __tablename__ = "memberships"
    __table_args__ = (sa.UniqueConstraint("user_id", "centre_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    centre_id: Mapped[int] = mapped_column(sa.ForeignKey("centres.id"), index=True)
    role: Mapped[str] = mapped_column(sa.String(20))
    # Erweitertes Führungszeugnis: seen by a coordinator of this centre on that date.
    certificate_verified_on: Mapped[date | None] = mapped_column(sa.Date)
    certificate_verified_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    user: Mapped[User] = relationship(back_populates="memberships", foreign_keys=[user_id])
    certificate_verified_by: Mapped[User | None] = relationship(foreign_keys=[certificate_verified_by_id])
    centre: Mapped[Centre] = relationship(lazy="joined")


class LoginSession(db.Model):
    """A browser signed in to an account. Its cookies hold a random token of which only the hash
    is kept here: logging out deletes the row, and no copy of the cookies works any more."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    # Written by writing requests only, at most every few minutes (services.user_for_login_session).
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    user: Mapped[User] = relationship()


class ApiToken(db.Model):
    """A bearer token for the JSON API; only its hash is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    label: Mapped[str] = mapped_column(sa.String(TOKEN_LABEL.max_length), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class LoginFailure(db.Model):
    """A failed login, counted per account and per client address to slow down guessing.
    The key is a hash so that the table holds no addresses in clear."""

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    key_hash: Mapped[str] = mapped_column(sa.String(64), index=True)
    failed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now, index=True)
