package baseline

import "github.com/rampart-sec/rampart"

// Key is the stable identity of a finding across runs, as a baseline
// matches it: its ID, or the fingerprint computed from it when it has none.
// Stores that diff runs (rampart serve) key findings by it.
func Key(f *rampart.Finding) string { return id(f) }
