#!/usr/bin/python3
"""Generate real tokens with PyJWT (Debian's python3-jwt) as fixtures.

    /usr/bin/python3 internal/jwt/testdata/gen.py > internal/jwt/testdata/tokens.json

Claims are written with sorted keys so that a Go signer that sorts keys must produce the same bytes.
"""

import base64
import json
import sys

import jwt

KEYS = {
    "secret": b"secret",
    "jwtio": b"your-256-bit-secret",
    "unlisted": b"e9a1c0-rampart-fixture-jwt-key-not-in-any-list-4b7d22",
    "long": b"k" * 200,  # longer than every HMAC block size: hashed first
}
WRONG = [b"Secret", b"secret ", b"", b"your-256-bit-secret!", b"k" * 199]

CLAIMS = {
    "plain": {"sub": "1", "username": "alice", "role": "user", "iat": 1700000000},
    "expired": {"sub": "2", "iat": 1500000000, "exp": 1500000900},
    "noexp": {"sub": "3", "iat": 1700000000},
    "unicode": {"name": "caf\u00e9", "sub": "4", "nested": {"a": [1, 2, {"b": None}]}},
}


def sorted_claims(c):
    return dict(sorted(c.items()))


def b64(b):
    return base64.b64encode(b).decode()


def main():
    out = {"pyjwt": jwt.__version__, "tokens": []}
    for kname, key in KEYS.items():
        for alg in ("HS256", "HS384", "HS512"):
            for cname, claims in CLAIMS.items():
                tok = jwt.encode(sorted_claims(claims), key, algorithm=alg)
                out["tokens"].append({
                    "name": "%s/%s/%s" % (kname, alg, cname), "token": tok, "alg": alg,
                    "key_b64": b64(key), "claims": claims, "wrong_keys_b64": [b64(w) for w in WRONG],
                })
    tok = jwt.encode(sorted_claims(CLAIMS["plain"]), "secret", algorithm="HS256", headers={"kid": "key-1"})
    out["tokens"].append({"name": "secret/HS256/kid", "token": tok, "alg": "HS256", "key_b64": b64(b"secret"),
                          "claims": CLAIMS["plain"], "wrong_keys_b64": [b64(w) for w in WRONG]})
    # PyJWT's own alg=none token: unsigned, empty signature.
    tok = jwt.encode(sorted_claims(CLAIMS["plain"]), None, algorithm="none")
    out["tokens"].append({"name": "none", "token": tok, "alg": "none", "key_b64": "", "claims": CLAIMS["plain"],
                          "wrong_keys_b64": []})
    json.dump(out, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
