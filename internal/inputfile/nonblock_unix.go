//go:build unix

package inputfile

import "syscall"

// nonblock keeps opening a FIFO with no writer from blocking; a regular
// file ignores the flag, and anything else is refused right after the open.
const nonblock = syscall.O_NONBLOCK
