"""The mails that the worker's mail pass wrote into the instance's mail folder (no MAIL_SERVER in
tests), read as a mail client would."""

import email
import email.policy
import re
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import urlsplit

from volunteers.extensions import db
from volunteers.mail.worker import send_due_mails


def mails_written(app) -> list[EmailMessage]:
    """Every mail in the folder, oldest first."""
    files = sorted(Path(app.config["MAIL_OUTBOX_DIR"]).glob("*.eml"))
    return [email.message_from_bytes(f.read_bytes(), policy=email.policy.default) for f in files]


def deliver_mails(app) -> list[EmailMessage]:
    """Run one mail pass, as the worker does, and return the mails it wrote."""
    before = len(mails_written(app))
    db.session.commit()  # the pass is a unit of work of its own
    send_due_mails()
    return mails_written(app)[before:]


def link_path(message: EmailMessage, pattern: str) -> str:
    """The path of the first link in the mail whose path contains `pattern`."""
    for url in re.findall(r"https?://\S+", message.get_content()):
        if pattern in urlsplit(url).path:
            return urlsplit(url).path
    raise AssertionError(f"no link to {pattern} in the mail")
