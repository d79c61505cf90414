"""Counted texts go through ngettext: "1 Personen" is wrong in German, and Arabic and Ukrainian
have more forms than two. A plain _()/_l() whose msgid holds %(count)d or %(n)d is reported with
its place, so that whoever owns the file can turn it into ngettext."""

import ast
import re
from pathlib import Path

import pytest
from flask_babel import force_locale

from volunteers.feeds.events import Texts

ROOT = Path(__file__).resolve().parents[2]
COUNT = re.compile(r"%\((?:count|n)\)d")
GETTEXT_NAMES = {"_", "_l", "gettext", "lazy_gettext"}
# {{ _("…") }} and _('…') in templates; the msgid is the first string literal.
TEMPLATE_CALL = re.compile(r"""(?<![\w.])(?:_|_l|gettext)\(\s*(?P<quote>["'])(?P<msgid>.*?)(?<!\\)(?P=quote)""", re.S)

# Only where the number never needs a word to agree with it, in any language. Say why.
NEVER_INFLECTED = {
    "Bestätigt (%(count)d/%(max)d): %(names)s": "a fraction (3/4) before a colon: no word agrees with the count",
}


def counted_calls_in_python(source: str) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in GETTEXT_NAMES):
            continue
        msgid = node.args[0].value if node.args and isinstance(node.args[0], ast.Constant) else None
        if isinstance(msgid, str) and COUNT.search(msgid):
            found.append((node.lineno, msgid))
    return found


def counted_calls_in_template(source: str) -> list[tuple[int, str]]:
    return [
        (source.count("\n", 0, match.start()) + 1, match["msgid"])
        for match in TEMPLATE_CALL.finditer(source)
        if COUNT.search(match["msgid"])
    ]


def counted_calls_without_plural() -> list[str]:
    places = []
    for path in sorted((ROOT / "volunteers").rglob("*.py")):
        places += [(path, *call) for call in counted_calls_in_python(path.read_text(encoding="utf-8"))]
    for path in sorted((ROOT / "templates").rglob("*.html")):
        places += [(path, *call) for call in counted_calls_in_template(path.read_text(encoding="utf-8"))]
    return [
        f"{path.relative_to(ROOT)}:{line}: {msgid!r}" for path, line, msgid in places if msgid not in NEVER_INFLECTED
    ]


def test_every_counted_text_uses_ngettext():
    places = counted_calls_without_plural()
    assert not places, (
        f"{len(places)} counted text(s) use _() or _l() instead of ngettext() "
        "(Jinja: {% trans count=n %}…{% pluralize %}…{% endtrans %}); "
        "change them, or add the msgid to NEVER_INFLECTED with the reason:\n  " + "\n  ".join(places)
    )


def test_whitelisted_texts_still_exist():
    """A stale entry would let the same msgid back in unnoticed somewhere else."""
    sources = "".join(path.read_text(encoding="utf-8") for path in (ROOT / "volunteers").rglob("*.py"))
    sources += "".join(path.read_text(encoding="utf-8") for path in (ROOT / "templates").rglob("*.html"))
    assert [msgid for msgid in NEVER_INFLECTED if msgid not in sources] == []


@pytest.mark.parametrize(
    "source",
    [
        'x = _("Noch %(count)d Plätze", count=n)',
        "x = _l('%(n)d Einträge')",
        'flash(gettext("Es sind %(count)d Personen", count=3))',
    ],
)
def test_the_scanner_finds_counted_gettext_in_python(source):
    assert len(counted_calls_in_python(source)) == 1


@pytest.mark.parametrize(
    "source",
    [
        '<p>{{ _("%(count)d auf der Warteliste", count=waiting) }}</p>',
        "<p>{{ _('Noch %(n)d\n Plätze', n=3) }}</p>",
    ],
)
def test_the_scanner_finds_counted_gettext_in_templates(source):
    assert len(counted_calls_in_template(source)) == 1


@pytest.mark.parametrize(
    "source",
    [
        'x = ngettext("%(count)d Platz", "%(count)d Plätze", n, count=n)',
        'x = _("Seite %(page)d")',
        'x = obj._("%(count)d Plätze")',
    ],
)
def test_the_scanner_leaves_plurals_and_other_numbers_alone(source):
    assert counted_calls_in_python(source) == []
    assert counted_calls_in_template("{{ " + source.removeprefix("x = ") + " }}") == []


@pytest.mark.parametrize(
    ("count", "free", "free_places", "understaffed"),
    [
        (1, "Noch 1 Platz von 4 frei.", "1 freier Platz", "Unterbesetzt: mindestens 1 Person nötig."),
        (3, "Noch 3 von 4 Plätzen frei.", "3 freie Plätze", "Unterbesetzt: mindestens 3 Personen nötig."),
    ],
)
def test_feed_texts_agree_with_their_number(app, count, free, free_places, understaffed):
    with app.test_request_context(), force_locale("de"):
        texts = Texts()
        assert (texts.free(count, 4), texts.free_places(count), texts.understaffed(count)) == (
            free,
            free_places,
            understaffed,
        )
