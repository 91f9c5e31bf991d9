// Package surface builds Rampart's attack surface: the list of operations a
// scan may exercise, what each takes (parameters, body), what it returns and
// whether the API says it needs credentials.
//
// There are three ways in:
//
//   - Load reads an OpenAPI 2.0 (Swagger), 3.0 or 3.1 document, JSON or
//     YAML, from a file or from bytes the caller fetched, resolves its $refs
//     (recursive ones included) and converts it into rampart.Operation
//     values. Documents are untrusted input: a broken one gives a single
//     *SpecError that names the file, the line and the place in the
//     document; nothing in it can make the loader read a local file unless
//     the document itself is a local file, nor open a network connection
//     except through the caller's Fetch.
//   - Discover looks for a published spec at the usual places on the
//     target, and otherwise Crawl learns operations from the links of JSON
//     and HTML responses, without ever leaving the target's origin.
//   - Value, Body, PathValue and URL synthesise the requests checks send:
//     plausible, valid-looking and identical on every run, so that evidence
//     is reproducible.
//
// Paths are the document's templates (/notes/{note_id}), never prefixed, so
// that findings, ground truth and white-box routes share one vocabulary; the
// server prefix lives in Surface.BasePath and is applied by Surface.BaseURL.
//
// The package converts into the root package's types and exposes nothing of
// the OpenAPI library it uses, so checks never depend on it.
package surface
