// Package e2e scans the testbed's twins with the real scanner and holds the
// results against testbed/groundtruth.json: every listed flaw of a family
// Rampart has a check for must be found on the vulnerable twin, and the
// secure twin must show nothing of severity medium or above.
package e2e
