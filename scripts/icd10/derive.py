#!/usr/bin/env python3
"""Derives Clinic Desk's ICD-10-CM table from the data shipped in the `simple-icd-10-cm` package.

Writes, into crates/clinic-core/data/icd10cm/:
  codes.tsv.gz  every code a doctor can record (the leaves of the classification, i.e. the billable
                codes), one per line: code (dotted), chapter number, description; sorted by code.
  chapters.tsv  the 22 chapters: number, code range, title (plain text: 22 lines gain nothing from gzip,
                and stay readable in a diff).
  SOURCE.md     where the data came from, its version, licence and how to regenerate it.

It installs nothing. Run it, from the repository root, with a venv holding the pinned package:
  python3 -m venv ~/.cache/clinic-desk/icd-venv
  ~/.cache/clinic-desk/icd-venv/bin/pip install simple-icd-10-cm==1.5.0
  ~/.cache/clinic-desk/icd-venv/bin/python scripts/icd10/derive.py

The output is byte-for-byte reproducible: sorted, no timestamps, gzip mtime 0 and no file name.
"""

import gzip
import hashlib
import importlib.metadata
import io
import pathlib
import re
import sys

# Bumping these is a deliberate edit: read the package's release notes, then rerun.
PACKAGE = "simple-icd-10-cm"
PACKAGE_VERSION = "1.5.0"
# As the package's README says ("the April 2026 release of ICD-10-CM"; the tabular XML says <version>2026</version>).
EDITION = "ICD-10-CM FY2026, April 1, 2026 update"

OUT = pathlib.Path(__file__).resolve().parents[2] / "crates" / "clinic-core" / "data" / "icd10cm"


def main() -> None:
    installed = importlib.metadata.version(PACKAGE)
    if installed != PACKAGE_VERSION:
        sys.exit(f"{PACKAGE} {installed} is installed, this script is pinned to {PACKAGE_VERSION}")
    import simple_icd_10_cm as cm

    chapters = []  # (number, range, title)
    codes = {}  # code -> (chapter, description)
    for chapter in (c for c in cm.get_all_codes() if cm.is_chapter(c)):
        # "Diseases of the skin and subcutaneous tissue (L00-L99)"
        title, code_range = re.fullmatch(r"(.*) \(([A-Z0-9]{3}-[A-Z0-9]{3})\)", cm.get_description(chapter)).groups()
        chapters.append((int(chapter), code_range, title))
        for code in cm.get_descendants(chapter):
            # Only leaves: in ICD-10-CM a code with subdivisions is not valid on a record or a claim
            # (E11 must be coded as E11.9 etc.). Blocks (E08-E13) are never leaves.
            if not cm.is_category_or_subcategory(code) or not cm.is_leaf(code):
                continue
            # The source has a few stray tabs and doubled spaces ("involvement/\tadvanced"); a tab
            # would also break our format.
            description = " ".join(cm.get_description(code).split())
            # A category that is also its own one-category block (B20, F99, R99...) is listed twice.
            assert codes.get(code, (int(chapter), description)) == (int(chapter), description), code
            codes[code] = (int(chapter), description)

    assert [n for n, _, _ in chapters] == list(range(1, 23)), chapters
    assert all(re.fullmatch(r"[A-Z][0-9A-Z][0-9A-Z](\.[0-9A-Z]{1,4})?", c) for c in codes)

    text = "code\tchapter\tdescription\n" + "".join(
        f"{code}\t{chapter}\t{description}\n" for code, (chapter, description) in sorted(codes.items())
    )
    raw = text.encode("utf-8")
    packed = io.BytesIO()
    # mtime 0 and an empty file name: the same input gives the same bytes (with the same zlib).
    with gzip.GzipFile(filename="", mode="wb", compresslevel=9, fileobj=packed, mtime=0) as gz:
        gz.write(raw)

    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "codes.tsv.gz").write_bytes(packed.getvalue())
    (OUT / "chapters.tsv").write_text(
        "number\trange\ttitle\n" + "".join(f"{n}\t{r}\t{t}\n" for n, r, t in chapters), encoding="utf-8"
    )

    data_dir = pathlib.Path(cm.__file__).parent / "data"
    sources = "\n".join(
        f"  - `{p.name}`: sha256 `{hashlib.sha256(p.read_bytes()).hexdigest()}`"
        for p in sorted(data_dir.iterdir())
        if p.suffix in (".txt", ".xml")
    )
    (OUT / "SOURCE.md").write_text(
        f"""# ICD-10-CM code table

Written by `scripts/icd10/derive.py`; do not edit by hand.

- **Code set**: {EDITION}.
- **Taken from**: the data files inside the PyPI package [`{PACKAGE}`](https://pypi.org/project/{PACKAGE}/)
  version **{PACKAGE_VERSION}** (https://github.com/StefanoTrv/simple_icd_10_CM), which copies them from
  https://www.cdc.gov/nchs/icd/icd-10-cm/files.html:
{sources}
- **Licence**: ICD-10-CM is published by the US CDC's National Center for Health Statistics (NCHS) and is in the
  public domain. The package's code is under the MIT licence (Copyright (c) 2021-2026 Stefano Travasci); nothing
  of its code is copied here, only the classification's data as the package parses it (7th-character codes are
  expanded by the package as the CDC's rules say: "parent description, meaning of the 7th character").
- **What is in it**: every leaf of the classification, i.e. every code that can be recorded (billable), with its
  description and chapter: {len(codes):,} codes. Categories that have subdivisions (E11) are left out: ICD-10-CM
  does not accept them on a record; a category with none (I10) is itself a leaf and is in. Whitespace runs in
  descriptions are collapsed to one space.
- **Files**: `codes.tsv.gz` (code, chapter, description; sorted by code; the TSV inside has sha256
  `{hashlib.sha256(raw).hexdigest()}`), `chapters.tsv` (number, range, title).
- **Regenerate** (from the repository root):

      python3 -m venv ~/.cache/clinic-desk/icd-venv
      ~/.cache/clinic-desk/icd-venv/bin/pip install {PACKAGE}=={PACKAGE_VERSION}
      ~/.cache/clinic-desk/icd-venv/bin/python scripts/icd10/derive.py

  The output is byte-for-byte the same on a rerun (gzip with mtime 0 and no file name; the compressed bytes
  assume the standard zlib, the TSV's sha256 above does not).
""",
        encoding="utf-8",
    )
    size = len(packed.getvalue())
    print(f"{len(codes)} codes, {len(chapters)} chapters; codes.tsv.gz {size:,} bytes ({len(raw):,} unpacked)")


if __name__ == "__main__":
    main()
