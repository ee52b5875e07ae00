"""Fill the catalogues from ``pending/*.json`` translation lists (then delete those files).

Usage: ``.venv/bin/python server/locale/apply_pending.py [files...]`` (default: every
``server/locale/pending/*.json``). Each file is a JSON list of
``{"id": msgid, "ru": str, "sv": str, "nb": str}`` or, for plural messages,
``{"id": singular, "plural": plural, "ru": [3 forms], "sv": [2], "nb": [2]}``. An entry
fills only messages present in the catalogue (run ``pybabel update`` first), and reports
any id the catalogue does not have.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

HERE = Path(__file__).parent


def main(files: list[Path]) -> None:
    entries = [e for f in files for e in json.loads(f.read_text(encoding="utf-8"))]
    for lang in ("ru", "sv", "nb"):
        po = HERE / lang / "LC_MESSAGES" / "messages.po"
        with po.open("rb") as fh:
            catalog = read_po(fh, locale=lang)
        missing = []
        for entry in entries:
            key = entry["id"]
            message = catalog.get(key)
            if message is None:
                missing.append(key)
                continue
            value = entry[lang]
            message.string = tuple(value) if isinstance(value, list) else value
            message.flags.discard("fuzzy")
        with po.open("wb") as fh:
            write_po(fh, catalog, width=100, sort_output=True, omit_header=False)
        if missing:
            print(f"{lang}: {len(missing)} ids not in the catalogue: {missing[:5]}")


if __name__ == "__main__":
    args = [Path(a) for a in sys.argv[1:]] or sorted((HERE / "pending").glob("*.json"))
    main(args)
