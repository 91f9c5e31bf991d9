// Package json writes and reads Rampart's JSON report, the format other
// tools consume and the one Rampart itself re-reads (for baselines and to
// render a saved scan in another format).
//
// The format is described by docs/report.schema.json and versioned by
// rampart.SchemaVersion: a minor version only adds fields, which older
// readers ignore; a major version may change meaning, so Read refuses one it
// does not know instead of guessing.
package json
