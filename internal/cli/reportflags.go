package cli

import "github.com/spf13/pflag"

// verboseHelp is what -v means, the same on every command that has it.
const verboseHelp = "text report: also print each finding's evidence and curl lines, and the IDs of skipped checks (other formats always have them)"

// addReportFlags registers -f, -o and -v, the flags every command that
// writes a report shares, so their formats and meaning cannot drift apart.
func addReportFlags(fl *pflag.FlagSet, format, output *[]string, verbose *bool) {
	fl.StringSliceVarP(format, "format", "f", []string{"text"}, formatHelp)
	fl.StringSliceVarP(output, "output", "o", nil, outputHelp)
	fl.BoolVarP(verbose, "verbose", "v", false, verboseHelp)
}
