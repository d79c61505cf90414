"""Every model, imported once so that the metadata (and Alembic) knows all tables."""
from .accounts.models import ApiToken, LoginFailure, Membership, User  # noqa: F401
from .activities.models import CentreActivity  # noqa: F401
from .centres.models import Centre, MeetingPoint  # noqa: F401
from .shifts.models import Shift, ShiftSeries, Signup  # noqa: F401
from .feeds.models import CalendarToken  # noqa: F401
from .audit.models import AuditEvent  # noqa: F401
from .hours.models import HoursEntry, ReportPeriod  # noqa: F401
from .reports.models import Grant  # noqa: F401
from .push.models import DeliveryAttempt, Notification, PushSubscription  # noqa: F401
