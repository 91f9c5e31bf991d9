// Package sarif writes a Rampart report as SARIF 2.1.0, the format GitHub
// code scanning, Azure DevOps and most IDEs import.
//
// What maps to what (docs/reports.md has the full table):
//
//   - each check or white-box rule that has a result becomes a rule
//     (reportingDescriptor) built from its rampart.Meta: title, summary, what
//     it detects, the fix, a helpUri to its documentation, tags (family, CWE
//     as external/cwe/cwe-N, OWASP), precision from the findings' confidence
//     and GitHub's security-severity from severity;
//   - CWE identifiers also form a CWE taxonomy that rules and results point to;
//   - each finding becomes a result whose level comes from its severity
//     (critical and high → error, medium → warning, low and info → note) and
//     whose partialFingerprints carry the finding's stable ID, so GitHub keeps
//     an alert open across runs instead of opening a new one;
//   - source locations become physical locations (relative to %SRCROOT%),
//     HTTP operations become logical locations ("GET /notes/{note_id}");
//   - check errors and skipped checks become tool notifications of the single
//     invocation, which is unsuccessful when the scan was interrupted;
//   - each input warning (a problem Rampart repaired in the spec, HAR or
//     Postman file) becomes a warning execution notification located at the
//     document and line, with properties kind "input-warning", path and
//     repair;
//   - the run's properties count the operations by how they were found
//     (operationsFound.bySource) and the input warnings (inputWarnings).
//
// A check that a caller passes no metadata for still gets a rule, built from
// what its findings carry (title, CWE, remediation).
package sarif
