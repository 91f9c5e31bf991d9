package dberr

import "testing"

// Patterns compile on first use; this uses every one, so that a bad
// expression fails here rather than in a scan.
func TestPatternsCompile(t *testing.T) {
	var all []*pattern
	for _, r := range rules {
		all = append(all, r.p)
	}
	for _, m := range append(append(append([]engineMarker{}, engineMarkers...), bannerRes...), otherMarkers...) {
		all = append(all, m.p)
	}
	for _, m := range append(append([]nameMarker{}, driverMarkers...), ormMarkers...) {
		all = append(all, m.p)
	}
	all = append(all, pgClassRe, pgBaseClassRe, asyncpgClassRe, sqlaClassRe, djangoClassRe, peeweeClassRe,
		jdbcClassRe, sqlaFormatRe, sqlaLinkRe, sqliteClassRe, mysqlClassRe, mysqlTupleRe, mysqlConnRe)
	all = append(all, codeRes...)
	for i, p := range all {
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("pattern %d (needles %q): %v", i, p.needles, r)
				}
			}()
			if p.re() == nil {
				t.Errorf("pattern %d (needles %q): no expression", i, p.needles)
			}
		}()
	}
	if len(all) < 50 {
		t.Errorf("only %d patterns found: the list above is out of date", len(all))
	}
}
