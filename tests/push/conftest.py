"""Fixtures for web push: the app with the push blueprint and CLI, a VAPID key, a local push
service with fake browsers, subscriptions, and a way to run the worker like its own process."""

import pytest
from py_vapid import Vapid

from tests.helpers import csrf_token, login
from tests.push.push_service import PushService
from volunteers.extensions import db
from volunteers.push import services
from volunteers.push.cli import reminders_cli
from volunteers.push.models import Notification  # noqa: F401 - the tables exist for create_all
from volunteers.push.views import bp as push_bp
from volunteers.push.worker import send_due

_key = Vapid()
_key.generate_keys()
VAPID_PEM = _key.private_pem().decode()


@pytest.fixture
def app(app):
    """The shared app fixture plus what push needs. Registering the blueprint and the CLI here is
    only needed until volunteers/__init__.py does it; then these two lines change nothing."""
    if "push" not in app.blueprints:
        app.register_blueprint(push_bp)
    if "reminders" not in app.cli.commands:
        app.cli.add_command(reminders_cli)
    app.config.update(VAPID_PRIVATE_KEY=VAPID_PEM, PUSH_ALLOW_LOOPBACK=True)
    return app


@pytest.fixture
def push_service():
    service = PushService().start()
    yield service
    service.stop()


@pytest.fixture
def subscribe(app, push_service):
    """subscribe(user, "phone") stores a subscription of a new fake browser for `user`."""

    def make(user, name: str):
        browser = push_service.browser(name)
        services.subscribe_device(
            user=user, endpoint=browser.endpoint, p256dh=browser.p256dh, auth=browser.auth, user_agent="Testbrowser"
        )
        db.session.commit()
        return browser

    return make


@pytest.fixture
def run_worker(app):
    """One worker pass, as the worker process runs it: nothing of the test's transaction open."""

    def run(limit: int = 100):
        db.session.commit()
        counts = send_due(limit=limit)
        db.session.expire_all()
        return counts

    return run


@pytest.fixture
def json_client(client):
    """The client, signed in as `user`, sending JSON with the CSRF header like the PWA's script."""

    class JsonClient:
        def login(self, user):
            login(client, user)
            self.token = csrf_token(client)
            return self

        def send(self, method: str, path: str, body=None, *, csrf: bool = True):
            headers = {"X-CSRFToken": self.token} if csrf else {}
            return client.open(path, method=method, json=body, headers=headers)

    return JsonClient()
