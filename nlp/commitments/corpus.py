"""Commitment annotations on CoNLL-2002 Dutch ``ned.train``: documents, stand-off file, materialising.

Owns how a ``ned.train`` document becomes the text an annotator reads — the layout of
../shared/corpora/commitments-nl (one detokenised sentence per line, whole sentences up to
3,000 characters, documents named ``trainNNN`` by their 0-based position in the file) —, the
stand-off format of ``annotations/ned_train.jsonl`` (it references lines, never holds the text:
CoNLL-2002 is research-use and is not redistributed with the project), the fixed annotation order,
and writing annotated documents out in the commitments-nl layout so that
``score.py --gold <folder>`` scores them.

    python nlp/commitments/corpus.py check        # the detokeniser against the 45 dev documents
    python nlp/commitments/corpus.py order        # the annotation order (seeded shuffle of the rest)
    python nlp/commitments/corpus.py show 117     # a document's numbered lines, to annotate from
    python nlp/commitments/corpus.py materialise  # -> .newsdesk/corpora/commitments-own
    python nlp/commitments/corpus.py stats        # counts for annotations/README.md

``--corpora DIR`` (default ``$NEWSDESK_CORPORA`` or /work/shared/corpora) names the folder with
``conll2002-nl/`` and ``commitments-nl/``. A recipe module: no test needs the corpora.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
ANNOTATIONS = HERE / "annotations" / "ned_train.jsonl"
DEFAULT_CORPORA = Path("/work/shared/corpora")
DEFAULT_OUT = ROOT / ".newsdesk" / "corpora" / "commitments-own"

# The commitments-nl documents keep whole sentences while the text (newline after each line)
# stays within this many characters; longer CoNLL documents are cut there.
MAX_CHARS = 3000
# The annotation order is a shuffle with this seed of every document that is not a dev document:
# sport, culture, economy and politics come as they come, and the sample does not depend on
# which documents looked interesting.
ORDER_SEED = 2002

FIELDS = (
    "actor",
    "speaker",
    "action",
    "kind",
    "polarity",
    "conditional",
    "condition",
    "firmness",
    "deadline_text",
    "deadline",
    "uncertain",
)
KINDS = frozenset({"pledge", "plan", "agreement", "willingness", "intent", "refusal"})
POLARITIES = frozenset({"positive", "negative"})
FIRMNESS = frozenset({"firm", "tentative"})
_DEADLINE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")

_NO_SPACE_BEFORE = re.compile(r" ([,.:;!?)%])")
_NO_SPACE_AFTER = re.compile(r"([(]) ")
# A pair of straight quote tokens is glued to the words it encloses when the opening quote starts
# the sentence or follows a space and the closing quote ends it or precedes a space or one of
# , . : ; ! ?  — so a quote right after "(" or right before ")" keeps its spaces, and an odd quote
# (a quotation that runs over several sentences) stays as it is. This reproduces all 45 dev texts.
_QUOTE_PAIRS = tuple((q, re.compile(rf"(^| ){q} (.+?) {q}(?=$| |[,.:;!?])")) for q in ('"', "'"))


class AnnotationError(ValueError):
    """A stand-off record that does not fit its document or the guidelines' field values."""


def corpora_dir(explicit: str | Path | None = None) -> Path:
    if explicit:
        return Path(explicit)
    env = os.environ.get("NEWSDESK_CORPORA")
    return Path(env) if env else DEFAULT_CORPORA


def read_conll(text: str) -> list[list[list[str]]]:
    """Documents (split at ``-DOCSTART-``) -> sentences -> tokens (the first column)."""
    documents: list[list[list[str]]] = []
    sentence: list[str] = []
    current: list[list[str]] | None = None
    for line in text.splitlines():
        token = line.split(" ", 1)[0]
        if token == "-DOCSTART-" or not line.strip():
            if sentence:
                if current is None:  # text before the first -DOCSTART- is a document too
                    current = []
                    documents.append(current)
                current.append(sentence)
                sentence = []
            if token == "-DOCSTART-":
                current = []
                documents.append(current)
            continue
        sentence.append(token)
    if sentence:
        if current is None:
            current = []
            documents.append(current)
        current.append(sentence)
    return documents


def detokenise(tokens: Sequence[str]) -> str:
    text = _NO_SPACE_AFTER.sub(r"\1", _NO_SPACE_BEFORE.sub(r"\1", " ".join(tokens)))
    for quote, pattern in _QUOTE_PAIRS:
        text = pattern.sub(rf"\1{quote}\2{quote}", text)
    return text


def document_lines(sentences: Sequence[Sequence[str]], max_chars: int = MAX_CHARS) -> list[str]:
    lines: list[str] = []
    used = 0
    for tokens in sentences:
        line = detokenise(tokens)
        if used + len(line) + 1 > max_chars and lines:
            break
        lines.append(line)
        used += len(line) + 1
    return lines


def document_text(lines: Sequence[str]) -> str:
    return "".join(f"{line}\n" for line in lines)


def text_sha1(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def doc_name(index: int) -> str:
    return f"train{index:03d}"


def doc_index(name: str) -> int:
    m = re.fullmatch(r"train(\d+)", name)
    if not m:
        raise AnnotationError(f"not a ned.train document name: {name!r}")
    return int(m.group(1))


@dataclass(frozen=True)
class Document:
    index: int
    lines: tuple[str, ...]

    @property
    def name(self) -> str:
        return doc_name(self.index)

    @property
    def text(self) -> str:
        return document_text(self.lines)


def documents_from_conll(text: str, max_chars: int = MAX_CHARS) -> list[Document]:
    return [Document(i, tuple(document_lines(s, max_chars))) for i, s in enumerate(read_conll(text))]


def load_documents(corpora: Path) -> list[Document]:
    return documents_from_conll((corpora / "conll2002-nl" / "ned.train").read_text(encoding="utf-8"))


def dev_names(corpora: Path) -> list[str]:
    return sorted(p.stem for p in (corpora / "commitments-nl" / "dev" / "docs").glob("train*.txt"))


def annotation_order(count: int, excluded: Iterable[int], seed: int = ORDER_SEED) -> list[int]:
    skip = set(excluded)
    order = [i for i in range(count) if i not in skip]
    random.Random(seed).shuffle(order)
    return order


# --- stand-off <-> commitments-nl layout -------------------------------------------------------


def check_record(record: dict[str, Any], document: Document) -> None:
    """Raise AnnotationError when the record does not belong to this document's text."""
    where = record.get("name", record.get("doc"))
    if record["doc"] != document.index or record["name"] != document.name:
        raise AnnotationError(f"{where}: record names document {record['doc']}, not {document.index}")
    if record["lines"] != len(document.lines) or record["line_sha1"] != text_sha1(document.text):
        raise AnnotationError(f"{where}: the document's text changed since it was annotated (detokeniser drift?)")
    for c in record["commitments"]:
        if set(c) != {"line", *FIELDS}:
            raise AnnotationError(f"{where}: fields {sorted(c)}")
        if not 0 <= c["line"] < len(document.lines):
            raise AnnotationError(f"{where}: line {c['line']} outside the document")
        problems = [
            c["kind"] not in KINDS and "kind",
            c["polarity"] not in POLARITIES and "polarity",
            c["firmness"] not in FIRMNESS and "firmness",
            c["kind"] == "refusal" and c["polarity"] != "negative" and "a refusal is negative",
            bool(c["conditional"]) != bool(c["condition"]) and "conditional without condition",
            c["deadline"] is not None and not _DEADLINE.fullmatch(c["deadline"]) and "deadline format",
            c["deadline"] is not None and not c["deadline_text"] and "deadline without its text",
            not (c["actor"] and c["action"]) and "actor and action",
            not isinstance(c["uncertain"], bool) and "uncertain",
        ]
        bad = [p for p in problems if p]
        if bad:
            raise AnnotationError(f"{where} line {c['line']}: {', '.join(bad)}")


def materialise_record(record: dict[str, Any], document: Document) -> dict[str, Any]:
    """The commitments-nl gold object for one stand-off record (the sentence copied from the text)."""
    check_record(record, document)
    commitments = []
    for c in record["commitments"]:
        commitments.append({"sentence": document.lines[c["line"]], **{k: c[k] for k in FIELDS}})
    return {"doc": document.name, "commitments": commitments, "actor_alts": record.get("actor_alts", {})}


def standoff_record(document: Document, gold: dict[str, Any]) -> dict[str, Any]:
    """The stand-off record of a commitments-nl gold object on this document (sentence -> line)."""
    commitments = []
    for c in gold["commitments"]:
        matches = [i for i, line in enumerate(document.lines) if line == c["sentence"]]
        if not matches:
            raise AnnotationError(f"{document.name}: sentence not in the document: {c['sentence'][:60]!r}")
        # a sentence that occurs twice (page chrome, a repeated subheading) is given as its first line
        commitments.append({"line": matches[0], **{k: c[k] for k in FIELDS}})
    return {
        "doc": document.index,
        "name": document.name,
        "lines": len(document.lines),
        "line_sha1": text_sha1(document.text),
        "commitments": commitments,
        "actor_alts": gold.get("actor_alts", {}),
    }


def read_annotations(path: Path = ANNOTATIONS) -> list[dict[str, Any]]:
    if not path.is_file():
        return []
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    seen: set[int] = set()
    for r in records:
        if r["doc"] in seen:
            raise AnnotationError(f"{r['name']}: annotated twice")
        seen.add(r["doc"])
    return records


def write_annotations(records: Sequence[dict[str, Any]], path: Path = ANNOTATIONS) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")


def materialise(records: Sequence[dict[str, Any]], documents: Sequence[Document], out: Path) -> int:
    """Write docs/NAME.txt and gold/NAME.json under ``out`` for every record; returns the count."""
    (out / "docs").mkdir(parents=True, exist_ok=True)
    (out / "gold").mkdir(parents=True, exist_ok=True)
    by_index = {d.index: d for d in documents}
    for record in records:
        document = by_index.get(record["doc"])
        if document is None:
            raise AnnotationError(f"{record['name']}: no such document in the corpus")
        gold = materialise_record(record, document)
        (out / "docs" / f"{document.name}.txt").write_text(document.text, encoding="utf-8")
        (out / "gold" / f"{document.name}.json").write_text(
            json.dumps(gold, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )
    return len(records)


def read_materialised(folder: Path, documents: Sequence[Document]) -> list[dict[str, Any]]:
    """Stand-off records back from a commitments-nl layout folder (docs/*.txt must be the corpus text)."""
    by_name = {d.name: d for d in documents}
    records = []
    for path in sorted((folder / "gold").glob("*.json")):
        document = by_name[path.stem]
        if (folder / "docs" / f"{path.stem}.txt").read_text(encoding="utf-8") != document.text:
            raise AnnotationError(f"{path.stem}: docs/{path.stem}.txt is not the corpus text")
        records.append(standoff_record(document, json.loads(path.read_text(encoding="utf-8"))))
    return records


def stats(records: Sequence[dict[str, Any]]) -> dict[str, Any]:
    commitments = [c for r in records for c in r["commitments"]]
    kinds: dict[str, int] = {}
    for c in commitments:
        kinds[c["kind"]] = kinds.get(c["kind"], 0) + 1
    return {
        "documents": len(records),
        "documents_without_commitments": sum(1 for r in records if not r["commitments"]),
        "lines": sum(r["lines"] for r in records),
        "commitments": len(commitments),
        "uncertain": sum(1 for c in commitments if c["uncertain"]),
        "certain": sum(1 for c in commitments if not c["uncertain"]),
        "negative": sum(1 for c in commitments if c["polarity"] == "negative"),
        "conditional": sum(1 for c in commitments if c["conditional"]),
        "with_deadline": sum(1 for c in commitments if c["deadline"]),
        "kinds": dict(sorted(kinds.items())),
    }


# --- commands ----------------------------------------------------------------------------------


def _check(corpora: Path, documents: Sequence[Document]) -> int:
    dev = corpora / "commitments-nl" / "dev" / "docs"
    same = 0
    names = dev_names(corpora)
    for name in names:
        expected = (dev / f"{name}.txt").read_text(encoding="utf-8")
        document = documents[doc_index(name)]
        ok = document.text == expected
        same += ok
        first = expected.splitlines()[0] if expected else ""
        found = [d.index for d in documents if d.lines and d.lines[0] == first]
        print(
            f"{name}: ned.train document {doc_index(name)} (0-based; first line found at {found}) "
            f"{'identical' if ok else 'DIFFERS'}"
        )
    print(f"{same} of {len(names)} dev documents reproduced byte for byte; {len(documents)} documents in ned.train")
    return 0 if same == len(names) else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpora", default=None, help="folder with conll2002-nl/ and commitments-nl/")
    parser.add_argument("--annotations", type=Path, default=ANNOTATIONS)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("check", help="reproduce the dev documents' text; the name <-> index mapping")
    sub.add_parser("order", help="the annotation order and which documents are done")
    show = sub.add_parser("show", help="print a document's numbered lines")
    show.add_argument("index", type=int)
    mat = sub.add_parser("materialise", help="write the annotated documents in commitments-nl layout")
    mat.add_argument("out", nargs="?", type=Path, default=DEFAULT_OUT)
    sub.add_parser("stats", help="counts of the stand-off annotations")
    args = parser.parse_args(argv)

    corpora = corpora_dir(args.corpora)
    if args.command == "stats":
        print(json.dumps(stats(read_annotations(args.annotations)), ensure_ascii=False))
        return 0
    documents = load_documents(corpora)
    if args.command == "check":
        return _check(corpora, documents)
    if args.command == "order":
        dev = {doc_index(n) for n in dev_names(corpora)}
        done = {r["doc"] for r in read_annotations(args.annotations)}
        order = annotation_order(len(documents), dev)
        for position, index in enumerate(order):
            print(f"{position:3d} {doc_name(index)} {'done' if index in done else ''}".rstrip())
        return 0
    if args.command == "show":
        document = documents[args.index]
        if document.name in dev_names(corpora):
            print(f"{document.name} is a dev document: never annotate it here", file=sys.stderr)
            return 1
        print(f"# {document.name} lines={len(document.lines)} line_sha1={text_sha1(document.text)}")
        for i, line in enumerate(document.lines):
            print(f"{i:3d} {line}")
        return 0
    records = read_annotations(args.annotations)
    count = materialise(records, documents, args.out)
    print(f"{count} documents written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
