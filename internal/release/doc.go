// Package release holds no code: its tests keep Rampart's install and release
// files honest — `go install …@version` from a module proxy, the GitHub
// Action, the GitLab CI template, the pre-commit hook and the Dockerfile —
// so that none of them silently stops matching the command line they call.
package release
