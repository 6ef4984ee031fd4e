"""ATMP Catalyst: the application factory."""

from pathlib import Path

from flask import Flask

from accelerator.extensions import babel, csrf, db, login_manager, mail, migrate

PACKAGE_DIR = Path(__file__).resolve().parent
BLUEPRINTS = (
    "accelerator.core.views:bp",
    "accelerator.accounts.views:bp",
    "accelerator.calls.views:bp",
    "accelerator.applications.views:bp",
    "accelerator.reviews.views:bp",
    "accelerator.selection.views:bp",
    "accelerator.cohorts.views:bp",
    "accelerator.mentoring.views:bp",
    "accelerator.labs.views:bp",
)


def create_app(config=None) -> Flask:
    from config import config_from_environment

    app = Flask(
        __name__,
        template_folder=str(PACKAGE_DIR.parent / "templates"),
        static_folder=str(PACKAGE_DIR / "static"),
        instance_path=str(PACKAGE_DIR.parent / "instance"),
    )
    from accelerator.core.web import RowIdConverter

    app.url_map.converters["int"] = RowIdConverter  # before any route is added
    app.config.from_object(config or config_from_environment())
    _refuse_production_without_own_secret(app)
    _refuse_relative_base_url(app)
    Path(app.instance_path).mkdir(exist_ok=True)
    _trust_proxies(app)

    _init_extensions(app)
    _register_blueprints(app)

    from accelerator.cli import register_commands
    from accelerator.core import web
    from accelerator.core.mail import show_logged_emails

    web.install(app)
    show_logged_emails(app)
    register_commands(app)
    return app


def _refuse_production_without_own_secret(app: Flask) -> None:
    """A forged session is a stolen account: production never signs with a known key.

    SystemExit prints its one-line message and no traceback, under flask and gunicorn alike.
    """
    from config import DEVELOPMENT_SECRET_KEY

    if app.config.get("ENV_NAME") != "production":
        return
    if not app.config.get("SECRET_KEY"):
        raise SystemExit("SECRET_KEY is not set: production refuses to start without it.")
    if app.config["SECRET_KEY"] == DEVELOPMENT_SECRET_KEY:
        raise SystemExit(
            "SECRET_KEY is the public development key: production refuses to start with it."
        )


def _refuse_relative_base_url(app: Flask) -> None:
    from accelerator.core.links import is_absolute_base_url

    if not is_absolute_base_url(app.config["BASE_URL"]):
        raise SystemExit(
            f"BASE_URL={app.config['BASE_URL']!r} is not a full address like "
            "https://catalyst.example.org: every emailed link starts with it."
        )


def _trust_proxies(app: Flask) -> None:
    """Behind a TLS proxy, the client's address, scheme, host and path prefix are the ones the
    proxy forwards (so request.is_secure holds and HSTS is sent); only as many hops as set."""
    from werkzeug.middleware.proxy_fix import ProxyFix

    hops = app.config.get("PROXY_FIX_HOPS", 0)
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_prefix=hops)


def _init_extensions(app: Flask) -> None:
    from accelerator.core.locale import select_locale

    db.init_app(app)
    migrate.init_app(
        app,
        db,
        directory=str(PACKAGE_DIR.parent / "migrations"),
        render_as_batch=True,  # SQLite alters tables by copying them
        compare_type=True,
    )
    login_manager.init_app(app)
    mail.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    # Models must be imported for the metadata to be complete (migrations, create_all).
    import accelerator.accounts.models  # noqa: F401
    import accelerator.applications.models  # noqa: F401
    import accelerator.calls.models  # noqa: F401
    import accelerator.cohorts.models  # noqa: F401
    import accelerator.core.models  # noqa: F401
    import accelerator.labs.models  # noqa: F401
    import accelerator.mentoring.models  # noqa: F401
    import accelerator.reviews.models  # noqa: F401
    import accelerator.selection.models  # noqa: F401
    from accelerator.accounts.login import configure_login

    configure_login(login_manager)


def _register_blueprints(app: Flask) -> None:
    from importlib import import_module

    for target in BLUEPRINTS:
        module_name, attribute = target.split(":")
        app.register_blueprint(getattr(import_module(module_name), attribute))
