package rampart

import (
	"slices"
	"testing"
)

func TestUsedReplay(t *testing.T) {
	alice := ReplayVariable{Name: "ALICE_AUTHORIZATION", Identity: "alice", Header: "Authorization", Shape: "Bearer …"}
	bob := ReplayVariable{Name: "BOB_COOKIE", Identity: "bob", Header: "Cookie", Shape: "session=…"}
	carol := ReplayVariable{Name: "CAROL_AUTHORIZATION", Identity: "carol", Header: "Authorization"}
	vars := []ReplayVariable{alice, bob, carol}
	tests := []struct {
		name     string
		findings []Finding
		want     []ReplayVariable
	}{
		{"none used", []Finding{{Curl: "curl -i 'http://x/'"}}, nil},
		{"a finding's line", []Finding{{Curl: `curl -i 'http://x/' -H "Authorization: $ALICE_AUTHORIZATION"`}}, []ReplayVariable{alice}},
		{"a related request's line", []Finding{{Related: []Related{{Curl: `curl -H "Cookie: $BOB_COOKIE" x`}}}}, []ReplayVariable{bob}},
		{"a longer name is another variable", []Finding{{Curl: `curl -H "X: $ALICE_AUTHORIZATION_2" -H "Authorization: $CAROL_AUTHORIZATION"`}}, []ReplayVariable{carol}},
		{"order of the legend, once each", []Finding{
			{Curl: `curl -H "Authorization: $CAROL_AUTHORIZATION"`},
			{Curl: `curl -H "Authorization: $ALICE_AUTHORIZATION" -H "Cookie: $BOB_COOKIE"`},
			{Curl: `curl -H "Authorization: $ALICE_AUTHORIZATION"`},
		}, vars},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := UsedReplay(vars, tt.findings); !slices.Equal(got, tt.want) {
				t.Errorf("UsedReplay = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestReplayLegend(t *testing.T) {
	tests := []struct {
		v             ReplayVariable
		line, example string
	}{
		{ReplayVariable{Name: "ALICE_AUTHORIZATION", Identity: "alice", Header: "Authorization", Shape: "Bearer …"},
			"$ALICE_AUTHORIZATION = alice's Authorization header (Bearer …)", "export ALICE_AUTHORIZATION='Bearer …'"},
		{ReplayVariable{Name: "BOB_COOKIE", Identity: "bob", Header: "Cookie", Shape: "session=…; csrf=…"},
			"$BOB_COOKIE = bob's Cookie header (session=…; csrf=…)", "export BOB_COOKIE='session=…; csrf=…'"},
		{ReplayVariable{Name: "RAMPART_X_API_KEY", Header: "X-Api-Key"},
			"$RAMPART_X_API_KEY = the X-Api-Key header the scan sent as no identity", "export RAMPART_X_API_KEY='…'"},
	}
	for _, tt := range tests {
		if got := tt.v.String(); got != tt.line {
			t.Errorf("String = %q, want %q", got, tt.line)
		}
		if got := ReplayExample([]ReplayVariable{tt.v}); got != tt.example {
			t.Errorf("ReplayExample = %q, want %q", got, tt.example)
		}
	}
	if ReplayHowTo(nil) != "" {
		t.Error("ReplayHowTo of no variables is not empty")
	}
}
