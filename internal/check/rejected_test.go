package check

import (
	"strings"
	"testing"

	"github.com/rampart-sec/rampart/internal/engine"
)

func TestRejected(t *testing.T) {
	long := strings.Repeat("x", 300)
	tests := []struct {
		name   string
		status int
		body   string
		want   string
	}{
		{"fastapi", 422, `{"detail":[{"loc":["body","items"],"msg":"field required","type":"value_error.missing"}]}`,
			"the API answered 422: field required: items"},
		{"flask message", 400, `{"message": "title is required"}`, "the API answered 400: title is required"},
		{"field map", 400, `{"errors": {"email": ["not a valid email"]}}`, "the API answered 400: email: not a valid email"},
		{"text on lines", 400, "bad\n\trequest", "the API answered 400: bad request"},
		{"html page", 400, "<html><body>Bad Request</body></html>", "the API answered 400"},
		{"cut", 422, `{"detail":"` + long + `"}`, "the API answered 422: " + strings.Repeat("x", maxRejected-1) + "…"},
		{"empty", 422, ``, "the API answered 422"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Rejected(&engine.Response{Status: tt.status, Body: []byte(tt.body)})
			if got != tt.want {
				t.Errorf("Rejected = %q, want %q", got, tt.want)
			}
		})
	}
}
