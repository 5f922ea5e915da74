"""Compile locale/*/LC_MESSAGES/*.po into .mo files with polib (pure Python).

Django's `compilemessages` needs GNU gettext's msgfmt, which a fresh Debian machine
may not have; `make run` must work without it. Fuzzy and untranslated entries are
left out, so Django falls back to the next catalogue (Django's own, or English).
Exits non-zero, naming the file, if a catalogue cannot be read.
"""

import sys
from pathlib import Path

import polib

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"


def compile_catalogue(po_path: Path) -> int:
    catalogue = polib.pofile(str(po_path))
    keep = polib.POFile()
    keep.metadata = catalogue.metadata
    for entry in catalogue:
        if entry.obsolete or "fuzzy" in entry.flags:
            continue
        if entry.msgid_plural:
            if all(entry.msgstr_plural.values()):
                keep.append(entry)
        elif entry.msgstr:
            keep.append(entry)
    keep.save_as_mofile(str(po_path.with_suffix(".mo")))
    return len(keep)


def main() -> int:
    for po_path in sorted(LOCALE_DIR.glob("*/LC_MESSAGES/*.po")):
        try:
            count = compile_catalogue(po_path)
        except (OSError, ValueError) as exc:
            print(f"{po_path}: {exc}", file=sys.stderr)
            return 1
        print(f"{po_path.relative_to(LOCALE_DIR.parent)}: {count} messages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
