// Package clip shortens text the target controls (a validation message in
// a coverage detail, an example) to what a report format quotes, and says
// so with an ellipsis; the JSON report keeps all of it.
package clip

// Runes keeps the first n runes of s, with "…" when it cut.
func Runes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
