#!/usr/bin/python3
"""Expected decodings of wordlist lines, by Python's own ast.literal_eval.

    cd internal/secrets && /usr/bin/python3 testdata/gen_literals.py
"""
import ast
import base64
import json

CASES = [r"'plain'", r'"dq"', r"b'_5#y2L\"F4Q8z\n\xec]/'", r"'\2\1thisismyscretkey\1\2\\e\\y\\y\\h'",
         r"'caf\xe9'", r"b'caf\xe9'", r"'\u2603 snow'", r"r'raw\n'", r"rb'raw\x00'", r"u'uni'",
         r"'tab\there'", r"b'\u1234'", r"'it\'s'", r"'\101\x41\u0041'", r"'\q unknown'", r"'\U0001F600'"]

out = []
for c in CASES:
    v = ast.literal_eval(c)
    b = v if isinstance(v, bytes) else v.encode("utf-8")
    out.append({"literal": c, "b64": base64.b64encode(b).decode()})
with open("testdata/literals.json", "w") as f:
    json.dump(out, f, indent=1)
    f.write("\n")
