package leak

import (
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/checks/checktest"
)

// pyTrace is a Python traceback as Flask's debug mode or a handler's
// `return traceback.format_exc()` prints it.
func pyTrace(exc string) string {
	return "Traceback (most recent call last):\n  File \"/srv/app/views.py\", line 31, in detail\n    row = lookup(value)\n" + exc + "\n"
}

// jsonTrace is the traceback as Django REST framework answers
// Response(traceback.format_exception(...)): a JSON list of strings, with
// the frames' quotes escaped.
func jsonTrace(exc string) string {
	b, _ := json.Marshal([]string{"Traceback (most recent call last):\n",
		"  File \"/srv/library/views.py\", line 31, in book_detail\n    book = Book.objects.get(ISBN=ISBN)\n", exc + "\n"})
	return string(b)
}

// routed stands for a route converter such as Django's `[\w.-]+`: a value
// with a quote or a backslash never reaches the handler (404), so only the
// shape the handler mishandles can make it fail.
var routed = regexp.MustCompile(`^[^'"\\]*$`)

// crash answers the value of the parameter under test: status and body of
// a handler that fails on one shape, or ok=false for its normal answer.
type crash func(v string) (status int, body string, ok bool)

func shapeServer(param, in string, c crash) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var v string
		if in == "path" {
			v = r.URL.Path[strings.LastIndexByte(r.URL.Path, '/')+1:]
		} else {
			q := r.URL.Query()
			if !q.Has(param) {
				w.Write([]byte(`[]`))
				return
			}
			v = q.Get(param)
		}
		if !routed.MatchString(v) {
			http.NotFound(w, r)
			return
		}
		if st, body, ok := c(v); ok {
			w.WriteHeader(st)
			w.Write([]byte(body))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"found": false}`))
	}
}

func allUpper(v string) bool {
	return strings.ToUpper(v) == v && strings.IndexFunc(v, unicode.IsUpper) >= 0
}

func TestShapeProbes(t *testing.T) {
	str := func(example any, format string) *rampart.Schema {
		return &rampart.Schema{Type: "string", Example: example, Format: format}
	}
	integer := &rampart.Schema{Type: "integer", Example: 7}
	tests := []struct {
		name  string
		param rampart.Param
		crash crash
		check string // the check that reports it; "" for none
		desc  string // what the finding says of the value
	}{
		// Tiredful-API's GET /api/v1/books/{ISBN}/: `if ISBN.isupper():
		// return Response(traceback.format_exception(...))`.
		{"unknown value in capitals (JSON list traceback)", rampart.Param{Name: "ISBN", In: "path", Required: true, Schema: str("978-93-80658-74-2", "")},
			func(v string) (int, string, bool) {
				return 200, jsonTrace("library.models.Book.DoesNotExist: Book matching query does not exist."), v != "978-93-80658-74-2" && allUpper(v)
			}, "LEAK-002", `an unknown value in capital letters ("RAMPART")`},
		{"known value in capitals (case lookup)", rampart.Param{Name: "color", In: "query", Schema: str("red", "")},
			func(v string) (int, string, bool) { return 500, pyTrace("KeyError: '" + v + "'"), v == "RED" },
			"LEAK-002", `its value in capital letters ("RED")`},
		{"a word for an integer", rampart.Param{Name: "id", In: "path", Required: true, Schema: integer},
			func(v string) (int, string, bool) {
				_, err := strconv.ParseFloat(v, 64)
				return 500, pyTrace("ValueError: invalid literal for int() with base 10: '" + v + "'"), v != "" && err != nil
			}, "LEAK-002", `a word where a number is expected ("rampart")`},
		{"a fraction for an integer", rampart.Param{Name: "id", In: "path", Required: true, Schema: integer},
			func(v string) (int, string, bool) {
				return 500, pyTrace("ValueError: invalid literal for int() with base 10: '" + v + "'"), strings.Contains(v, ".")
			}, "LEAK-002", `a fraction where an integer is expected ("1.5")`},
		{"a negative number", rampart.Param{Name: "page", In: "query", Schema: integer},
			func(v string) (int, string, bool) {
				return 500, pyTrace("IndexError: list index out of range"), strings.HasPrefix(v, "-")
			}, "LEAK-002", `a negative number ("-1")`},
		{"an integer too large for SQLite", rampart.Param{Name: "id", In: "path", Required: true, Schema: integer},
			func(v string) (int, string, bool) {
				n, ok := new(big.Int).SetString(v, 10)
				return 500, pyTrace("OverflowError: Python int too large to convert to SQLite INTEGER"), ok && !n.IsInt64()
			}, "LEAK-002", "an integer too large for 64 bits"},
		{"a word for a boolean", rampart.Param{Name: "active", In: "query", Schema: &rampart.Schema{Type: "boolean", Example: true}},
			func(v string) (int, string, bool) {
				_, err := strconv.ParseBool(v)
				return 500, pyTrace("KeyError: '" + v + "'"), v != "" && err != nil
			}, "LEAK-002", "a word where true or false is expected"},
		{"an empty query value", rampart.Param{Name: "q", In: "query", Schema: str("lamp", "")},
			func(v string) (int, string, bool) {
				return 500, pyTrace("IndexError: string index out of range"), v == ""
			},
			"LEAK-002", "an empty value"},
		{"a byte that is not UTF-8", rampart.Param{Name: "name", In: "path", Required: true, Schema: str("lamp", "")},
			func(v string) (int, string, bool) {
				return 500, pyTrace("UnicodeDecodeError: 'utf-8' codec can't decode byte 0xc0"), !utf8.ValidString(v)
			}, "LEAK-002", `"lamp" followed by a byte that is not UTF-8 (%C0)`},
		{"a non-ASCII letter", rampart.Param{Name: "name", In: "query", Schema: str("lamp", "")},
			func(v string) (int, string, bool) {
				return 500, pyTrace("UnicodeEncodeError: 'ascii' codec can't encode character"), utf8.ValidString(v) && strings.ContainsRune(v, 'ü')
			}, "LEAK-002", `"lamp" followed by a non-ASCII letter ("lampü")`},
		{"an overlong file name", rampart.Param{Name: "file", In: "path", Required: true, Schema: str("report.txt", "")},
			func(v string) (int, string, bool) {
				return 500, pyTrace("OSError: [Errno 36] File name too long"), len(v) > 255
			}, "LEAK-002", "an overlong value (1024 characters)"},
		{"a value that is not a UUID (PostgreSQL)", rampart.Param{Name: "id", In: "path", Required: true, Schema: str("3fa85f64-5717-4562-b3fc-2c963f66afa6", "uuid")},
			func(v string) (int, string, bool) {
				return 500, fmt.Sprintf(`{"error": "(psycopg2.errors.InvalidTextRepresentation) invalid input syntax for type uuid: \"%s\""}`, v), v == "rampart"
			}, "LEAK-001", "a value that is not a UUID"},
		{"an impossible date", rampart.Param{Name: "day", In: "query", Schema: str("2024-05-01", "date")},
			func(v string) (int, string, bool) {
				_, err := time.Parse(time.DateOnly, v)
				return 500, pyTrace("ValueError: day is out of range for month"), v != "" && strings.HasPrefix(v, "20") && err != nil
			}, "LEAK-002", "an impossible date"},
		// A handler that rejects every unexpected shape with a plain 400.
		{"never leaks", rampart.Param{Name: "q", In: "query", Schema: str("lamp", "")},
			func(v string) (int, string, bool) { return 400, `{"error": "invalid value"}`, v != "lamp" },
			"", ""},
		// A leak that is there for the plain value is the plain value's,
		// not a probe's: the finding names no parameter.
		{"leaks for the plain value too", rampart.Param{Name: "q", In: "query", Schema: str("lamp", "")},
			func(v string) (int, string, bool) { return 500, pyTrace("RuntimeError: broken"), true },
			"LEAK-002", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := checktest.NewServer(t, shapeServer(tt.param.Name, tt.param.In, tt.crash))
			path := "/things"
			if tt.param.In == "path" {
				path = "/things/{" + tt.param.Name + "}"
			}
			op := checktest.QuickOp("GET", path, true, tt.param)
			env := checktest.New(t, srv, rampart.Safe, []*rampart.Operation{op}, checktest.User("ann", "user", "tok-ann"))
			env.Run(t, &DBError)
			env.Run(t, &Traceback)
			fs := env.Findings()
			if tt.check == "" {
				if len(fs) > 0 {
					t.Fatalf("findings %v, want none", fs)
				}
				return
			}
			got := env.Of(tt.check)
			if len(got) != 1 || len(fs) != 1 {
				t.Fatalf("%s findings %v (all: %v), want one", tt.check, got, fs)
			}
			f := got[0]
			if tt.desc == "" {
				if f.Location.Param != "" || strings.Contains(f.Message, " is set to ") {
					t.Errorf("the plain value's leak is blamed on a probe: %q", f.Message)
				}
				return
			}
			if f.Location.Param != tt.param.Name || !strings.Contains(f.Message, fmt.Sprintf("when %q is set to %s", tt.param.Name, tt.desc)) {
				t.Errorf("finding %q on %q, want it to say %q is set to %s", f.Message, f.Location.Param, tt.param.Name, tt.desc)
			}
		})
	}
}

// The shape probes stop at a parameter's first leak and keep to the
// operation's budget, which the Requests text states.
func TestShapeBudget(t *testing.T) {
	var params []rampart.Param
	for i := range 6 {
		params = append(params, rampart.Param{Name: fmt.Sprintf("p%d", i), In: "query", Schema: &rampart.Schema{Type: "string", Example: "x"}})
	}
	quotes := 1 + len(params)*len(suffixes)
	for _, tt := range []struct {
		name string
		leak bool // the first parameter fails on its value in capitals: its first shape
		want int  // requests in all
		last int  // shape requests for p4: what the first parameter's shapes left of the budget
	}{
		{"no leak: the operation's budget", false, quotes + maxShapeRequests, 0},
		{"a leak stops its parameter's shapes", true, quotes + maxShapeRequests, maxShapeRequests - 1 - 3*maxShapes},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var last atomic.Int32
			srv := checktest.NewServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				q := r.URL.Query()
				if v := q.Get("p4"); v != "x" && !strings.HasPrefix(v, "x'") && !strings.HasPrefix(v, `x"`) && v != `x\` {
					last.Add(1)
				}
				if tt.leak && q.Get("p0") == "X" {
					w.WriteHeader(500)
					w.Write([]byte(pyTrace("KeyError: 'X'")))
					return
				}
				w.Write([]byte(`[]`))
			}))
			op := checktest.QuickOp("GET", "/search", true, params...)
			env := checktest.New(t, srv, rampart.Safe, []*rampart.Operation{op}, checktest.User("ann", "user", "tok-ann"))
			env.Run(t, &DBError)
			env.Run(t, &Traceback)
			if n := len(srv.Requests()); n != tt.want {
				t.Errorf("%d requests, want %d", n, tt.want)
			}
			if n := int(last.Load()); n != tt.last {
				t.Errorf("%d shape requests for p4, want %d", n, tt.last)
			}
			if !strings.Contains(DBError.Requests, fmt.Sprintf("at most %d shape requests per operation", maxShapeRequests)) {
				t.Errorf("the Requests text does not state the budget of %d", maxShapeRequests)
			}
		})
	}
}

func TestParamShapes(t *testing.T) {
	for _, tt := range []struct {
		name  string
		prm   rampart.Param
		plain any
		want  []string
	}{
		{"integer in a path", rampart.Param{In: "path", Schema: &rampart.Schema{Type: "integer"}}, 1,
			[]string{"rampart", "1.5", "-1", "99999999999999999999"}},
		{"integer in a query", rampart.Param{In: "query", Schema: &rampart.Schema{Type: "integer"}}, 1,
			[]string{"rampart", "1.5", "-1", "99999999999999999999", ""}},
		{"number", rampart.Param{In: "path", Schema: &rampart.Schema{Type: "number"}}, 2.5,
			[]string{"rampart", "-1", "99999999999999999999"}},
		{"untyped, a number by its value", rampart.Param{In: "path"}, 7,
			[]string{"rampart", "1.5", "-1", "99999999999999999999"}},
		{"text in a path", rampart.Param{In: "path", Schema: &rampart.Schema{Type: "string"}}, "lamp",
			[]string{"LAMP", "lamp\xc0", "lampü", strings.Repeat("a", overlong)}},
		{"text in capitals", rampart.Param{In: "path", Schema: &rampart.Schema{Type: "string"}}, "USD",
			[]string{"usd", "USD\xc0", "USDü", strings.Repeat("a", overlong)}},
		{"text without letters", rampart.Param{In: "path", Schema: &rampart.Schema{Type: "string"}}, "978-93",
			[]string{"RAMPART", "978-93\xc0", "978-93ü", strings.Repeat("a", overlong)}},
		{"text in a query: the empty value kept by the cap", rampart.Param{In: "query", Schema: &rampart.Schema{Type: "string"}}, "lamp",
			[]string{"LAMP", "", "lamp\xc0", "lampü", strings.Repeat("a", overlong)}},
		{"a UUID in a query", rampart.Param{In: "query", Schema: &rampart.Schema{Type: "string", Format: "uuid"}}, "3fa85f64",
			[]string{"rampart", "3FA85F64", "", "3fa85f64\xc0", "3fa85f64ü"}},
		{"a date", rampart.Param{In: "path", Schema: &rampart.Schema{Type: "string", Format: "date"}}, "2024-05-01",
			[]string{"2023-02-30", "RAMPART", "2024-05-01\xc0", "2024-05-01ü", strings.Repeat("a", overlong)}},
		{"boolean in a query", rampart.Param{In: "query", Schema: &rampart.Schema{Type: "boolean"}}, true,
			[]string{"rampart", ""}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, s := range paramShapes(tt.prm, tt.plain) {
				got = append(got, s.value)
				if s.desc == "" {
					t.Errorf("%q has no description", s.value)
				}
			}
			if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", tt.want) {
				t.Errorf("shapes %q, want %q", got, tt.want)
			}
		})
	}
}

// notes stores notes; unless secure, its create binds the title straight
// into SQLite (anything but text breaks the NOT NULL column) and compares
// the priority with a number (a word raises TypeError).
type notes struct {
	secure bool
	field  string // the field whose unexpected shape the create mishandles
}

func (n *notes) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	if r.Method != "POST" || r.URL.Path != "/notes" {
		http.NotFound(w, r)
		return
	}
	var b map[string]any
	json.NewDecoder(r.Body).Decode(&b)
	title, isText := b["title"].(string)
	_, isNumber := b["priority"].(float64)
	_, wordPriority := b["priority"].(string)
	switch {
	case n.field == "title" && !isText && !n.secure:
		w.WriteHeader(500)
		w.Write([]byte(`{"error": "sqlite3.IntegrityError: NOT NULL constraint failed: notes.title"}`))
	case n.field == "priority" && wordPriority && !n.secure:
		w.WriteHeader(500)
		w.Write([]byte(pyTrace("TypeError: '<' not supported between instances of 'str' and 'int'")))
	case !isText || !isNumber || strings.ContainsAny(title, `'"`):
		w.WriteHeader(400)
		w.Write([]byte(`{"error": "invalid note"}`))
	default:
		w.WriteHeader(201)
		w.Write([]byte(`{"id": 1}`))
	}
}

func TestShapeProbesInWriteBodies(t *testing.T) {
	for _, tt := range []struct {
		name   string
		mode   rampart.Mode
		field  string
		secure bool
		check  string
		desc   string
	}{
		{"null for text (SQLite NOT NULL)", rampart.Active, "title", false, "LEAK-001", "null"},
		{"text for a number (traceback)", rampart.Active, "priority", false, "LEAK-002", `text where a number is expected ("rampart")`},
		{"secure create", rampart.Active, "title", true, "", ""},
		{"safe mode sends no write", rampart.Safe, "title", false, "", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := checktest.NewServer(t, &notes{secure: tt.secure, field: tt.field})
			op := checktest.Op("POST", "/notes", "bearer")
			op.Body = &rampart.Body{ContentType: "application/json", Required: true, Schema: &rampart.Schema{Type: "object",
				Properties: map[string]*rampart.Schema{"title": {Type: "string", Example: "lamp"}, "priority": {Type: "integer", Example: 2}},
				Required:   []string{"title", "priority"}}}
			env := checktest.New(t, srv, tt.mode, []*rampart.Operation{op}, checktest.User("ann", "user", "tok-ann"))
			env.Run(t, &DBError)
			env.Run(t, &Traceback)
			fs := env.Findings()
			if tt.check == "" {
				if len(fs) > 0 {
					t.Fatalf("findings %v, want none", fs)
				}
				for _, r := range srv.Requests() {
					if tt.mode == rampart.Safe && r.Method != "GET" {
						t.Errorf("safe mode sent %s %s", r.Method, r.Path)
					}
				}
				return
			}
			got := env.Of(tt.check)
			if len(got) != 1 {
				t.Fatalf("%s findings %v (all: %v), want one", tt.check, got, fs)
			}
			if f := got[0]; f.Location.Param != tt.field || !strings.Contains(f.Message, fmt.Sprintf("when %q is set to %s", tt.field, tt.desc)) {
				t.Errorf("finding %q on %q, want %q set to %s", f.Message, f.Location.Param, tt.field, tt.desc)
			}
		})
	}
}
