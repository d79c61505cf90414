"""The app as the race benchmark serves it (gunicorn) and runs its reminder workers (flask CLI):
the benchmark's database, secret and VAPID key, whatever an instance/settings.py might say, and
push to the local push service on 127.0.0.1 allowed (PUSH_ALLOW_LOOPBACK)."""

import os

from volunteers import create_app

app = create_app(
    {
        "SQLALCHEMY_DATABASE_URI": os.environ["DATABASE_URL"],
        "SECRET_KEY": os.environ["SECRET_KEY"],
        "VAPID_PRIVATE_KEY": os.environ["VAPID_PRIVATE_KEY"],
        "PUSH_ALLOW_LOOPBACK": True,
        "SERVER_NAME": None,
        "MAIL_SERVER": None,
    }
)
