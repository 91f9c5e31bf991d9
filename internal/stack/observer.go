package stack

import (
	"hash/maphash"
	"net/http"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/dberr"
)

// Framework and language names the Observer reports.
const (
	Flask      = "Flask"
	FastAPI    = "FastAPI"
	Express    = "Express"
	Spring     = "Spring"
	ASPNET     = "ASP.NET"
	Python     = "Python"
	JavaScript = "JavaScript"
	PHP        = "PHP"
	Java       = "Java"
	CSharp     = "C#"
	Go         = "Go"
	Ruby       = "Ruby"
)

// Database certainty, lowest to highest, within a family of engines that
// share their wording (CockroachDB imitates PostgreSQL; MariaDB words most
// errors as MySQL does); a sighting only replaces a family's engine when it
// is more specific.
const (
	dbNone         = iota
	dbPGCompatible // shared PostgreSQL/CockroachDB text: reported as PostgreSQL
	dbDefinite     // an engine's own wording or banner: PostgreSQL, SQLite, MySQL
	dbRefined      // the more specific engine of a family: CockroachDB, MariaDB

	dbPostgreSQL  = dbDefinite
	dbCockroachDB = dbRefined
)

// dbFamily groups engines whose texts overlap; different families are
// different databases.
func dbFamily(engine string) string {
	switch engine {
	case dberr.PostgreSQL, dberr.CockroachDB:
		return "pg"
	case dberr.MySQL, dberr.MariaDB:
		return "mysql"
	}
	return engine
}

// How much a language sighting says; a higher rank replaces a lower one.
const (
	langFromServer    = 1 // a Python-only server product: name, no version
	langFromTraceback = 2 // python3.11/site-packages: major.minor
	langFromHeader    = 3 // Python/3.11.2 in Server: the full version
)

// Evidence caps per category. A hostile or merely varied target (a
// different Server header per node, a different error per probe) must not
// grow a report without bound; the first lines of each kind are the ones
// that explain the conclusion.
var evidenceCap = map[string]int{
	catServer: 4, catFlask: 12, catDB: 8, catLang: 2, catExt: 8, catWeak: 4,
}

const (
	catServer = "server"
	catFlask  = "flask"
	catDB     = "db"
	catLang   = "lang"
	catExt    = "ext"
	catWeak   = "weak"
)

// maxEvidenceLen keeps one evidence line readable.
const maxEvidenceLen = 240

// Observer accumulates what a scan sees into a stack fingerprint. It is
// safe for concurrent use; the zero value is ready to use.
type Observer struct {
	mu sync.Mutex

	flask bool

	server        string
	serverVersion string
	serverRank    int // 1: any server, 2: a Python application server

	language    string
	langVersion string
	langRank    int // see langFrom*

	// framework is a framework other than Flask, from its first definite
	// signal (FastAPI's error bodies, Express's X-Powered-By, …).
	framework string

	// Per family of engines: how certain, which engine, in the order first
	// seen. Two families in one scan (an app with two databases) report
	// the more certain, then the first.
	dbLevel  map[string]int
	dbEngine map[string]string
	dbOrder  []string
	versions map[string]string // per engine, most specific seen
	driver   string
	orm      string

	extensions []string

	evidence []string
	weak     []string // shown only once the framework is established
	seen     map[string]bool
	perCat   map[string]int

	// bodies remembers the last answers whose body was read, so that the
	// same answer again (every 404 page, every copy of a list) is not read
	// again: what it teaches is already merged. Bounded: a ring of keys.
	seedOnce sync.Once
	seed     maphash.Seed
	bodies   map[bodyKey]bool
	ring     []bodyKey
	next     int
}

// bodyKey identifies what observeBody reads: the status and the body.
type bodyKey struct {
	status int
	sum    uint64
	n      int
}

// rememberedBodies bounds Observer.bodies.
const rememberedBodies = 4096

// New returns an empty Observer.
func New() *Observer { return &Observer{} }

// sighting is what one response says, worked out before taking the lock so
// that concurrent checks only serialise on the cheap merge.
type sighting struct {
	notes []note

	flask bool

	server        string
	serverVersion string
	serverRank    int

	language    string
	langVersion string
	langRank    int

	extensions []string
	dbs        []dbSighting

	framework string // other than Flask
}

type note struct{ cat, text string }

type dbSighting struct {
	level   int
	engine  string
	version string
	driver  string
	orm     string
	note    string // evidence, recorded only if the sighting teaches something
}

func (s *sighting) add(cat, text string) { s.notes = append(s.notes, note{cat, text}) }

// Observe learns from one response. Any argument may be nil or empty; the
// status is used to tell framework-specific error bodies from look-alikes.
func (o *Observer) Observe(status int, header http.Header, body []byte) {
	var s sighting
	observeHeaders(&s, header)
	if len(body) > 0 {
		if len(body) > maxBody {
			body = body[:maxBody]
		}
		if o.firstSight(status, body) {
			observeBody(&s, status, body)
		}
	}
	o.merge(&s)
}

// firstSight reports whether this status and body are new among the last
// rememberedBodies ones, and remembers them. Reading a body is the costly
// part of an observation (database error patterns, JSON), and a sighting
// merged twice changes nothing.
func (o *Observer) firstSight(status int, body []byte) bool {
	o.seedOnce.Do(func() { o.seed = maphash.MakeSeed() })
	k := bodyKey{status: status, sum: maphash.Bytes(o.seed, body), n: len(body)}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.bodies == nil {
		o.bodies = make(map[bodyKey]bool, rememberedBodies)
		o.ring = make([]bodyKey, rememberedBodies)
	}
	if o.bodies[k] {
		return false
	}
	if old := o.ring[o.next]; old != (bodyKey{}) {
		delete(o.bodies, old)
	}
	o.ring[o.next] = k
	o.next = (o.next + 1) % rememberedBodies
	o.bodies[k] = true
	return true
}

func (o *Observer) merge(s *sighting) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.seen == nil {
		o.seen = make(map[string]bool)
		o.perCat = make(map[string]int)
		o.versions = make(map[string]string)
		o.dbLevel = make(map[string]int)
		o.dbEngine = make(map[string]string)
	}
	if s.framework != "" && o.framework == "" {
		o.framework = s.framework
	}
	if s.flask {
		o.flask = true
	}
	if s.serverRank > o.serverRank {
		o.server, o.serverVersion, o.serverRank = s.server, s.serverVersion, s.serverRank
	}
	if s.langRank > o.langRank {
		o.language, o.langVersion, o.langRank = s.language, s.langVersion, s.langRank
	}
	for _, e := range s.extensions {
		if !slices.Contains(o.extensions, e) && len(o.extensions) < evidenceCap[catExt] {
			o.extensions = append(o.extensions, e)
		}
	}
	for _, n := range s.notes {
		o.note(n.cat, n.text)
	}
	for _, d := range s.dbs {
		if o.mergeDB(d) {
			o.note(catDB, d.note)
		}
	}
}

// mergeDB applies one database sighting and reports whether it changed the
// conclusion (only then is its evidence worth a line).
func (o *Observer) mergeDB(d dbSighting) bool {
	changed := false
	if d.engine != "" {
		fam := dbFamily(d.engine)
		if _, seen := o.dbLevel[fam]; !seen {
			o.dbOrder = append(o.dbOrder, fam)
		}
		if d.level > o.dbLevel[fam] {
			o.dbLevel[fam], o.dbEngine[fam] = d.level, d.engine
			changed = true
		}
	}
	if d.version != "" && d.engine != "" && len(d.version) > len(o.versions[d.engine]) {
		o.versions[d.engine] = d.version
		changed = true
	}
	if d.driver != "" && o.driver == "" {
		o.driver = d.driver
		changed = true
	}
	if d.orm != "" && o.orm == "" {
		o.orm = d.orm
		changed = true
	}
	return changed
}

func (o *Observer) note(cat, text string) {
	text = clean(text, maxEvidenceLen)
	if text == "" || o.seen[text] || o.perCat[cat] >= evidenceCap[cat] {
		return
	}
	o.seen[text] = true
	o.perCat[cat]++
	if cat == catWeak {
		o.weak = append(o.weak, text)
		return
	}
	o.evidence = append(o.evidence, text)
}

// Infer records an engine a check proved by what the database accepted
// rather than by an error text (a function only that engine has, a syntax
// only it reads), with the evidence line saying how. It weighs as a
// definite sighting: an engine's own error text or banner.
func (o *Observer) Infer(engine, how string) {
	if engine == "" {
		return
	}
	o.merge(&sighting{dbs: []dbSighting{{level: dbDefinite, engine: engine, note: clean(how, maxEvidenceLen)}}})
}

// Fingerprint returns the current best guess. It is a snapshot: later
// observations do not change a returned value.
func (o *Observer) Fingerprint() rampart.Fingerprint {
	o.mu.Lock()
	defer o.mu.Unlock()
	fp := rampart.Fingerprint{
		Server:          o.server,
		ServerVersion:   o.serverVersion,
		Language:        o.language,
		LanguageVersion: o.langVersion,
		Database:        o.database(),
		Driver:          o.driver,
		ORM:             o.orm,
	}
	fp.DatabaseVersion = o.versions[fp.Database]
	if o.dbLevel[dbFamily(fp.Database)] == dbPGCompatible {
		fp.DatabaseVersion = "" // a shared text says nothing about PostgreSQL's version
	}
	switch {
	case o.flask:
		fp.Framework = Flask
		fp.Language = Python
	case o.framework != "":
		fp.Framework = o.framework
		if lang := frameworkLanguage[o.framework]; lang != fp.Language {
			fp.Language, fp.LanguageVersion = lang, ""
		}
	}
	fp.Evidence = slices.Clone(o.evidence)
	if o.flask {
		fp.Evidence = append(fp.Evidence, o.weak...)
	}
	return fp
}

// IsFlask reports whether a Flask (Werkzeug) signal has been seen.
func (o *Observer) IsFlask() bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.flask
}

// Database returns "CockroachDB", "PostgreSQL" (which includes
// PostgreSQL-compatible until something more specific is seen), "SQLite",
// "MySQL", "MariaDB" or "".
func (o *Observer) Database() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.database()
}

func (o *Observer) database() string {
	best, level := "", dbNone
	for _, fam := range o.dbOrder {
		if o.dbLevel[fam] > level {
			best, level = o.dbEngine[fam], o.dbLevel[fam]
		}
	}
	return best
}

// frameworkLanguage is the language each framework implies.
var frameworkLanguage = map[string]string{
	Flask: Python, FastAPI: Python, Express: JavaScript, Spring: Java, ASPNET: CSharp,
}

// Language returns the language and, when a header or traceback showed it,
// its version.
func (o *Observer) Language() (name, version string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	name = o.language
	switch {
	case o.flask:
		name = Python
	case o.framework != "" && frameworkLanguage[o.framework] != name:
		return frameworkLanguage[o.framework], ""
	}
	return name, o.langVersion
}

// Extensions returns the Flask extensions seen (Flask-Login, Flask-WTF,
// Flask-JWT-Extended, Flask-RESTful/RESTX, …), in the order first seen.
// Checks use them to pick probes: JWT checks where Flask-JWT-Extended
// answers, remember-token forgery where Flask-Login does.
func (o *Observer) Extensions() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return slices.Clone(o.extensions)
}

// clean makes attacker-controlled text safe to print in a report: no
// control characters, collapsed spaces, bounded length on a rune boundary.
func clean(s string, limit int) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		if r == unicode.ReplacementChar || unicode.IsControl(r) || unicode.IsSpace(r) {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		if b.Len()+utf8.RuneLen(r) > limit {
			b.WriteString("…")
			break
		}
		b.WriteRune(r)
	}
	return b.String()
}
