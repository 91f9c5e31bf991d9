// Package e2e scans the testbed's twins with the real scanner and holds the
// results against testbed/groundtruth.json: every listed flaw of a family
// Rampart has a check for must be found on the vulnerable twin, and the
// secure twin must show nothing of severity medium or above. It scans the
// zoo of API shapes (testbed/zoo) too, and holds each app's recall and
// secure-side findings to the baseline in zoo_test.go.
package e2e
