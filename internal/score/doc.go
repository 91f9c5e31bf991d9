// Package score turns findings into the 0–100 score, the A–F grade and the
// per-family scores that every report shows.
//
// The rules are published in docs/scoring.md and are deliberately simple and
// pure: the same findings always give the same grade, whatever the target,
// the run's timing or the writer. Users gate releases on the grade, so it must
// be explainable by hand from the report alone; this package and that page
// change together.
package score
