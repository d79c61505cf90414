"""The app as the fault benches serve it (gunicorn) and run its reminder workers (flask CLI): the
bench's database, secret and VAPID key whatever an instance/settings.py says, push to the local
push service on 127.0.0.1 allowed, plain-HTTP session cookies (the load is on 127.0.0.1)."""

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
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_SECURE": False,
        "PREFERRED_URL_SCHEME": "http",
    }
)
