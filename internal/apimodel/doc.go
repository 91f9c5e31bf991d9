// Package apimodel is what one scan learns of an API from its own traffic:
// the values its answers hold and whose each one is, who each identity is,
// which answers feed which parameters, and which reads need credentials.
// Checks ask it typed questions instead of sharing state through string
// keys, so that they work on APIs shaped unlike the testbed: keys the
// client chose, account numbers known only from a login answer, usernames
// and e-mail addresses in paths, enveloped answers, no "who am I" endpoint.
//
// # Building it
//
// One model per scan, built once the surface is loaded and grown while the
// scan runs. It must see every exchange: wire Observe as the engine's
// observer, before the identities log in (their login answers teach who
// they are). Then Explore reads the API as every identity, and the checks
// run with the model on their pass (check.Pass.Model):
//
//	m := apimodel.New(apimodel.Config{Surface: ops, Base: base})
//	client, _ := engine.New(engine.Config{..., Observe: m.Observe})
//	// identities log in through client
//	stats, err := m.Explore(ctx, client, ids) // anonymous first, then the others
//
// Explore sends safe reads only (GET; never a logout-, revoke- or
// delete-like one, nor the spec), through the engine (scope, mode, rate,
// redaction), at most PerUnit (3) requests per GET operation and identity:
// the operations without path parameters first, then, in rounds, those
// whose parameters the harvest fills with values the identity owns or saw,
// then the anonymous caller once at each parameterised read an identity was
// answered (Gate). It sends nothing in passive mode. The scan accounts for
// its requests as the pseudo check MODEL.
//
// # Questions
//
// Values for a parameter of an operation, best first, filtered by whose
// they are:
//
//	op := m.Operation("GET /accounts/{account_number}")
//	mine := m.Values(op, "account_number", apimodel.Query{As: alice, Owner: apimodel.Mine})
//	theirs := m.Values(op, "account_number", apimodel.Query{As: alice, Owner: apimodel.Others, Of: bob})
//	// theirs[0].Value is one of bob's accounts, theirs[0].Evidence says why
//	// it is bob's (apimodel.HowLogin: it was in bob's login answer), Seen how
//	// alice herself saw it (0: never), Public whether the anonymous caller did.
//
// A parameter is matched by meaning, not spelling: account_number,
// accountNumber and account-no are one name; {id} in /notes/{id} and
// {note_id} both take the ids of note objects (listed by GET /notes, or
// under a "notes" key anywhere); {title} in /pages/{title} takes the
// titles of pages, including one the client sent in a create whose answer
// was only {"message":"created"}; a uuid or email format takes values of
// that kind; a user parameter (user_id, username, email, owner) takes the
// person's own id, username or e-mail. Values that do not fit the
// parameter's schema (an integer, an enum, a pattern) are left out.
//
// Objects an identity owns, each with the read that fetches it:
//
//	for _, o := range m.Objects(bob) {
//		// o.Op, o.Param, o.Key, o.URL; o.Status is what bob got there
//		// while exploring (0 when exploring did not read it).
//	}
//
// Who an identity is, from its login answer, its token's claims (a JWT,
// or a Flask session cookie; nested claims under data, user, identity or
// sub too) and answers that are its own record:
//
//	p := m.Person(alice) // p.ID, p.Username, p.Email, p.APIRole, p.Admin, p.Accounts, p.Owns
//
// How each identity was answered by a read, and the reads that need
// credentials (the anonymous caller refused where an identity got data):
// the baseline a forged credential is compared with.
//
//	for _, g := range m.Gated() {
//		genuine, _ := g.Answer(alice) // Status 200, Shape "object{balance,number,owner}"
//		none, _ := g.Answer(nil)      // Status 401
//		_ = genuine.URL               // where to send the forgery
//	}
//
// Which operations produce a parameter (RESTler's producer-consumer
// dependencies), seen in answers or declared in the spec:
//
//	for _, l := range m.Producers(op, "account_number") {
//		// l.From "POST /auth/login" or apimodel.FromLogin, l.Field "data.accounts[].number"
//	}
//
// And the payload of any answer, envelopes taken off the same way
// everywhere ({"status":…,"data":…}, {"result":…}, {"items":[…],"next":…},
// {"pages":[…],"total":3}):
//
//	payload, ok := apimodel.UnwrapBody(resp.Body)
//
// # Ownership
//
// A value is an identity's own when the evidence says so, strongest first:
// it was in its login answer or token claims, it sent it to log in, it is
// in its own record, it came back from a create it made or it chose it in
// one (HowLogin … HowSent); else when the object's owner field (owner,
// user_id, username, author, email) names the identity (HowOwnerField);
// else when it alone listed it while the model explored (HowExclusive; an
// administrator's listing counts only when no user listed the value). A
// value the anonymous caller saw is public.
//
// # Bounds
//
// The model lives for the whole scan, so what it keeps is capped: a body
// is read into a bounded tree (256 KiB, 12 levels, 128 keys per object, 64
// items per array, 8192 values), at most 64 values per field of an
// operation, 128 fields per operation, 50,000 values in all (about 27 MiB
// at worst, TestHeapBound), 8 origins and 32 sightings per value, and 64
// identities. What exploring records is bounded by its request budget.
package apimodel
