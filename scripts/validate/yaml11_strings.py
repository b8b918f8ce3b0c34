#!/usr/bin/env python3
"""YAML 1.1 safety check: read each file as YAML 1.1 (what Kubernetes' go-yaml,
Prometheus and Alertmanager do) and as YAML 1.2 core schema (what the files
mean when written by a YAML 1.2 serializer), and fail on every scalar whose
type, or numeric value, differs between the two readings: an unquoted `no`
that 1.1 reads as false, `12:30` as the integer 750, `2024-01-01` as a date,
`1_000` as 1000, `012` as octal 10.

Usage: yaml11_strings.py FILE...   (exit 0: all agree; 1: differences; 2: unreadable)
Runs in the venv of scripts/install-tools.sh (PyYAML + ruamel.yaml).
"""
import datetime
import math
import re
import sys

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.resolver import BaseResolver


class Yaml11Loader(yaml.SafeLoader):
    """PyYAML's safe loader plus the YAML 1.1 booleans it leaves out but
    go-yaml v2 (sigs.k8s.io/yaml) reads: y, Y, n, N."""

    bool_values = dict(yaml.SafeLoader.bool_values, y=True, n=False)


Yaml11Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:y|Y|n|N)$"), list("yYnN")
)


class Core12Resolver(BaseResolver):
    """The YAML 1.2 core schema (spec 1.2.2, 10.3.2) and nothing else: no
    timestamps, no underscores in numbers, no sexagesimals, no yes/no/on/off."""

    def __init__(self, version=None, loader=None, loadumper=None):
        BaseResolver.__init__(self, loadumper if loadumper is not None else loader)

    @property
    def processing_version(self):
        return (1, 2)


for tag, pattern, first in [
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", list("tTfF")),
    ("tag:yaml.org,2002:int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", list("-+0123456789")),
    (
        "tag:yaml.org,2002:float",
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        list("-+.0123456789"),
    ),
]:
    # the _base variant: add_implicit_resolver would also change ruamel's own resolvers
    Core12Resolver.add_implicit_resolver_base(tag, re.compile(pattern), first)


def core12_scalar(node_value, tag):
    """Construct a core-schema scalar ourselves, so no 1.1 rule of the
    constructor (octal 012, underscores) leaks in."""
    if tag.endswith(":null"):
        return None
    if tag.endswith(":bool"):
        return node_value.lower() == "true"
    if tag.endswith(":int"):
        if node_value.startswith("0o"):
            return int(node_value[2:], 8)
        if node_value.startswith("0x"):
            return int(node_value[2:], 16)
        return int(node_value, 10)
    if tag.endswith(":float"):
        v = node_value.lower()
        if v.endswith(".inf"):
            return -math.inf if v.startswith("-") else math.inf
        if v == ".nan":
            return math.nan
        return float(v)
    return node_value


def load_12(text):
    y = YAML(typ="safe", pure=True)
    y.version = (1, 2)
    y.Resolver = Core12Resolver
    for tag in ("null", "bool", "int", "float"):
        y.constructor.add_constructor(
            f"tag:yaml.org,2002:{tag}",
            lambda c, node: core12_scalar(c.construct_scalar(node), str(node.tag)),
        )
    return list(y.load_all(text))


def load_11(text):
    return list(yaml.load_all(text, Loader=Yaml11Loader))


def kind(v):
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        return "int"
    if isinstance(v, float):
        return "float"
    if isinstance(v, datetime.datetime):
        return "timestamp"
    if isinstance(v, datetime.date):
        return "date"
    if v is None:
        return "null"
    if isinstance(v, (bytes, bytearray)):
        return "binary"
    if isinstance(v, str):
        return "str"
    if isinstance(v, dict):
        return "map"
    if isinstance(v, (list, tuple)):
        return "seq"
    return type(v).__name__


def same_number(a, b):
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return a == b


def compare(a, b, path, out):
    ka, kb = kind(a), kind(b)
    if ka != kb:
        out.append(f"{path}: YAML 1.1 reads {ka} {a!r}, YAML 1.2 reads {kb} {b!r}")
        return
    if ka == "map":
        ia, ib = list(a.items()), list(b.items())
        if len(ia) != len(ib):
            out.append(
                f"{path}: YAML 1.1 reads {len(ia)} keys, YAML 1.2 reads {len(ib)} "
                f"(keys collide in 1.1: {sorted(map(repr, a))} vs {sorted(map(repr, b))})"
            )
            return
        for (k1, v1), (k2, v2) in zip(ia, ib):
            sub = f"{path}.{k2}" if path else str(k2)
            if kind(k1) != kind(k2) or (kind(k1) in ("int", "float") and not same_number(k1, k2)):
                out.append(f"{sub} (key): YAML 1.1 reads {kind(k1)} {k1!r}, YAML 1.2 reads {kind(k2)} {k2!r}")
            compare(v1, v2, sub, out)
    elif ka == "seq":
        if len(a) != len(b):
            out.append(f"{path}: sequence lengths differ ({len(a)} vs {len(b)})")
            return
        for i, (x, y) in enumerate(zip(a, b)):
            compare(x, y, f"{path}[{i}]", out)
    elif ka in ("int", "float") and not same_number(a, b):
        out.append(f"{path}: YAML 1.1 reads {ka} {a!r}, YAML 1.2 reads {kb} {b!r}")


def main(files):
    if not files:
        print(__doc__.strip().splitlines()[-2], file=sys.stderr)
        return 2
    status = 0
    for name in files:
        try:
            with open(name, encoding="utf-8") as f:
                text = f.read()
            docs11, docs12 = load_11(text), load_12(text)
        except Exception as e:  # noqa: BLE001 - any reader failure fails the file
            print(f"{name}: cannot read: {e}")
            status = max(status, 2)
            continue
        diffs = []
        if len(docs11) != len(docs12):
            diffs.append(f"document count differs ({len(docs11)} vs {len(docs12)})")
        for i, (d11, d12) in enumerate(zip(docs11, docs12)):
            found = []
            compare(d11, d12, "", found)
            prefix = f"doc {i}: " if len(docs11) > 1 else ""
            diffs += [prefix + (d or "<root>") for d in found]
        for d in diffs:
            print(f"{name}: {d}")
        if diffs:
            status = max(status, 1)
    if status == 0:
        print(f"yaml11_strings: {len(files)} file(s), no YAML 1.1/1.2 differences")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
