"""The mail transport: SMTP when MAIL_SERVER is set, otherwise a file per message in the instance's
mail folder (development), so that reset links can be followed without a mail server.

Only workers call it, outside any transaction: requests queue their mails in the outbox
(volunteers/mail), so that no answer waits for a mail server."""

import itertools
import smtplib
from email.message import EmailMessage
from pathlib import Path

from flask import current_app

from . import time

# Seconds smtplib waits for each step; a whole send stays well inside the worker's minute-long lease.
SMTP_TIMEOUT = 10
_sequence = itertools.count()


def send_mail(*, to: str, subject: str, body: str) -> None:
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    if config["MAIL_SERVER"]:
        _send_smtp(message, config)
    else:
        _write_to_outbox(message, Path(config["MAIL_OUTBOX_DIR"]))


def _send_smtp(message: EmailMessage, config) -> None:
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=SMTP_TIMEOUT) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(message)


def _write_to_outbox(message: EmailMessage, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    stamp = time.now().strftime("%Y%m%dT%H%M%S%f")
    # A worker writes several mails at one instant of a frozen clock: the sequence keeps them apart
    # and in order, and "x" never overwrites the file of another process.
    while True:
        path = folder / f"{stamp}-{next(_sequence):06d}.eml"
        try:
            with path.open("xb") as file:
                file.write(bytes(message))
            break
        except FileExistsError:
            continue
    # Neither address nor body in the log: personal data and reset links stay out of it.
    current_app.logger.info("Mail written to %s", path)
