"""Citizens read Vietnamese first: the vi catalogue is complete, and every template string is in it."""

from __future__ import annotations

import io
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]


def catalogue(language: str):
    with (ROOT / "translations" / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=language)


def test_vietnamese_catalogue_has_no_fuzzy_or_empty_entries():
    entries = [m for m in catalogue("vi") if m.id]
    assert entries
    assert [m.id for m in entries if m.fuzzy] == []
    assert [m.id for m in entries if not m.string or (isinstance(m.string, tuple) and not all(m.string))] == []


def test_every_string_in_the_code_is_in_the_catalogue():
    method_map = [("survey/**.py", "python"), ("templates/**.html", "jinja2")]
    found = {
        message[2] if isinstance(message[2], str) else message[2][0]
        for message in extract_from_dir(
            str(ROOT),
            method_map,
            keywords={"_": None, "gettext": None, "lazy_gettext": None, "_l": None, "ngettext": (1, 2)},
        )
    }
    known = {m.id if isinstance(m.id, str) else m.id[0] for m in catalogue("vi") if m.id}
    assert sorted(found - known) == [], "run make translations-update and translate the new strings"


def test_compiled_catalogues_match_their_sources():
    """The .mo files the service loads hold exactly what the .po files say (make translations-compile)."""
    for language in ("vi", "en"):
        compiled = io.BytesIO()
        write_mo(compiled, catalogue(language))
        mo_file = ROOT / "translations" / language / "LC_MESSAGES" / "messages.mo"
        with mo_file.open("rb") as handle:
            shipped = {_key(m.id): _key(m.string) for m in read_mo(handle) if m.id}
        expected = {_key(m.id): _key(m.string) for m in read_mo(io.BytesIO(compiled.getvalue())) if m.id}
        assert shipped == expected, f"{language}: run make translations-compile"


def _key(value):
    """Plural entries come back from a .mo file as lists: compare them as tuples."""
    return tuple(value) if isinstance(value, list) else value
