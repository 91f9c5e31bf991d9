package pyast

/*
#include "walk.h"
#include <stddef.h>
static size_t pyast_node_size(void) { return sizeof(pyast_node); }
static size_t pyast_off_start(void) { return offsetof(pyast_node, start); }
static size_t pyast_off_parent(void) { return offsetof(pyast_node, parent); }
static size_t pyast_off_next(void) { return offsetof(pyast_node, next); }
*/
import "C"

// cLayout reports the C walker's view of a node, for the layout test.
func cLayout() (size, start, parent, next uintptr) {
	return uintptr(C.pyast_node_size()), uintptr(C.pyast_off_start()),
		uintptr(C.pyast_off_parent()), uintptr(C.pyast_off_next())
}

// cFlags reports the C walker's node flags, for the layout test.
func cFlags() []uint16 {
	return []uint16{C.PYAST_NAMED, C.PYAST_ERROR, C.PYAST_MISSING, C.PYAST_DEEP}
}
