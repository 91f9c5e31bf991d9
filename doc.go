// Package rampart holds Rampart's domain types: severities, confidences,
// scan modes, families, operations, findings, check metadata and reports.
// It depends on the standard library only, so every other package (and
// every report writer) can share it without pulling in the scanner.
package rampart
