"""`newsdesk analyze` with each file's held-out fold scorer (a helper of commitments_eval.py).

    python bench/_fold_analyze.py --folds DIR FILE...

DIR holds folds.json (lists of document names, one list per fold) and foldN.json (the scorer
fitted without fold N). Each file is analysed by the product's own command, `newsdesk analyze
--format jsonl`, with NEWSDESK_COMMITMENT_SCORER set to the scorer that never saw it; the JSON
lines come out in the order of the files, as `newsdesk analyze` prints them. commitments-nl's
score.py runs this as its analyzer command, so the held-out figure is the product path's.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--folds", type=Path, required=True)
    ap.add_argument("files", nargs="+")
    args = ap.parse_args(argv)
    folds = json.loads((args.folds / "folds.json").read_text(encoding="utf-8"))
    fold_of = {name: n for n, names in enumerate(folds) for name in names}
    groups: dict[int, list[str]] = {}
    for name in args.files:
        stem = Path(name).stem
        if stem not in fold_of:
            sys.exit(f"{name}: in no fold of {args.folds / 'folds.json'}")
        groups.setdefault(fold_of[stem], []).append(name)
    lines: dict[str, str] = {}
    newsdesk = str(Path(sys.executable).parent / "newsdesk")
    for n, names in sorted(groups.items()):
        env = {**os.environ, "NEWSDESK_COMMITMENT_SCORER": str(args.folds / f"fold{n}.json")}
        out = subprocess.run(
            [newsdesk, "analyze", "--format", "jsonl", *names], cwd=ROOT, env=env, capture_output=True, text=True
        )
        if out.returncode != 0:
            sys.exit(f"newsdesk analyze failed on fold {n} ({out.returncode}): {out.stderr[-2000:]}")
        rows = [line for line in out.stdout.splitlines() if line.startswith("{")]
        if len(rows) != len(names):
            sys.exit(f"newsdesk analyze printed {len(rows)} objects for {len(names)} files")
        lines.update(zip(names, rows, strict=True))
    for name in args.files:
        print(lines[name])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
