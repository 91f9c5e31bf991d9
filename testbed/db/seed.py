#!/usr/bin/python3
"""Create the schema of one twin and load its seed data.

Usage: seed.py --url DATABASE_URL --schema testbed/<twin>/schema.sql [--hash-cache FILE]

Drops every table and sequence named in the schema file, creates them again and
inserts the seed rows, so running it twice gives the same database. The bearer
tokens of alice, bob and carol come from TB_ALICE_TOKEN, TB_BOB_TOKEN and
TB_CAROL_TOKEN and are stored as SHA-256 hashes, so the same token values work
on both twins and survive a reset.
"""

import argparse
import hashlib
import json
import os
import re
import sys

import psycopg2
from psycopg2 import sql
from psycopg2.extras import Json
from werkzeug.security import generate_password_hash

TENANTS = [
    (1, "acme", "Acme Payments Ltd"),
    (2, "globex", "Globex Corporation"),
]

# id, tenant, username, display name, email, role, password, bio, locale, settings
USERS = [
    (1, 1, "alice", "Alice Liddell", "alice.liddell@acme.example", "user", "wonderland-2024",
     "Finance lead. Late for a very important date.", "en-GB",
     {"timezone": "Europe/London", "notifications": {"email": True, "sms": False}, "statement_day": 1}),
    (2, 1, "bob", "Bob Martin", "bob.martin@acme.example", "user", "can-we-fix-it-2024",
     "Site operations and fleet maintenance.", "en-GB",
     {"timezone": "Europe/London", "notifications": {"email": True, "sms": True}, "statement_day": 15}),
    (3, 1, "carol", "Carol Danvers", "carol.danvers@acme.example", "admin", "higher-further-faster-2024",
     "Platform administrator.", "en-US",
     {"timezone": "America/New_York", "notifications": {"email": True, "sms": False}, "statement_day": 1}),
    (4, 1, "dave", "Dave Lister", "dave.lister@acme.example", "user", "red-dwarf-3000",
     "", "en-GB", {"timezone": "Europe/London", "notifications": {"email": False, "sms": False}}),
    (5, 1, "erin", "Erin Brockovich", "erin.b@acme.example", "user", "hinkley-1993",
     "Compliance and legal.", "en-US", {"timezone": "America/Los_Angeles", "notifications": {"email": True}}),
    (6, 2, "frank", "Frank Poole", "frank.poole@globex.example", "user", "discovery-one-2001",
     "", "en-US", {"timezone": "America/Chicago", "notifications": {"email": True}}),
    (7, 2, "grace", "Grace Hopper", "grace.hopper@globex.example", "admin", "cobol-1959-nanosecond",
     "Globex administrator.", "en-US", {"timezone": "America/New_York", "notifications": {"email": True}}),
    (8, 2, "heidi", "Heidi Weber", "heidi.weber@globex.example", "user", "matterhorn-4478",
     "", "de-DE", {"timezone": "Europe/Berlin", "notifications": {"email": True, "sms": True}}),
]

# id, owner, display name, kind, currency, balance, iban
ACCOUNTS = [
    (1, 1, "Alice Liddell", "current", "EUR", "2450.00", "GB33ACME40051512345678"),
    (2, 2, "Bob Martin", "current", "EUR", "1320.50", "GB94ACME40051587654321"),
    (3, 3, "Carol Danvers", "current", "EUR", "5000.00", "GB71ACME40051511223344"),
    (4, 4, "Dave Lister", "current", "EUR", "812.40", "GB12ACME40051599887766"),
    (5, 5, "Erin Brockovich", "current", "EUR", "150.75", "GB55ACME40051544556677"),
    (6, 6, "Frank Poole", "current", "USD", "3000.00", "US20GLBX00000000061234"),
    (7, 7, "Grace Hopper", "current", "USD", "12040.00", "US48GLBX00000000071959"),
    (8, 8, "Heidi Weber", "current", "EUR", "640.10", "DE44GLBX50010517000008"),
    (900001, 1, "Alice Savings", "savings", "EUR", "10000.00", "GB08ACME40051500900001"),
    (900002, 2, "Bob Rainy Day", "savings", "EUR", "2200.00", "GB80ACME40051500900002"),
    (900003, 4, "Dave Curry Fund", "savings", "EUR", "95.00", "GB52ACME40051500900003"),
]

# owner, title, body, pinned, age in days
NOTES = [
    (1, "Q3 vendor payments",
     "Pay Hatter & Co invoice INV-2291 (EUR 1,240.00) before the 15th. Ref alice-q3-7f3a.", True, 12),
    (1, "Tea party guest list", "March Hare, Dormouse, Hatter. Ask the Queen's office about parking.", False, 9),
    (1, "Card PIN reminder", "New corporate card arrives Friday; activation code is in the drawer.", False, 3),
    (2, "Site visit checklist", "Hard hats, hi-vis, gate code 4471 for the Bobsville depot.", True, 20),
    (2, "Scoop maintenance log", "Hydraulic pressure 3200 psi, replace left track seal. Ref bob-scoop-19c2.", False, 4),
    (3, "Quarterly access review", "Revoke dave's old VPN key; review admin group membership by Friday.", True, 7),
    (4, "Curry order", "Vindaloo x2, poppadoms, mango chutney.", False, 1),
    (6, "Mission log", "Pod bay doors stuck again, raise with HAL support.", False, 30),
    (8, "Alpine trip", "Zermatt, second week of August, book the hut early.", False, 14),
]

# owner, from, to, amount, memo, age in days
TRANSFERS = [
    (1, 1, 2, "120.00", "Team lunch", 10),
    (2, 2, 1, "45.50", "Taxi share", 8),
    (1, 900001, 1, "500.00", "Top up current account", 6),
    (4, 4, 2, "12.00", "Coffee fund", 2),
    (3, 3, 5, "300.00", "Conference travel advance", 1),
]

# code, tenant, owner (None = public promotion), description, value, max uses, remaining, active, expires (days)
COUPONS = [
    ("WELCOME10", 1, None, "Welcome credit for new customers", "10.00", 1000, 987, True, 365),
    ("SPRING25", 1, None, "Spring promotion", "25.00", 250, 250, True, 90),
    ("SUMMER15", 1, None, "Last summer's promotion", "15.00", 500, 212, True, -30),
    ("LAUNCH50", 1, None, "Launch week credit (paused)", "50.00", 100, 40, False, 365),
    ("GLOBEX20", 2, None, "Globex staff credit", "20.00", 50, 50, True, 365),
]
for _i in range(1, 9):
    COUPONS.append(("CASHBACK-A%d" % _i, 1, 1, "Cashback voucher", "5.00", 1, 1, True, 60))
    COUPONS.append(("CASHBACK-B%d" % _i, 1, 2, "Cashback voucher", "5.00", 1, 1, True, 60))
for _i in range(1, 4):
    COUPONS.append(("CASHBACK-C%d" % _i, 1, 3, "Cashback voucher", "5.00", 1, 1, True, 60))

REDEMPTIONS = [("WELCOME10", 1, 1, "10.00", 40), ("WELCOME10", 2, 2, "10.00", 35)]

SEED_TOKENS = [("alice", 1, "TB_ALICE_TOKEN"), ("bob", 2, "TB_BOB_TOKEN"), ("carol", 3, "TB_CAROL_TOKEN")]


def password_hashes(cache_path):
    cache = {}
    if cache_path and os.path.exists(cache_path):
        with open(cache_path) as f:
            cache = json.load(f)
    changed = False
    for u in USERS:
        pw = u[6]
        if pw not in cache:
            cache[pw] = generate_password_hash(pw)
            changed = True
    if cache_path and changed:
        tmp = "%s.%d.tmp" % (cache_path, os.getpid())
        with open(tmp, "w") as f:
            json.dump(cache, f, indent=1)
        os.replace(tmp, cache_path)
    return cache


def token_hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--schema", required=True)
    ap.add_argument("--hash-cache")
    args = ap.parse_args()

    with open(args.schema) as f:
        schema = f.read()
    tables = re.findall(r"CREATE TABLE (\w+)", schema)
    sequences = re.findall(r"CREATE SEQUENCE (\w+)", schema)
    tokens = []
    for name, uid, var in SEED_TOKENS:
        value = os.environ.get(var)
        if not value:
            sys.exit("seed.py: %s is not set" % var)
        tokens.append((token_hash(value), uid))
    hashes = password_hashes(args.hash_cache)

    conn = psycopg2.connect(args.url)
    with conn, conn.cursor() as cur:
        for t in reversed(tables):
            cur.execute(sql.SQL("DROP TABLE IF EXISTS {} CASCADE").format(sql.Identifier(t)))
        for s in sequences:
            cur.execute(sql.SQL("DROP SEQUENCE IF EXISTS {}").format(sql.Identifier(s)))
    with conn, conn.cursor() as cur:
        cur.execute(schema)
    with conn, conn.cursor() as cur:
        cur.executemany("INSERT INTO tenants (id, slug, name) VALUES (%s, %s, %s)", TENANTS)
        for (uid, tenant, username, display, email, role, pw, bio, locale, settings) in USERS:
            cur.execute(
                "INSERT INTO users (id, tenant_id, username, email, display_name, bio, locale,"
                " password_hash, role, is_admin, settings, created_at)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, now() - interval '400 days' + %s * interval '17 days')",
                (uid, tenant, username, email, display, bio, locale, hashes[pw], role, role == "admin",
                 Json(settings), uid),
            )
        tenant_of = {u[0]: u[1] for u in USERS}
        for (aid, owner, display, kind, currency, balance, iban) in ACCOUNTS:
            cur.execute(
                "INSERT INTO accounts (id, owner_id, tenant_id, display_name, kind, currency, balance, iban, created_at)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, now() - interval '300 days')",
                (aid, owner, tenant_of[owner], display, kind, currency, balance, iban),
            )
        for th, uid in tokens:
            cur.execute(
                "INSERT INTO tokens (token_hash, user_id, label, expires_at)"
                " VALUES (%s, %s, 'seed', now() + interval '365 days')",
                (th, uid),
            )
        for (owner, title, body, pinned, age) in NOTES:
            cur.execute(
                "INSERT INTO notes (owner_id, tenant_id, title, body, pinned, created_at, updated_at)"
                " VALUES (%s, %s, %s, %s, %s, now() - %s * interval '1 day', now() - %s * interval '1 day')",
                (owner, tenant_of[owner], title, body, pinned, age, age / 2.0),
            )
        currency_of = {a[0]: a[4] for a in ACCOUNTS}
        for (owner, src, dst, amount, memo, age) in TRANSFERS:
            cur.execute(
                "INSERT INTO transfers (owner_id, tenant_id, from_account_id, to_account_id, amount, currency, memo,"
                " created_at) VALUES (%s, %s, %s, %s, %s, %s, %s, now() - %s * interval '1 day')",
                (owner, tenant_of[owner], src, dst, amount, currency_of[src], memo, age),
            )
        for (code, tenant, owner, desc, value, max_uses, remaining, active, expires) in COUPONS:
            cur.execute(
                "INSERT INTO coupons (code, tenant_id, owner_id, description, value, max_uses, remaining, active,"
                " expires_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, now() + %s * interval '1 day')",
                (code, tenant, owner, desc, value, max_uses, remaining, active, expires),
            )
        for (code, uid, account, amount, age) in REDEMPTIONS:
            cur.execute(
                "INSERT INTO coupon_redemptions (coupon_code, user_id, account_id, amount, redeemed_at)"
                " VALUES (%s, %s, %s, %s, now() - %s * interval '1 day')",
                (code, uid, account, amount, age),
            )
    conn.close()


if __name__ == "__main__":
    main()
