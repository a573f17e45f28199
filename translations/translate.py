"""Set translations in a catalogue from a JSON object {msgid: translation}; prints what is still missing.

    python translations/translate.py vi new-strings.json

Run `make translations-update` first so the msgids exist, and `make translations-compile` after.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po


def main(language: str, source: str) -> int:
    path = Path(__file__).parent / language / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    translations = json.loads(Path(source).read_text(encoding="utf-8"))
    for message in catalog:
        if message.id and isinstance(message.id, str) and message.id in translations:
            message.string = translations[message.id]
            message.flags.discard("fuzzy")
    with path.open("wb") as handle:
        write_po(handle, catalog, width=110, sort_output=True, no_location=True)
    missing = [m.id for m in catalog if m.id and not m.string]
    for msgid in missing:
        print(f"untranslated: {msgid!r}")
    return 1 if missing and language == "vi" else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
