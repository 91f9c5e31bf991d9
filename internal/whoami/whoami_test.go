package whoami

import (
	"testing"

	"github.com/rampart-sec/rampart"
)

func TestExtractAndReveals(t *testing.T) {
	tests := []struct {
		body   string
		ok     bool
		id     string
		name   string
		reveal Person
		want   bool
	}{
		{`{"id":3,"username":"carol","role":"admin"}`, true, "3", "carol", Person{ID: "3"}, true},
		{`{"id":3,"username":"carol"}`, true, "3", "carol", Person{ID: "1"}, false},
		{`{"user":{"user_id":"u-9","login":"zed"}}`, true, "u-9", "zed", Person{Username: "ZED"}, true},
		{`{"data":{"sub":"42","email":"x@y.example"}}`, true, "42", "", Person{ID: "42"}, true},
		{`{"error":"unauthorized"}`, false, "", "", Person{ID: "1"}, false},
		{`[{"id":1}]`, false, "", "", Person{ID: "1"}, false},
		{`not json`, false, "", "", Person{ID: "1"}, false},
	}
	for _, tt := range tests {
		p, ok := Extract([]byte(tt.body))
		if ok != tt.ok || p.ID != tt.id || p.Username != tt.name {
			t.Errorf("Extract(%s) = %+v %v", tt.body, p, ok)
		}
		if got := Reveals([]byte(tt.body), tt.reveal); got != tt.want {
			t.Errorf("Reveals(%s, %+v) = %v", tt.body, tt.reveal, got)
		}
	}
}

func TestScore(t *testing.T) {
	op := func(path string, params ...rampart.Param) *rampart.Operation {
		return &rampart.Operation{Method: "GET", Path: path, Params: params}
	}
	if Score(op("/me")) == 0 || Score(op("/api/v2/me")) == 0 || Score(op("/users/me")) == 0 {
		t.Error("me paths do not score")
	}
	if Score(op("/users/{id}", rampart.Param{Name: "id", In: "path"})) != 0 || Score(op("/notes")) != 0 {
		t.Error("non-me paths score")
	}
	if Score(&rampart.Operation{Method: "POST", Path: "/me"}) != 0 {
		t.Error("POST scores")
	}
	c := Candidates([]*rampart.Operation{op("/account"), op("/notes"), op("/whoami")})
	if len(c) != 2 || c[0].Path != "/whoami" {
		t.Errorf("candidates %v", c)
	}
}
