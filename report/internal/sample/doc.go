// Package sample builds the reports that the writers' golden tests render,
// so every format is checked against the same realistic scan of the
// testbed and a change to the domain model shows up in all of them at once.
package sample
