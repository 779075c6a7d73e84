"""Name counts from an annotated Dutch corpus larger than CoNLL-2002, for the entity typer.

    .venv/bin/python nlp/outside_names.py [--work nlp/.work]   # prints what it read

Frog, the Dutch NLP suite of Tilburg University and the University of Antwerp, ships with its NER
a lexicon of the corpus it was trained on: SoNaR-1, about a million words of Dutch (news,
magazines, websites, Wikipedia, manuals, ...), every word with how often it began or continued a
person (per), organisation (org), location (loc), product (pro), event (eve) or other name (misc),
or no name (O). Debian packages it as `frogdata` (GPL-3+); this module reads that file,
`/usr/share/frog/nld/nergen.data.lex`, from the installed package, or else from the package
fetched with `apt-get download frogdata` into the work folder (apt's own registry, nothing else).

The typer keeps the counts of the capitalised words that were part of a name at least once, in
the classes of ``typer.NAME_CLASSES``: PER, ORG, LOC, MISC (misc, pro and eve: CoNLL-2002 calls
products and events MISC) and O. SoNaR's conventions are not CoNLL's (it calls "Belgische" a
location, CoNLL calls it MISC): the counts are features whose weights the typer learns on CoNLL,
not labels. They are read when the typer is trained and saved in its files: nothing is read from
Debian at run time.

Owns where the file comes from and how its columns map to the typer's classes.
"""

from __future__ import annotations

import argparse
import logging
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "plugins"))

from newsdesk.analyze.typer import NAME_CLASSES  # noqa: E402

log = logging.getLogger("outside_names")

PACKAGE = "frogdata"
LEXICON = Path("usr/share/frog/nld/nergen.data.lex")
# SoNaR's name types -> the typer's classes
CLASS_OF = {"per": "PER", "org": "ORG", "loc": "LOC", "misc": "MISC", "pro": "MISC", "eve": "MISC"}


def lexicon_file(work: Path, installed_root: Path = Path("/")) -> Path:
    """The lexicon of the installed package, else of the package downloaded into ``work``."""
    for root in (installed_root, work / PACKAGE):
        if (root / LEXICON).is_file():
            return root / LEXICON
    target = work / PACKAGE
    target.mkdir(parents=True, exist_ok=True)
    for tool in ("apt-get", "dpkg-deb", "tar"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is needed to fetch Debian's {PACKAGE} (or install it: apt-get install {PACKAGE})")
    log.info("fetching Debian's %s into %s", PACKAGE, target)
    subprocess.run(["apt-get", "download", PACKAGE], cwd=target, check=True)
    debs = sorted(target.glob(f"{PACKAGE}_*.deb"))
    if not debs:
        raise SystemExit(f"apt-get download {PACKAGE} left no .deb in {target}")
    # only the one file (the package unpacks to about 250 MB)
    archive = subprocess.run(["dpkg-deb", "--fsys-tarfile", str(debs[-1])], check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(target), f"./{LEXICON}"], input=archive, check=True)
    if not (target / LEXICON).is_file():
        raise SystemExit(f"{debs[-1].name} holds no {LEXICON}")
    return target / LEXICON


def read_counts(lines: list[str] | Path) -> dict[str, list[int]]:
    """Capitalised word -> counts in ``NAME_CLASSES`` order, for words that were part of a name.

    A line is ``total word tag:count ...`` with tags such as ``B-org``, ``I-per`` and ``O``.
    """
    if isinstance(lines, Path):
        lines = lines.read_text(encoding="utf-8", errors="replace").splitlines()
    index = {name: i for i, name in enumerate(NAME_CLASSES)}
    out: dict[str, list[int]] = {}
    for number, line in enumerate(lines, 1):
        parts = line.split()
        if len(parts) < 3 or not parts[1][:1].isupper():
            continue
        counts = [0] * len(NAME_CLASSES)
        for item in parts[2:]:
            tag, _, count = item.rpartition(":")
            kind = "O" if tag == "O" else CLASS_OF.get(tag.partition("-")[2])
            if kind is None or not count.isdigit():
                raise ValueError(f"line {number}: unknown tag or count {item!r}")
            counts[index[kind]] += int(count)
        if any(counts[index[name]] for name in NAME_CLASSES if name != "O"):
            out[parts[1]] = counts
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=HERE / ".work")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    path = lexicon_file(args.work)
    counts = read_counts(path)
    totals = [sum(column) for column in zip(*counts.values(), strict=True)]
    print(f"{path}: {len(counts)} capitalised name words; counts {dict(zip(NAME_CLASSES, totals, strict=True))}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
