// Package accept builds requests an API accepts: for an operation, path,
// query and header values and a body (JSON, url-encoded or multipart, as
// the spec says) that get past its input validation, so that a check tests
// the logic behind it instead of collecting 422s.
//
// A request starts from the spec (surface's synthesiser: examples,
// defaults, enums, formats, bounds, patterns, what the field's name asks
// for), takes values the API has shown where a Hints function gives them
// (an API model's harvest), and then what the API's own validation
// answers taught. Parse reads a 400/422 body into Problems — a field path,
// where it travels and what is wrong (missing, enum with the allowed
// values, type, format, pattern, length or number bound, unknown field) —
// in the dialects of FastAPI/pydantic 1 and 2, marshmallow/webargs/
// flask-smorest, Flask-RESTX, flask-restful, Django REST framework,
// jsonschema/connexion, Joi, express-validator, RFC 7807 invalid-params,
// Go's validator and plain messages.
//
// One Learner per scan remembers, per operation, the fixes those answers
// asked for and whether a request was accepted:
//
//	l := accept.New(accept.Options{Hints: model.Hint})
//	req, resp, err := l.Accepted(ctx, op, send) // ≤ MaxRounds requests the first time, none after
//	if l.Status(op) == accept.Accepted { ... req.Encode() ... }
//	l.Learn(op, req, resp)                      // a check's own 400/422 teaches too
//	body, ct := l.Request(op).Encode()          // the best request known, nothing sent
//
// Checks use it through check.Pass (Accepted, Request, Learn, Build, and
// Body). Unique values carry the scan's tag ("rampart_<tag>",
// "rampart-<tag>@example.com"); fields named like an idempotency key get a
// new value on every request. Memory is bounded per operation (fixes,
// tries, value sizes), never an answer.
package accept
