package apimodel

import (
	"encoding/json"
	"testing"
)

func TestClassify(t *testing.T) {
	for _, tc := range []struct {
		field string
		value any
		kind  Kind // KindOther: not kept
	}{
		{"id", json.Number("42"), KindNumber},
		{"note_id", "42", KindNumber},
		{"userId", json.Number("7"), KindNumber},
		{"id", "7c0e8f4e-1b2c-4d5e-8f90-123456789abc", KindUUID},
		{"owner", "7c0e8f4e-1b2c-4d5e-8f90-123456789abc", KindUUID},
		{"email", "alice@example.com", KindEmail},
		{"contact", "bob@example.org", KindEmail},
		{"username", "alice", KindUsername},
		{"owner", "alice", KindUsername},
		{"author", "bob_99", KindUsername},
		{"sub", "12", KindNumber},
		{"title", "alice-diary", KindSlug},
		{"title", "The Hobbit", KindName},
		{"name", "Front door", KindName},
		{"number", "NL91ZOOB0417164300", KindAccount},
		{"account_number", "12345678", KindAccount},
		{"accountNo", json.Number("900001"), KindAccount},
		{"iban", "DE89370400440532013000", KindAccount},
		{"card_number", "4111111111111111", KindCard},
		{"pan", "5555 5555 5555 4444", KindCard},
		{"number", "4012888888881881", KindCard},
		{"access_token", "abcdefghijklmnopqrstuvwxyz012345", KindToken},
		{"jwt", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlc2lnbmF0dXJlc2ln", KindToken},
		{"api_key", "k-0123456789abcdef0123", KindToken},
		{"isbn", "978-0261103344", KindSlug},
		{"isbn", "0261103344", KindKey},
		{"sku", "TEA-001", KindKey},
		{"code", "CASHBACK-A1", KindKey},
		{"score_card", "MQ==", KindOther},
		{"exam_id", "MQ==", KindKey},
		// Not values: secrets, amounts, flags, free text, dates.
		{"password", "wonderland-zoo", KindOther},
		{"cvv", "123", KindOther},
		{"password_hash", "$2b$12$abc", KindOther},
		{"balance", json.Number("2450.00"), KindOther},
		{"amount", json.Number("100"), KindOther},
		{"admin", true, KindOther},
		{"body", "Some long text about things.", KindOther},
		{"created_at", "2024-01-01T00:00:00Z", KindOther},
		{"status", "active", KindOther},
		{"name", "a\nb", KindOther},
		{"id", "", KindOther},
	} {
		_, k, ok := classify(tc.field, tc.value)
		if !ok {
			k = KindOther
		}
		if k != tc.kind {
			t.Errorf("classify(%q, %v) = %s, want %s", tc.field, tc.value, k, tc.kind)
		}
	}
}

func TestCardNumber(t *testing.T) {
	for s, want := range map[string]bool{
		"4111111111111111": true, "4111-1111-1111-1111": true, "378282246310005": true,
		"4111111111111112": false, "411111111111": false, "4111x11111111111": false,
	} {
		if got := cardNumber(s); got != want {
			t.Errorf("cardNumber(%q) = %v", s, got)
		}
	}
}
