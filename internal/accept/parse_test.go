package accept

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

type fixture struct {
	Status      int    `json:"status"`
	ContentType string `json:"content_type"`
	Body        string `json:"body"`
}

func loadFixture(t testing.TB, name string) fixture {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "validation", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var f fixture
	if err := json.Unmarshal(raw, &f); err != nil {
		t.Fatal(err)
	}
	return f
}

func knownFields(body []string, params map[string]string) Known {
	k := Known{Body: map[string]bool{}, Params: params}
	for _, b := range body {
		k.Body[b] = true
	}
	return k
}

// The fixtures are the frameworks' own answers (gen_fixtures.py ran them
// with Debian's packages) or, for frameworks Debian lacks, their
// documented format (each file's "source").
func TestParseDialects(t *testing.T) {
	cases := []struct {
		fixture string
		known   Known
		want    []string
	}{
		{"fastapi_missing", Known{}, []string{
			"header:idempotency-key missing", "body:amount missing", "body:items missing", "body:note missing"}},
		{"fastapi_invalid", Known{}, []string{
			"query:limit type integer", "body:amount.value type number", "body:amount.currency enum [EUR USD]",
			"body:items.0.sku pattern ^[A-Z]{3}-[0-9]{3}$", "body:items.0.quantity too small 1",
			"body:note too short 3"}},
		{"fastapi_body_not_json", Known{}, nil},
		{"pydantic2", Known{}, []string{
			"body:kind missing", "body:amount.currency enum [EUR USD GBP]", "body:country pattern ^[A-Z]{2}$",
			"query:limit type integer", "body:amount.value too small 0 exclusive", "body:password too short 12",
			"body:role unknown", "body:email format email", "header:idempotency-key missing"}},
		{"webargs", Known{}, []string{
			"body:address.city missing", "body:amount too small 1", "body:email format email",
			"body:method enum [card iban]"}},
		{"flask_restx", Known{}, []string{
			":address.city missing", ":address.zip pattern ^[0-9]{5}$", ":age type integer",
			":kind enum [a b]", ":name missing"}},
		{"flask_restful_missing", knownFields([]string{"title"}, nil), []string{":title missing"}},
		{"flask_restful_choice", knownFields([]string{"kind"}, nil), []string{":kind enum"}},
		{"flask_restful_type", knownFields([]string{"count"}, nil), []string{":count type integer"}},
		{"drf", Known{}, []string{
			":address.city missing", ":age type integer", ":email missing", ":kind enum"}},
		{"connexion_0", Known{}, []string{":name missing"}},
		{"connexion_1", Known{}, []string{":kind enum [a b]"}},
		{"connexion_2", Known{}, []string{":address.zip type string"}},
		{"joi", Known{}, []string{":kind enum [a b]", ":title missing"}},
		{"express_validator", Known{}, []string{"body:email invalid", "body:password too short 8"}},
		{"plain_serde", Known{}, []string{":title missing"}},
		{"plain_required", knownFields([]string{"title"}, nil), []string{":title missing"}},
		{"plain_required", Known{}, nil}, // an unquoted name nobody knows: could be prose
		{"plain_one_of", knownFields([]string{"status"}, nil), []string{":status enum [open pending closed]"}},
		{"plain_colon", knownFields([]string{"branch", "isbn"}, nil), []string{":branch enum [central north south]"}},
		{"go_validator", knownFields([]string{"email"}, nil), []string{":email missing"}},
		{"problem_invalid_params", knownFields([]string{"age", "color"}, nil), []string{
			":age type integer", ":color enum [green red blue]"}},
		{"html_400", Known{}, []string{":isbn missing"}},
	}
	for _, tc := range cases {
		t.Run(tc.fixture, func(t *testing.T) {
			f := loadFixture(t, tc.fixture)
			var got []string
			for _, p := range Parse([]byte(f.Body), tc.known) {
				got = append(got, p.String())
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("got\n  %q\nwant\n  %q", got, tc.want)
			}
		})
	}
}

// One message per documented wording, read without its framework's
// structure around it.
func TestClassify(t *testing.T) {
	cases := []struct{ msg, want string }{
		{"field required", ": missing"},
		{"Field required", ": missing"},
		{"Missing data for required field.", ": missing"},
		{"This field is required.", ": missing"},
		{"none is not an allowed value", ": missing"},
		{"This field may not be blank.", ": missing"},
		{"value is not a valid enumeration member; permitted: 'EUR', 'USD'", ": enum [EUR USD]"},
		{"Input should be 'a', 'b' or 'c'", ": enum [a b c]"},
		{"Must be one of: card, iban.", ": enum [card iban]"},
		{"'z' is not one of ['a', 'b']", ": enum [a b]"},
		{`"x" is not a valid choice.`, ": enum"},
		{"value is not a valid integer", ": type integer"},
		{"Not a valid integer.", ": type integer"},
		{"A valid integer is required.", ": type integer"},
		{"Input should be a valid integer, unable to parse string as an integer", ": type integer"},
		{"'x' is not of type 'integer'", ": type integer"},
		{"str type expected", ": type string"},
		{"value could not be parsed to a boolean", ": type boolean"},
		{"value is not a valid dict", ": type object"},
		{"Invalid input type.", ": type"},
		{"value is not a valid email address", ": format email"},
		{"Enter a valid email address.", ": format email"},
		{"Not a valid UUID.", ": format uuid"},
		{"invalid datetime format", ": format date-time"},
		{"Not a valid URL.", ": format uri"},
		{`string does not match regex "^[a-z]+$"`, ": pattern ^[a-z]+$"},
		{"String should match pattern '^[A-Z]{2}$'", ": pattern ^[A-Z]{2}$"},
		{"String does not match expected pattern.", ": pattern"},
		{"ensure this value has at least 3 characters", ": too short 3"},
		{"Shorter than minimum length 8.", ": too short 8"},
		{"Length must be between 1 and 10.", ": too short 1"},
		{"ensure this value has at most 5 characters", ": too long 5"},
		{"Longer than maximum length 140.", ": too long 140"},
		{"ensure this value is greater than or equal to 1", ": too small 1"},
		{"ensure this value is greater than 0", ": too small 0 exclusive"},
		{"Must be greater than or equal to 1.", ": too small 1"},
		{"0 is less than the minimum of 1", ": too small 1"},
		{"ensure this value is less than or equal to 100", ": too large 100"},
		{"Ensure this value is less than or equal to 10.", ": too large 10"},
		{"extra fields not permitted", ": unknown"},
		{"Unknown field.", ": unknown"},
		{"Extra inputs are not permitted", ": unknown"},
		{"something went wrong", ": invalid"},
	}
	for _, tc := range cases {
		if got := classify(tc.msg).String(); got != tc.want {
			t.Errorf("classify(%q) = %q, want %q", tc.msg, got, tc.want)
		}
	}
}

// TestBareListAfterAnUnknownName: "branch: central, north or south" names a
// field and its values even when nothing knows the field; "error: a or b"
// and prose after a colon do not.
func TestBareListAfterAnUnknownName(t *testing.T) {
	for _, tc := range []struct {
		msg  string
		want []Problem
	}{
		{`{"message": "branch: central, north or south"}`, []Problem{{Field: []string{"branch"}, Kind: Enum, Allowed: []string{"central", "north", "south"}}}},
		{`{"message": "error: a or b"}`, nil},
		{`{"message": "isbn: 13 digits starting with 978 or 979"}`, nil},
	} {
		got := Parse([]byte(tc.msg), Known{})
		if fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("Parse(%s) = %+v, want %+v", tc.msg, got, tc.want)
		}
	}
}

// A plain answer that starts with its status line is text, not the JSON
// number it begins with.
func TestParsePlainPageWithStatus(t *testing.T) {
	known := Known{Body: map[string]bool{"title": true}, Params: map[string]string{}}
	for _, body := range []string{
		"400 Bad Request: missing field 'title'",
		"400 Bad Request\n\nmissing field 'title'",
		"400: Bad Request\n\nmissing field 'title'",
	} {
		ps := Parse([]byte(body), known)
		if len(ps) != 1 || ps[0].Kind != Missing || len(ps[0].Field) != 1 || ps[0].Field[0] != "title" {
			t.Errorf("Parse(%q) = %+v, want title missing", body, ps)
		}
	}
}
