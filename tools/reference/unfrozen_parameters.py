"""Independent reference for Axolotl's unfrozen_parameters matching: each pattern has its '.' made
literal (pattern.replace('.', '\\.')) and a parameter is unfrozen iff re.match of any pattern hits its name.
stdin: {"patterns": [...], "names": [...]}; stdout: JSON list of booleans (trainable per name)."""
import json
import re
import sys

data = json.load(sys.stdin)
compiled = [re.compile(p.replace(".", "\\.")) for p in data["patterns"]]
print(json.dumps([any(c.match(n) for c in compiled) for n in data["names"]]))
