package surface

import (
	"encoding/json"
	"io"
	"mime"
	"mime/multipart"
	"net/url"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart"
)

func f64(v float64) *float64 { return &v }

func TestValue(t *testing.T) {
	tests := []struct {
		name   string
		schema *rampart.Schema
		field  string
		want   any
	}{
		{"example wins", &rampart.Schema{Type: "string", Example: "ex", Default: "def", Enum: []any{"a"}}, "email", "ex"},
		{"default next", &rampart.Schema{Type: "string", Default: "def", Enum: []any{"a"}}, "", "def"},
		{"enum next", &rampart.Schema{Type: "string", Enum: []any{nil, "b", "c"}}, "", "b"},
		{"email format", &rampart.Schema{Type: "string", Format: "email"}, "", "rampart@example.com"},
		{"uuid format", &rampart.Schema{Type: "string", Format: "uuid"}, "", "3fa85f64-5717-4562-b3fc-2c963f66afa6"},
		{"date format", &rampart.Schema{Type: "string", Format: "date"}, "", "2024-01-15"},
		{"date-time format", &rampart.Schema{Type: "string", Format: "date-time"}, "", "2024-01-15T10:00:00Z"},
		{"uri format", &rampart.Schema{Type: "string", Format: "uri"}, "", "https://example.com/"},
		{"ipv4 format", &rampart.Schema{Type: "string", Format: "ipv4"}, "", "192.0.2.10"},
		{"ipv6 format", &rampart.Schema{Type: "string", Format: "ipv6"}, "", "2001:db8::10"},
		{"password format", &rampart.Schema{Type: "string", Format: "password"}, "", "Rampart-Passw0rd!"},
		{"byte format", &rampart.Schema{Type: "string", Format: "byte"}, "", "cmFtcGFydA=="},
		{"int32", &rampart.Schema{Type: "integer", Format: "int32"}, "", int64(1)},
		{"int64 without type", &rampart.Schema{Format: "int64"}, "", int64(1)},
		{"number", &rampart.Schema{Type: "number"}, "", 1.5},
		{"boolean is false", &rampart.Schema{Type: "boolean"}, "is_admin", false},
		{"minimum", &rampart.Schema{Type: "integer", Minimum: f64(5)}, "", int64(5)},
		{"maximum", &rampart.Schema{Type: "integer", Maximum: f64(-3)}, "", int64(-3)},
		{"fractional minimum on integer", &rampart.Schema{Type: "integer", Minimum: f64(2.5)}, "", int64(3)},
		{"number range", &rampart.Schema{Type: "number", Minimum: f64(100), Maximum: f64(200)}, "", 100.0},
		{"minLength pads", &rampart.Schema{Type: "string", MinLength: 10}, "", "rampartxxx"},
		{"maxLength cuts", &rampart.Schema{Type: "string", MaxLength: 3}, "", "ram"},
		{"simple pattern", &rampart.Schema{Type: "string", Pattern: `^[A-Z]{3}-\d{4}$`}, "", "AAA-0000"},
		{"alternation pattern", &rampart.Schema{Type: "string", Pattern: `^(red|green)$`}, "", "red"},
		{"hint that fits the pattern", &rampart.Schema{Type: "string", Pattern: `@`}, "email", "rampart@example.com"},
		{"hostile minLength", &rampart.Schema{Type: "string", MinLength: 1 << 30}, "", "rampart" + strings.Repeat("x", maxStringLen-7)},
		{"nil schema id", nil, "id", int64(1)},
		{"nil schema name", nil, "title", "Rampart test title"},
		{"null type", &rampart.Schema{Type: "null"}, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Value(tt.schema, tt.field)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Value = %#v, want %#v", got, tt.want)
			}
			if again := Value(tt.schema, tt.field); !reflect.DeepEqual(got, again) {
				t.Errorf("not deterministic: %#v then %#v", got, again)
			}
		})
	}
}

func TestValueNameHints(t *testing.T) {
	str := &rampart.Schema{Type: "string"}
	integer := &rampart.Schema{Type: "integer"}
	number := &rampart.Schema{Type: "number"}
	tests := []struct {
		field  string
		schema *rampart.Schema
		want   any
	}{
		{"email", str, "rampart@example.com"},
		{"userEmail", str, "rampart@example.com"},
		{"name", str, "Rampart Test"},
		{"first_name", str, "Ada"},
		{"lastName", str, "Lovelace"},
		{"username", str, "rampart_user"},
		{"password", str, "Rampart-Passw0rd!"},
		{"amount", number, 10.0},
		{"amount", integer, int64(10)},
		{"amount", str, "10.00"},
		{"currency", str, "USD"},
		{"id", integer, int64(1)},
		{"note_id", integer, int64(1)},
		{"ownerId", str, "1"},
		{"id", &rampart.Schema{}, int64(1)},
		{"url", str, "https://example.com/"},
		{"avatar_url", str, "https://example.com/"},
		{"phone", str, "+15555550123"},
		{"title", str, "Rampart test title"},
		{"body", str, "Rampart test content"},
		{"content", str, "Rampart test content"},
		{"extra_info", str, "Rampart test content"},
		{"caption", str, "Rampart test title"},
		{"code", str, "123456"},
		{"coupon_code", str, "RAMPART10"},
		{"country_code", str, "US"},
		{"date", str, "2024-01-15"},
		{"created_at", str, "2024-01-15T10:00:00Z"},
		{"limit", integer, int64(10)},
		{"offset", integer, int64(0)},
		{"sort", str, "id"},
		{"whatever", str, "rampart"},
		{"card_number", str, "4242424242424242"},
		{"cardNumber", str, "4242424242424242"},
		{"cvv", str, "123"},
		{"card_expiry", str, "12/30"},
		{"iban", str, "GB82WEST12345698765432"},
		{"api_version", str, "1"},
		{"account_number", str, "rampart"},
	}
	for _, tt := range tests {
		t.Run(tt.field+"/"+tt.schema.Type, func(t *testing.T) {
			if got := Value(tt.schema, tt.field); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Value(%q) = %#v, want %#v", tt.field, got, tt.want)
			}
		})
	}
}

func TestProse(t *testing.T) {
	for name, want := range map[string]bool{
		"memo": true, "description": true, "headline": true, "extraInfo": true, "payment_remarks": true,
		"from_account": false, "note_id": false, "message_count": false, "reference": false, "id": false, "": false,
	} {
		if got := Prose(name); got != want {
			t.Errorf("Prose(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestValuePatterns(t *testing.T) {
	for _, p := range []string{
		`^[a-z0-9_-]{3,16}$`, `^\+?[1-9]\d{1,14}$`, `^[A-Z]{2}\d{2}[A-Z0-9]{4}\d{7}([A-Z0-9]?){0,16}$`,
		`^\d{5}(-\d{4})?$`, `^#[0-9a-fA-F]{6}$`, `^(?:v|ver)\d+\.\d+$`, `[^@\s]+@[^@\s]+\.[a-z]+`,
	} {
		v, ok := Value(&rampart.Schema{Type: "string", Pattern: p}, "field").(string)
		if !ok || !regexp.MustCompile(p).MatchString(v) {
			t.Errorf("pattern %s: value %q does not match", p, v)
		}
	}
	// A pattern Go cannot compile is ignored rather than fatal.
	if v := Value(&rampart.Schema{Type: "string", Pattern: `(?<=a)b`}, ""); v != "rampart" {
		t.Errorf("unsupported pattern: %#v", v)
	}
}

func TestValueObject(t *testing.T) {
	s := &rampart.Schema{
		Type:     "object",
		Required: []string{"title"},
		Properties: map[string]*rampart.Schema{
			"id":       {Type: "integer", ReadOnly: true},
			"title":    {Type: "string"},
			"password": {Type: "string", WriteOnly: true},
			"tags":     {Type: "array", Items: &rampart.Schema{Type: "string"}},
			"owner":    {Properties: map[string]*rampart.Schema{"email": {Type: "string"}}},
		},
	}
	want := map[string]any{
		"title":    "Rampart test title",
		"password": "Rampart-Passw0rd!",
		"tags":     []any{"rampart"},
		"owner":    map[string]any{"email": "rampart@example.com"},
	}
	if got := Value(s, ""); !reflect.DeepEqual(got, want) {
		t.Errorf("Value = %#v\nwant %#v", got, want)
	}
	// A cyclic schema (built by hand, as code analysis might) still ends.
	cyc := &rampart.Schema{Type: "object", Properties: map[string]*rampart.Schema{}}
	cyc.Properties["self"] = cyc
	if _, err := json.Marshal(Value(cyc, "")); err != nil {
		t.Errorf("cyclic schema: %v", err)
	}
}

func TestBody(t *testing.T) {
	s30 := load(t, "testdata/openapi30.yaml")
	s2 := load(t, "testdata/swagger2.yaml")
	tests := []struct {
		name     string
		op       *rampart.Operation
		wantCT   string
		wantBody string
	}{
		{"media example", mustOp(t, s30, "POST", "/notes"), "application/json", `{"body":"hello","title":"From example"}`},
		{"schema, readOnly skipped", mustOp(t, s30, "PUT", "/notes/{note_id}"), "application/json", `{"body":"Rampart test content","owner_email":"rampart@example.com","tags":["rampart"],"title":"Groceries"}`},
		{"swagger body param", mustOp(t, s2, "POST", "/notes"), "application/json", `{"body":"Rampart test content","title":"Rampart test title"}`},
		{"form", mustOp(t, s2, "POST", "/login"), "application/x-www-form-urlencoded", "password=Rampart-Passw0rd%21&username=rampart_user"},
		{"no body", mustOp(t, s30, "GET", "/notes"), "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, ct := Body(tt.op)
			if ct != tt.wantCT || string(b) != tt.wantBody {
				t.Errorf("Body = %s (%s)\nwant %s (%s)", b, ct, tt.wantBody, tt.wantCT)
			}
			b2, _ := Body(tt.op)
			if string(b) != string(b2) {
				t.Error("Body is not deterministic")
			}
		})
	}
}

func TestBodySatisfiesRequired(t *testing.T) {
	for _, file := range []string{"testdata/openapi30.yaml", "testdata/swagger2.yaml", "testdata/openapi31.json", "testdata/recursive.yaml"} {
		s := load(t, file)
		for _, op := range s.Operations {
			if op.Body == nil || !strings.Contains(op.Body.ContentType, "json") {
				continue
			}
			b, _ := Body(op)
			var v map[string]any
			if err := json.Unmarshal(b, &v); err != nil {
				t.Errorf("%s %s: body %s is not a JSON object: %v", file, op.Key(), b, err)
				continue
			}
			for _, r := range op.Body.Schema.Required {
				if _, ok := v[r]; !ok {
					t.Errorf("%s %s: body %s lacks required %q", file, op.Key(), b, r)
				}
			}
		}
	}
}

func TestBodyMultipart(t *testing.T) {
	op := &rampart.Operation{Method: "POST", Path: "/upload", Body: &rampart.Body{
		ContentType: "multipart/form-data",
		Schema: &rampart.Schema{Type: "object", Properties: map[string]*rampart.Schema{
			"file":  {Type: "string", Format: "binary"},
			"title": {Type: "string"},
		}},
	}}
	b, ct := Body(op)
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || mt != "multipart/form-data" {
		t.Fatalf("content type %q: %v", ct, err)
	}
	r := multipart.NewReader(strings.NewReader(string(b)), params["boundary"])
	got := map[string]string{}
	for {
		p, err := r.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(p)
		got[p.FormName()+"|"+p.FileName()] = string(data)
	}
	want := map[string]string{"file|rampart.txt": "rampart", "title|": "Rampart test title"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("parts = %v, want %v", got, want)
	}
}

func TestURL(t *testing.T) {
	s := load(t, "testdata/openapi30.yaml")
	target, _ := url.Parse("http://127.0.0.1:5000")
	base := s.BaseURL(target)
	tests := []struct {
		name   string
		op     *rampart.Operation
		values map[string]string
		want   string
	}{
		{"template filled from schema", mustOp(t, s, "GET", "/notes/{note_id}"), nil, "http://127.0.0.1:5000/api/v1/notes/1"},
		{"value escaped", mustOp(t, s, "GET", "/notes/{note_id}"), map[string]string{"note_id": "../a/b c?x"}, "http://127.0.0.1:5000/api/v1/notes/..%2Fa%2Fb%20c%3Fx"},
		{"required query with example", mustOp(t, s, "GET", "/notes"), nil, "http://127.0.0.1:5000/api/v1/notes?page=2"},
		{"query override and extra", mustOp(t, s, "GET", "/notes"), map[string]string{"page": "9", "sort": "title", "debug": "1"}, "http://127.0.0.1:5000/api/v1/notes?debug=1&page=9&sort=title"},
		{"header params stay out of the query", mustOp(t, s, "PUT", "/notes/{note_id}"), map[string]string{"X-Trace": "t"}, "http://127.0.0.1:5000/api/v1/notes/1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := URL(base, tt.op, tt.values); got != tt.want {
				t.Errorf("URL = %s\nwant  %s", got, tt.want)
			}
		})
	}

	discovered := &rampart.Operation{Method: "GET", Path: "/users/{user_id}/notes/{id}", Params: []rampart.Param{
		{Name: "user_id", In: "path", Required: true, Example: int64(3)},
		{Name: "id", In: "path", Required: true, Schema: &rampart.Schema{Type: "string", Format: "uuid"}},
	}}
	root, _ := url.Parse("http://127.0.0.1:5000/")
	if got, want := URL(root, discovered, nil), "http://127.0.0.1:5000/users/3/notes/3fa85f64-5717-4562-b3fc-2c963f66afa6"; got != want {
		t.Errorf("URL = %s, want %s", got, want)
	}
}

func TestPathValue(t *testing.T) {
	op := &rampart.Operation{Path: "/accounts/{id}", Params: []rampart.Param{{Name: "id", In: "path", Schema: &rampart.Schema{Type: "string"}}}}
	if got := PathValue(op, &op.Params[0]); got != "1" {
		t.Errorf("PathValue = %q", got)
	}
	p := rampart.Param{Name: "slug", In: "path", Example: 12.0}
	if got := PathValue(op, &p); got != "12" {
		t.Errorf("float example = %q, want 12", got)
	}
}

// Constant-like path parameters come from the spec (enum, default) or, for
// a version, read as the template writes it.
func TestPathValueConstants(t *testing.T) {
	str := &rampart.Schema{Type: "string"}
	cases := []struct {
		path string
		prm  rampart.Param
		want string
	}{
		{"/api/v{version}/users", rampart.Param{Name: "version", In: "path", Schema: str}, "1"},
		{"/api/{version}/users", rampart.Param{Name: "version", In: "path", Schema: str}, "v1"},
		{"/api/{version}/users", rampart.Param{Name: "version", In: "path", Schema: &rampart.Schema{Type: "integer"}}, "1"},
		{"/api/{version}/users", rampart.Param{Name: "version", In: "path", Schema: &rampart.Schema{Type: "string", Enum: []any{"v2", "v3"}}}, "v2"},
		{"/{lang}/pages", rampart.Param{Name: "lang", In: "path", Schema: &rampart.Schema{Type: "string", Enum: []any{"de", "fr"}}}, "de"},
		{"/{lang}/pages", rampart.Param{Name: "lang", In: "path", Schema: &rampart.Schema{Type: "string", Default: "fr"}}, "fr"},
		{"/{lang}/pages", rampart.Param{Name: "lang", In: "path", Schema: str}, "en"},
	}
	for _, tc := range cases {
		op := &rampart.Operation{Path: tc.path, Params: []rampart.Param{tc.prm}}
		if got := PathValue(op, &op.Params[0]); got != tc.want {
			t.Errorf("%s %s: %q, want %q", tc.path, tc.prm.Name, got, tc.want)
		}
	}
}

// The card number and IBAN the synthesiser sends pass their checksums, so
// that validation takes them.
func TestValueChecksums(t *testing.T) {
	luhn := func(s string) bool {
		sum, double := 0, false
		for i := len(s) - 1; i >= 0; i-- {
			d := int(s[i] - '0')
			if double {
				if d *= 2; d > 9 {
					d -= 9
				}
			}
			sum, double = sum+d, !double
		}
		return sum%10 == 0
	}
	if c := FormatValue("card"); !luhn(c) {
		t.Errorf("card %s fails the Luhn check", c)
	}
	iban := FormatValue("iban")
	r := iban[4:] + iban[:4]
	mod := 0
	for _, ch := range r {
		v := int(ch - '0')
		if ch >= 'A' && ch <= 'Z' {
			v = int(ch-'A') + 10
			mod = (mod*100 + v) % 97
			continue
		}
		mod = (mod*10 + v) % 97
	}
	if mod != 1 {
		t.Errorf("IBAN %s fails mod 97", iban)
	}
}

func TestBaseURL(t *testing.T) {
	s := &Surface{BasePath: "/api/v1"}
	for in, want := range map[string]string{
		"http://h:8080":         "http://h:8080/api/v1",
		"http://h:8080/":        "http://h:8080/api/v1",
		"http://h:8080/api/v1/": "http://h:8080/api/v1",
		"http://u:p@h/staging":  "http://h/staging/api/v1",
	} {
		u, _ := url.Parse(in)
		if got := s.BaseURL(u).String(); got != want {
			t.Errorf("BaseURL(%s) = %s, want %s", in, got, want)
		}
	}
}
