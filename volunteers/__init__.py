"""Treffpunkt: volunteer coordination for the Ankommenstreffpunkte of the Kommunale
Integrationszentren in North Rhine-Westphalia."""

from pathlib import Path

from flask import Flask

from . import core, models  # noqa: F401 - database settings; every table in the metadata
from .config import load_config
from .core.transactions import TransactionalFlask
from .extensions import babel, csrf, db, login_manager, migrate

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None) -> Flask:
    app = TransactionalFlask(  # one commit per request, after the view
        __name__,
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(load_config(app.instance_path))
    app.config.from_pyfile("settings.py", silent=True)
    if test_config:
        app.config.from_mapping(test_config)

    app.json.ensure_ascii = False  # umlauts as they are: shorter and readable
    _init_extensions(app)
    _register_blueprints(app)
    _register_cli(app)
    return app


def _init_extensions(app: Flask) -> None:
    from .accounts import auth
    from .accounts.labels import template_labels as account_labels
    from .activities.services import activity_name
    from .api.errors import api_error
    from .audit.words import describe_events
    from .core import error_pages, i18n, intake, security, statement_timeout, static_files, templating, transactions
    from .hours.labels import template_labels as hours_labels
    from .shifts.holidays import holiday_name
    from .shifts.labels import template_labels as shift_labels
    from .shifts.words import describe_series

    intake.init_intake(app)  # first: the int converter before any route, its checks before any other hook
    db.init_app(app)
    transactions.init_transactions(app)
    statement_timeout.init_statement_timeout(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    i18n.init_i18n(app, babel, saved_locale=auth.saved_locale)
    auth.init_login(app, login_manager)
    security.init_security(app)
    templating.init_templating(app)
    static_files.init_static_files(app)
    # Each domain's names for every template (core knows no domain). activity_name takes anything
    # with centre_id and activity: shifts, series, hours entries.
    app.jinja_env.globals.update(
        **account_labels(),
        **hours_labels(),
        **shift_labels(),
        activity_name=lambda item: activity_name(item.centre_id, item.activity),
    )
    app.jinja_env.filters["series_words"] = describe_series  # a series' recurrence in words, never its RRULE
    app.jinja_env.filters["holiday_name"] = holiday_name  # "" on a day that is no NRW public holiday
    app.jinja_env.globals["describe_events"] = describe_events  # the audit trail in sentences, never codes
    error_pages.init_error_handlers(app)
    # The JSON API, and the push endpoints the PWA's script calls, answer failures in the API's format.
    error_pages.register_error_format(app, ("/api/", "/push/"), api_error)


def _register_blueprints(app: Flask) -> None:
    from .accounts import registration_views  # noqa: F401 - registers its routes on accounts_bp
    from .accounts.views import bp as accounts_bp
    from .admin.views import bp as admin_bp
    from .api import bp as api_bp
    from .availability.views import bp as availability_bp
    from .centres.views import bp as centres_bp
    from .engagement.views import bp as engagement_bp
    from .feeds.views import bp as feeds_bp
    from .grants.views import bp as grants_bp
    from .hours.review_views import bp as review_bp
    from .hours.views import bp as hours_bp
    from .pages.views import bp as pages_bp
    from .privacy.views import bp as privacy_bp
    from .push.views import bp as push_bp
    from .reports.views import bp as reports_bp
    from .shifts.handover_views import bp as handovers_bp
    from .shifts.plan_views import bp as plan_bp
    from .shifts.volunteer_views import bp as shifts_bp

    for blueprint in (
        pages_bp,
        accounts_bp,
        centres_bp,
        plan_bp,
        shifts_bp,
        handovers_bp,
        feeds_bp,
        hours_bp,
        review_bp,
        engagement_bp,
        reports_bp,
        grants_bp,
        privacy_bp,
        push_bp,
        admin_bp,
        api_bp,
        availability_bp,
    ):
        app.register_blueprint(blueprint)


def _register_cli(app: Flask) -> None:
    from .accounts.cli import create_user_command
    from .backup.cli import backup_command, restore_command
    from .core.serve import serve_command
    from .demo.cli import seed_demo_command
    from .grants.cli import grants_cli
    from .privacy.cli import privacy_group
    from .push.cli import reminders_cli
    from .reports.cli import report_cli

    for command in (
        create_user_command,
        seed_demo_command,
        serve_command,
        backup_command,
        restore_command,
        report_cli,
        grants_cli,
        reminders_cli,
        privacy_group,
    ):
        app.cli.add_command(command)
