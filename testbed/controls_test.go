package testbed_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// TestControls checks behaviour that is correct on BOTH twins: the routes that are not in the
// ground truth must work, and their access checks must hold, so that a scanner reporting them is
// wrong on either twin.
func TestControls(t *testing.T) {
	tb := requireTestbed(t)
	for _, w := range tb.twins() {
		t.Run(w.name, func(t *testing.T) {
			t.Run("identity", func(t *testing.T) {
				expectStatus(t, w.get(t, "/me", ""), 401)
				expectStatus(t, w.get(t, "/me", "not-a-token"), 401)
				for token, name := range map[string]string{tb.alice: "alice", tb.bob: "bob", tb.carol: "carol"} {
					me := w.get(t, "/me", token)
					expectStatus(t, me, 200)
					if me.json(t)["username"] != name {
						t.Fatalf("token of %s is %s", name, me)
					}
				}
				token, login := w.login(t, "alice", alicePassword)
				expectStatus(t, w.get(t, "/me", token), 200)
				cookie := sessionCookie(login)
				me := w.do(t, req{path: "/me", headers: map[string]string{"Cookie": "session=" + cookie}})
				expectStatus(t, me, 200)
				if me.json(t)["username"] != "alice" {
					t.Fatalf("session cookie is not alice: %s", me)
				}
				// (a wrong password for a user nobody else uses: failures count towards the secure twin's throttle)
				bad := w.do(t, req{method: "POST", path: "/login", body: map[string]string{"username": "nobody-" + randomHex(4), "password": "nope"}})
				expectStatus(t, bad, 401)
				expectStatus(t, w.do(t, req{method: "POST", path: "/logout"}), 200)
				expectStatus(t, w.get(t, "/profile", tb.alice), 200)
			})
			t.Run("admin-create-user-needs-admin", func(t *testing.T) {
				body := map[string]any{"username": "ctl-" + randomHex(4), "password": "pw-" + randomHex(8),
					"display_name": "Control", "email": "control@acme.example", "role": "admin"}
				expectStatus(t, w.do(t, req{method: "POST", path: "/admin/users", body: body}), 401)
				expectStatus(t, w.do(t, req{method: "POST", path: "/admin/users", token: tb.alice, body: body}), 403)
				expectStatus(t, w.do(t, req{method: "POST", path: "/admin/users", token: tb.carol, body: body}), 201)
				expectStatus(t, w.do(t, req{method: "POST", path: "/admin/users", token: tb.carol, body: body}), 409)
				coupon := map[string]any{"value": 1, "max_uses": 1}
				expectStatus(t, w.do(t, req{method: "POST", path: "/admin/coupons", token: tb.alice, body: coupon}), 403)
			})
			t.Run("own-objects-only", func(t *testing.T) {
				for _, c := range []struct{ path, field string }{
					{"/notes", "notes"}, {"/accounts", "accounts"},
				} {
					r := w.get(t, c.path, tb.alice)
					expectStatus(t, r, 200)
					var body map[string][]map[string]any
					if err := json.Unmarshal(r.body, &body); err != nil {
						t.Fatal(err)
					}
					if len(body[c.field]) == 0 {
						t.Fatalf("%s: alice has none", c.path)
					}
					for _, o := range body[c.field] {
						if o["owner_id"] != float64(aliceID) {
							t.Fatalf("%s: alice sees %v", c.path, o)
						}
					}
				}
				// transfers 5000 (alice to bob) and 5004 (carol to erin) are seeded
				expectStatus(t, w.get(t, "/transfers/5000", tb.alice), 200)
				expectStatus(t, w.get(t, "/transfers/5004", tb.alice), 404)
				list := w.get(t, "/transfers", tb.alice)
				expectStatus(t, list, 200)
				if strings.Contains(list.text(), `"id": 5004`) || strings.Contains(list.text(), `"id":5004`) {
					t.Fatalf("alice sees carol's transfer: %s", list)
				}
				// alice cannot move money out of bob's account
				steal := w.do(t, req{method: "POST", path: "/transfers", token: tb.alice,
					headers: map[string]string{"Idempotency-Key": "steal-" + randomHex(6)},
					body:    map[string]any{"from_account_id": bobID, "to_account_id": aliceID, "amount": 1}})
				expectStatus(t, steal, 404)
				// bob's personal vouchers are neither listed for nor redeemable by alice
				coupons := w.get(t, "/coupons", tb.alice)
				expectStatus(t, coupons, 200)
				if strings.Contains(coupons.text(), "CASHBACK-B") || !strings.Contains(coupons.text(), "CASHBACK-A") {
					t.Fatalf("alice's coupon list: %s", coupons)
				}
				expectStatus(t, w.do(t, req{method: "POST", path: "/coupons/CASHBACK-B8/redeem", token: tb.alice}), 404)
				expectStatus(t, w.get(t, "/users/999999", ""), 404)
			})
			t.Run("notes-lifecycle", func(t *testing.T) {
				id := w.createNote(t, tb.bob, "Control note", "lifecycle")
				path := fmt.Sprintf("/notes/%d", id)
				up := w.do(t, req{method: "PUT", path: path, token: tb.bob, body: map[string]any{"pinned": true}})
				expectStatus(t, up, 200)
				if up.json(t)["pinned"] != true {
					t.Fatalf("note not pinned: %s", up)
				}
				found := w.get(t, "/search?q="+q("lifecycle"), tb.bob)
				expectStatus(t, found, 200)
				if !strings.Contains(found.text(), "Control note") {
					t.Fatalf("search misses the note: %s", found)
				}
				expectStatus(t, w.do(t, req{method: "DELETE", path: path, token: tb.bob}), 204)
				expectStatus(t, w.get(t, path, tb.bob), 404)
			})
			t.Run("transfer-and-coupon", func(t *testing.T) {
				u := w.newUser(t, "ctl")
				r := w.do(t, req{method: "POST", path: "/coupons/WELCOME10/redeem", token: u.token})
				expectStatus(t, r, 200)
				expectStatus(t, w.do(t, req{method: "POST", path: "/coupons/WELCOME10/redeem", token: u.token}), 409)
				tr := w.do(t, req{method: "POST", path: "/transfers", token: u.token,
					headers: map[string]string{"Idempotency-Key": "ctl-" + randomHex(6)},
					body:    map[string]any{"from_account_id": u.id, "to_account_id": aliceID, "amount": 4.5}})
				expectStatus(t, tr, 201)
				if got := w.balance(t, u.token, u.id); got != 5.5 {
					t.Fatalf("balance after +10 and -4.50: %.2f", got)
				}
				over := w.do(t, req{method: "POST", path: "/transfers", token: u.token,
					headers: map[string]string{"Idempotency-Key": "ctl-" + randomHex(6)},
					body:    map[string]any{"from_account_id": u.id, "to_account_id": aliceID, "amount": 50}})
				expectStatus(t, over, 409)
				expectStatus(t, w.get(t, "/reports/summary", u.token), 200, 500) // 500: vulnerable reports may be poisoned
				acct := w.do(t, req{method: "POST", path: fmt.Sprintf("/account/%d", u.id), token: u.token,
					body: map[string]any{"display_name": "Renamed", "currency": "EUR"}})
				expectStatus(t, acct, 200)
			})
		})
	}
}
