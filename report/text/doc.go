// Package text writes a report for a person at a terminal: the verdict
// first (grade, counts, what was scanned), then the findings from worst to
// least bad, each with the command that replays it and how to fix it, then
// what the run could not do.
//
// Everything that came from the target (messages, evidence, URLs) is
// untrusted: control characters are shown escaped, never sent to the
// terminal, so a hostile server cannot rewrite the screen of the person
// reading about it. Colour is plain ANSI and only when asked for; deciding
// whether the output is a terminal, and honouring NO_COLOR, is the CLI's job.
package text
