// Package rich parses the little markup Rampart's remediation texts use
// (paragraphs, ``` fences, indented code, `inline code`), so the HTML and
// Markdown writers render it the same way.
package rich

import "strings"

// Block is a paragraph or a code block of remediation text.
type Block struct {
	Code bool
	Lang string // the fence's info string, if any
	Text string
}

// Blocks splits text into paragraphs and code blocks: ``` fences, and
// runs of lines indented by four spaces or a tab after a blank line.
func Blocks(s string) []Block {
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
	lines := strings.Split(s, "\n")
	var out []Block
	var para []string
	flush := func() {
		if len(para) > 0 {
			out = append(out, Block{Text: strings.Join(para, " ")})
			para = nil
		}
	}
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		trimmed := strings.TrimSpace(line)
		switch {
		case len(para) == 0 && indented(line) && trimmed != "":
			var body []string
			for ; i < len(lines) && (indented(lines[i]) || strings.TrimSpace(lines[i]) == ""); i++ {
				body = append(body, dedent(lines[i]))
			}
			i--
			out = append(out, Block{Code: true, Text: strings.TrimRight(strings.Join(body, "\n"), "\n ")})
		case strings.HasPrefix(trimmed, "```"):
			flush()
			lang := strings.TrimSpace(strings.TrimLeft(trimmed, "`"))
			var body []string
			for i++; i < len(lines) && !strings.HasPrefix(strings.TrimSpace(lines[i]), "```"); i++ {
				body = append(body, lines[i])
			}
			out = append(out, Block{Code: true, Lang: lang, Text: strings.Join(body, "\n")})
		case trimmed == "":
			flush()
		default:
			para = append(para, trimmed)
		}
	}
	flush()
	return out
}

func indented(l string) bool { return strings.HasPrefix(l, "    ") || strings.HasPrefix(l, "\t") }

func dedent(l string) string {
	if strings.HasPrefix(l, "\t") {
		return l[1:]
	}
	return strings.TrimPrefix(l, "    ")
}

// Span is a run of prose or of `code` inside a paragraph.
type Span struct {
	Code bool
	Text string
}

// Inline splits prose at `code` spans; a lone backtick is prose.
func Inline(s string) []Span {
	var out []Span
	for {
		i := strings.IndexByte(s, '`')
		if i < 0 {
			break
		}
		j := strings.IndexByte(s[i+1:], '`')
		if j < 0 {
			break
		}
		if i > 0 {
			out = append(out, Span{Text: s[:i]})
		}
		out = append(out, Span{Code: true, Text: s[i+1 : i+1+j]})
		s = s[i+2+j:]
	}
	if s != "" {
		out = append(out, Span{Text: s})
	}
	return out
}
