package authz

import (
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/checks/authz/authztest"
	"github.com/rampart-sec/rampart/internal/engine"
)

func serve(t *testing.T, f authztest.Flaws) (*authztest.API, string) {
	t.Helper()
	api := authztest.New(f)
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	return api, srv.URL
}

// noMutations fails when the API received anything but reads.
func noMutations(t *testing.T, api *authztest.API) {
	t.Helper()
	for _, r := range api.Requests() {
		if r.Method != http.MethodGet && r.Method != http.MethodHead && r.Method != http.MethodOptions {
			t.Errorf("a safe check sent %s %s", r.Method, r.Path)
		}
	}
}

func TestReadBOLA(t *testing.T) {
	tests := []struct {
		name  string
		flaws authztest.Flaws
		ids   []authztest.Ident
		want  []string
	}{
		{name: "owner not checked", flaws: authztest.Flaws{ReadBOLA: true}, ids: authztest.All,
			want: []string{"BOLA-001 GET /notes/{note_id} confirmed"}},
		{name: "owner checked", ids: authztest.All},
		{name: "public resource every identity may read", flaws: authztest.Flaws{Public: true}, ids: authztest.All},
		{name: "200 with an error body", flaws: authztest.Flaws{ErrorBody: true}, ids: authztest.All},
		{name: "answers the caller's own object whatever the id", flaws: authztest.Flaws{IgnoreID: true}, ids: authztest.All},
		{name: "two users legitimately share every note", flaws: authztest.Flaws{Shared: true}, ids: authztest.All},
		{name: "foreign objects answer a reduced public card", flaws: authztest.Flaws{PublicView: true}, ids: authztest.All},
		{name: "ids in query strings owned correctly", ids: []authztest.Ident{authztest.Alice, authztest.Bob}},
		{name: "ids in query strings not checked", flaws: authztest.Flaws{QueryBOLA: true}, ids: []authztest.Ident{authztest.Alice, authztest.Bob},
			want: []string{"BOLA-001 GET /orders confirmed"}},
		{name: "path id that names a user, not checked", flaws: authztest.Flaws{UpsertBOLA: true}, ids: []authztest.Ident{authztest.Alice, authztest.Bob},
			want: []string{"BOLA-001 GET /accounts/{user_id} confirmed"}},
		{name: "no second identity to attack with", flaws: authztest.Flaws{ReadBOLA: true}, ids: []authztest.Ident{authztest.Carol, authztest.Alice},
			want: []string{"BOLA-001 GET /notes/{note_id} confirmed"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api, url := serve(t, tt.flaws)
			res := authztest.Run(t, url, rampart.Safe, tt.ids, &ReadBOLA)
			res.Expect(t, tt.want)
			noMutations(t, api)
		})
	}
}

// Both directions are tested, the message masks the owner's values, and
// the evidence carries both identities' requests with credentials redacted
// and a replay line that uses a variable for the attacker's token.
func TestReadBOLAEvidence(t *testing.T) {
	_, url := serve(t, authztest.Flaws{ReadBOLA: true})
	res := authztest.Run(t, url, rampart.Safe, authztest.All, &ReadBOLA)
	if len(res.Findings) != 1 {
		t.Fatalf("findings = %q", authztest.Keys(res.Findings))
	}
	f := res.Findings[0]
	for _, want := range []string{"bob read alice's object", "alice read bob's object", `title="Ali…lan"`} {
		if !strings.Contains(f.Message, want) {
			t.Errorf("message lacks %q: %s", want, f.Message)
		}
	}
	if strings.Contains(f.Message, "Alice secret plan") {
		t.Errorf("message carries the owner's value unmasked: %s", f.Message)
	}
	if len(f.Evidence) < 2 || !strings.Contains(f.Evidence[0].Note, "alice") || !strings.Contains(f.Evidence[1].Note, "bob") {
		t.Fatalf("evidence = %+v", f.Evidence)
	}
	all := f.Curl
	for _, e := range f.Evidence {
		all += e.Request + e.Response
	}
	for _, r := range f.Related {
		all += r.Curl
	}
	for _, tok := range []string{authztest.AliceToken, authztest.BobToken, authztest.CarolToken} {
		if strings.Contains(all, tok) {
			t.Errorf("a token leaked into the finding")
		}
	}
	if !strings.Contains(f.Evidence[1].Request, "Authorization: Bearer "+engine.Redacted) {
		t.Errorf("attacker request not redacted as expected: %s", f.Evidence[1].Request)
	}
	if !strings.Contains(f.Curl, "$BOB_AUTHORIZATION") || !strings.Contains(f.Curl, "/notes/") {
		t.Errorf("curl = %s", f.Curl)
	}
	if len(f.Related) != 1 || !strings.Contains(f.Related[0].Curl, "$ALICE_AUTHORIZATION") {
		t.Errorf("related = %+v", f.Related)
	}
	if f.Location.Param != "note_id" || f.Location.URL == "" {
		t.Errorf("location = %+v", f.Location)
	}
}

// With a single identity, ids next to its own are probed at lower
// confidence, and the API's owner field makes the proof firm.
func TestReadBOLAAdjacent(t *testing.T) {
	tests := []struct {
		name  string
		flaws authztest.Flaws
		want  []string
	}{
		{name: "neighbour readable", flaws: authztest.Flaws{ReadBOLA: true}, want: []string{"BOLA-001 GET /notes/{note_id} firm"}},
		{name: "neighbour refused", want: nil},
		{name: "neighbour public", flaws: authztest.Flaws{Public: true}, want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api, url := serve(t, tt.flaws)
			res := authztest.Run(t, url, rampart.Safe, []authztest.Ident{authztest.Alice}, &ReadBOLA)
			if got := authztest.Keys(res.Findings); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("findings = %q, want %q", got, tt.want)
			}
			noMutations(t, api)
		})
	}
}

func TestWriteBOLA(t *testing.T) {
	tests := []struct {
		name  string
		flaws authztest.Flaws
		want  []string
	}{
		{name: "secure", want: nil},
		{name: "update and delete not checked", flaws: authztest.Flaws{WriteBOLA: true, DeleteBOLA: true}, want: []string{
			"BOLA-002 DELETE /notes/{note_id} confirmed", "BOLA-002 PUT /notes/{note_id} confirmed"}},
		{name: "read not checked: canary read", flaws: authztest.Flaws{ReadBOLA: true}, want: []string{"BOLA-002 GET /notes/{note_id} confirmed"}},
		{name: "upsert keyed by the path id", flaws: authztest.Flaws{UpsertBOLA: true}, want: []string{"BOLA-002 PUT /accounts/{user_id} confirmed"}},
		{name: "shared objects", flaws: authztest.Flaws{Shared: true}, want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api, url := serve(t, tt.flaws)
			before := api.Notes()
			alice, _ := api.User(1)
			res := authztest.Run(t, url, rampart.Active, authztest.All, &WriteBOLA)
			res.Expect(t, tt.want)
			// Nothing left behind, nothing changed.
			if after := api.Notes(); !reflect.DeepEqual(after, before) {
				t.Errorf("notes changed:\nbefore %v\nafter  %v", before, after)
			}
			if now, _ := api.User(1); now.Nickname != alice.Nickname {
				t.Errorf("alice's account nickname is %q, was %q", now.Nickname, alice.Nickname)
			}
			for _, f := range res.Findings {
				if f.Location.Method == http.MethodGet || f.Location.Path == "/accounts/{user_id}" {
					continue
				}
				if !strings.Contains(f.Message, "Rampart created note") || !strings.Contains(f.Message, "is gone") {
					t.Errorf("message does not say what was created and removed: %s", f.Message)
				}
			}
			for _, f := range res.Findings {
				if f.Location.Path == "/accounts/{user_id}" && !strings.Contains(f.Message, "written back by alice (verified)") {
					t.Errorf("upsert message does not say the value was restored: %s", f.Message)
				}
				// The fix's example names this operation's table and id.
				if f.Location.Path == "/accounts/{user_id}" && !strings.Contains(f.Remediation, "if user_id != g.user") {
					t.Errorf("upsert fix does not name the operation's id: %s", f.Remediation)
				}
			}
		})
	}
}

// The write check never writes to an object the scan did not create except
// the one field of an upsert, and it deletes as the owner.
func TestWriteBOLATouchesOnlyItsObjects(t *testing.T) {
	api, url := serve(t, authztest.Flaws{WriteBOLA: true, DeleteBOLA: true})
	authztest.Run(t, url, rampart.Active, authztest.All, &WriteBOLA)
	seeded := map[string]bool{"/notes/10": true, "/notes/11": true, "/notes/12": true, "/notes/14": true}
	for _, r := range api.Requests() {
		if (r.Method == http.MethodPut || r.Method == http.MethodDelete) && seeded[r.Path] {
			t.Errorf("%s %s touches a note the scan did not create", r.Method, r.Path)
		}
	}
}

func TestReadBOLAInSafeModeSkipsWrites(t *testing.T) {
	api, url := serve(t, authztest.Flaws{WriteBOLA: true})
	res := authztest.Run(t, url, rampart.Safe, authztest.All, &ReadBOLA, &WriteBOLA)
	if len(res.Findings) != 0 || res.Stats.Refused != 0 {
		t.Errorf("findings %q, refused %d", authztest.Keys(res.Findings), res.Stats.Refused)
	}
	noMutations(t, api)
}

// With a throwaway victim, the canary objects are the victim's: what the
// attacker changes and deletes belongs to an account the scan made.
func TestWriteBOLAUsesTheVictim(t *testing.T) {
	api, url := serve(t, authztest.Flaws{WriteBOLA: true, DeleteBOLA: true})
	before := api.Notes()
	victim := authztest.Bob
	victim.Victim = true
	res := authztest.Run(t, url, rampart.Active, []authztest.Ident{authztest.Alice, authztest.Carol, victim}, &WriteBOLA)
	if got := authztest.Keys(res.Findings); !reflect.DeepEqual(got, []string{"BOLA-002 DELETE /notes/{note_id} confirmed", "BOLA-002 PUT /notes/{note_id} confirmed"}) {
		t.Fatalf("findings = %q", got)
	}
	for _, f := range res.Findings {
		if !strings.Contains(f.Message, "lets alice") || !strings.Contains(f.Message, "as bob") {
			t.Errorf("not the victim's object, or not alice's attack: %s", f.Message)
		}
	}
	if after := api.Notes(); !reflect.DeepEqual(after, before) {
		t.Errorf("notes changed:\nbefore %v\nafter  %v", before, after)
	}
}
