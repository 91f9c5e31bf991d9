package rampart

// Family is the one vocabulary shared by checks, white-box rules, findings
// and the testbed's ground truth.
type Family string

const (
	FamilyBOLA            Family = "bola"
	FamilyBFLA            Family = "bfla"
	FamilyMissingAuth     Family = "missing-auth"
	FamilyMassAssignment  Family = "mass-assignment"
	FamilySQLi            Family = "sqli"
	FamilySQLiIdentifier  Family = "sqli-identifier"
	FamilyTxnBoundary     Family = "txn-boundary"
	FamilyIdempotency     Family = "idempotency"
	FamilyRace            Family = "race"
	FamilyDebugExposure   Family = "debug-exposure"
	FamilyErrorLeak       Family = "error-leak"
	FamilySessionSecret   Family = "session-secret"
	FamilySessionExposure Family = "session-exposure"
	FamilyJWT             Family = "jwt"
	FamilyCORS            Family = "cors"
	FamilyHeaders         Family = "headers"
	FamilyRateLimit       Family = "rate-limit"
	FamilyUserEnum        Family = "user-enumeration"
	FamilyDataExposure    Family = "data-exposure"
	FamilyInventory       Family = "inventory"
	FamilyFingerprint     Family = "fingerprint"
)

// Families lists every family in the order reports group them.
var Families = []Family{
	FamilyBOLA, FamilyBFLA, FamilyMissingAuth, FamilyMassAssignment,
	FamilySQLi, FamilySQLiIdentifier, FamilyTxnBoundary, FamilyIdempotency,
	FamilyRace, FamilyDebugExposure, FamilyErrorLeak, FamilySessionSecret,
	FamilySessionExposure, FamilyJWT, FamilyCORS, FamilyHeaders,
	FamilyRateLimit, FamilyUserEnum, FamilyDataExposure, FamilyInventory, FamilyFingerprint,
}

// Valid reports whether f is one of the known families.
func (f Family) Valid() bool {
	for _, k := range Families {
		if k == f {
			return true
		}
	}
	return false
}
