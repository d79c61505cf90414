import sqlalchemy as sa

from volunteers.accounts.models import User
from volunteers.centres.models import Centre, MeetingPoint
from volunteers.extensions import db


def test_create_user_command(app, make_centre):
    make_centre("duisburg")
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "create-user",
            "neu@example.org",
            "--password",
            "lang-genug-1",
            "--name",
            "Neue Person",
            "--role",
            "coordinator",
            "--centre",
            "duisburg",
        ]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User).where(User.email == "neu@example.org"))
    assert user.role_in(db.session.scalar(sa.select(Centre))) == "coordinator"
    again = runner.invoke(
        args=[
            "create-user",
            "neu@example.org",
            "--password",
            "lang-genug-1",
            "--name",
            "X",
            "--role",
            "volunteer",
            "--centre",
            "duisburg",
        ]
    )
    assert again.exit_code != 0 and "email_taken" in again.output


def test_create_user_refuses_a_centre_role_without_centre(app):
    result = app.test_cli_runner().invoke(
        args=["create-user", "a@example.org", "--password", "lang-genug-1", "--name", "A", "--role", "lead"]
    )
    assert result.exit_code != 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_seed_demo_creates_the_specified_accounts_once(app, client):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    slugs = set(db.session.scalars(sa.select(Centre.slug)))
    assert slugs == {"duesseldorf", "siegen-wittgenstein", "duisburg", "hochsauerlandkreis"}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MeetingPoint)) >= 8
    users = db.session.scalar(sa.select(sa.func.count()).select_from(User))
    second = runner.invoke(args=["seed-demo"])
    assert "already present" in second.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == users
    # The demo logins of the specification work with the demo password.
    from tests.helpers import login

    for email in (
        "lead@duesseldorf.example",
        "koordination@duesseldorf.example",
        "ehrenamt@example.org",
        "land@nrw.example",
    ):
        login(client, email, password="treffpunkt-demo")
        client.post("/logout")
        client.delete_cookie("session")
