package surface

import (
	"net/http"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/lazyre"
)

// stateChanging marks GET routes that change state by convention: log
// out, unsubscribe, confirm, reset, cancel links.
var stateChanging = lazyre.New(`(?i)(log-?out|sign-?out|revoke|unsubscribe|delete|remove|destroy|reset|disable|enable|cancel|confirm|activate|approve|redeem|verify|purge|wipe|kill|stop|shutdown|restart|invalidate|expire)`)

// apiDescription marks the API description itself.
var apiDescription = lazyre.New(`(?i)(openapi|swagger|api-docs|redoc)[^/]*$|(^|/)docs/?$`)

// PlainRead reports whether a GET may be sent for its data by anything
// that reads on its own (exploration, inventories, probes): not one that
// changes state by convention (by its path or operationId), and not the
// API's own description, whose examples would pass for data.
func PlainRead(op *rampart.Operation) bool {
	return op.Method == http.MethodGet && !stateChanging.MatchString(op.Path) && !stateChanging.MatchString(op.ID) &&
		!apiDescription.MatchString(op.Path)
}
