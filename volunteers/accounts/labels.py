"""Names of roles as people read them."""

from flask_babel import lazy_gettext as _l

ROLE_NAMES = {
    "volunteer": _l("Ehrenamtlich"),
    "coordinator": _l("Koordination"),
    "lead": _l("KI-Leitung"),
    "state": _l("Land (LaKI/KfI)"),
    "admin": _l("Betrieb"),
}


def template_labels() -> dict:
    return {"role_names": ROLE_NAMES}
