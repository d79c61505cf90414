"""Every model, imported once so that the metadata (and Alembic) knows all tables."""
# ruff: noqa: F401 - imported for their side effect of registering the tables

from .accounts.models import ApiToken, LoginFailure, LoginSession, Membership, User
from .accounts.registrations import PendingRegistration
from .activities.models import CentreActivity
from .audit.models import AuditEvent
from .availability.models import Absence, Invitation, WeeklyWindow
from .centres import stamp  # its session listeners raise the centres' change stamps on every write
from .centres.models import Centre, MeetingPoint
from .core.rate_limits import RateLimitHit
from .engagement.models import EngagementCertificate
from .feeds.models import CalendarToken
from .hours.models import HoursEntry, ReportPeriod
from .mail.models import OutgoingMail
from .push.models import DeliveryAttempt, Notification, PushSubscription
from .reports import rollups  # the hours roll-up tables and their triggers (create_all makes both)
from .reports.models import Grant
from .shifts.models import Shift, ShiftSeries, Signup
