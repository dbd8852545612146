"""Read YAML documents with PyYAML (what Axolotl uses) and print, as JSON, each top-level value's Python type.

Input: a JSON list of file paths on stdin. Output: {path: {key: [type name, value as str]}}.
"""
import json
import sys

import yaml

out = {}
for path in json.load(sys.stdin):
    with open(path, encoding="utf-8") as f:
        doc = yaml.safe_load(f)
    out[path] = {k: [type(v).__name__, str(v)] for k, v in doc.items()}
json.dump(out, sys.stdout)
