"""Flask-Login wiring: how a session finds its user."""

from flask_babel import lazy_gettext as _l
from flask_login import AnonymousUserMixin, LoginManager

from accelerator.accounts.models import User
from accelerator.extensions import db


class AnonymousUser(AnonymousUserMixin):
    organisation_id = None
    roles: frozenset = frozenset()

    def has_role(self, role) -> bool:
        return False


def configure_login(manager: LoginManager) -> None:
    manager.login_view = "accounts.login"
    manager.login_message = _l("Please sign in to see this page.")
    manager.login_message_category = "info"
    manager.anonymous_user = AnonymousUser
    manager.session_protection = "basic"

    @manager.user_loader
    def load_user(user_id: str) -> User | None:
        if not user_id.isdigit():
            return None
        return db.session.get(User, int(user_id))
