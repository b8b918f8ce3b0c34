#!/usr/bin/env python3
"""Write the `spec` of each PrometheusRule to its own file, so that
`promtool check rules` can check it as a plain rule file.

Usage: extract_spec.py OUT_DIR PRULE.yaml...
Prints one line per input: the file it wrote. The spec is re-emitted with
ruamel.yaml's round-trip dumper, which keeps every scalar's quoting as written.
Exit 1 when an input is not a single PrometheusRule with a `spec` mapping.
"""
import pathlib
import sys

from ruamel.yaml import YAML


def main(argv):
    if len(argv) < 2:
        print("usage: extract_spec.py OUT_DIR PRULE.yaml...", file=sys.stderr)
        return 2
    out_dir = pathlib.Path(argv[0])
    out_dir.mkdir(parents=True, exist_ok=True)
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096
    status = 0
    for i, name in enumerate(argv[1:]):
        try:
            docs = [d for d in yaml.load_all(pathlib.Path(name)) if d is not None]
        except Exception as e:  # noqa: BLE001 - any reader failure fails the file
            print(f"{name}: cannot read: {e}", file=sys.stderr)
            status = 1
            continue
        if len(docs) != 1 or not isinstance(docs[0], dict):
            print(f"{name}: want exactly one YAML mapping, found {len(docs)} document(s)", file=sys.stderr)
            status = 1
            continue
        doc = docs[0]
        if doc.get("kind") != "PrometheusRule" or not isinstance(doc.get("spec"), dict):
            print(f"{name}: not a PrometheusRule with a spec mapping (kind: {doc.get('kind')!r})", file=sys.stderr)
            status = 1
            continue
        # named after the input, so promtool's messages say which file failed
        flat = "__".join(pathlib.Path(name).with_suffix("").parts).lstrip("_.")
        out = out_dir / f"{i:04d}-{flat}.spec.yml"
        with out.open("w", encoding="utf-8") as f:
            f.write(f"# spec of {name}\n")
            yaml.dump(doc["spec"], f)
        print(out)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
