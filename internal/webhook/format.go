package webhook

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
)

// Format is how a hook wants the event written.
type Format string

const (
	// JSON is the Event itself, signed when the hook has a secret.
	JSON Format = "json"
	// Slack is an incoming-webhook message: text for notifications and
	// blocks for the channel.
	Slack Format = "slack"
)

// ParseFormat reads a format's name.
func ParseFormat(s string) (Format, error) {
	switch f := Format(strings.ToLower(strings.TrimSpace(s))); f {
	case JSON, Slack:
		return f, nil
	}
	return "", fmt.Errorf("webhook format %q: want json or slack", s)
}

// Body is the request body a hook of format f receives for ev.
func Body(f Format, ev Event) ([]byte, error) {
	switch f {
	case JSON:
		return json.Marshal(ev)
	case Slack:
		return json.Marshal(slackMessage(ev))
	}
	return nil, fmt.Errorf("webhook format %q: want json or slack", f)
}

type slackText struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

type slackBlock struct {
	Type     string      `json:"type"`
	Text     *slackText  `json:"text,omitempty"`
	Fields   []slackText `json:"fields,omitempty"`
	Elements []slackText `json:"elements,omitempty"`
}

type slackBody struct {
	Text   string       `json:"text"`
	Blocks []slackBlock `json:"blocks"`
}

// slackMessage is the event as Slack shows it. Every value that comes from
// the scanned API or a user (the target's name and URL) is escaped, so a
// target named "<!channel>" cannot ping a channel or forge a link.
func slackMessage(ev Event) slackBody {
	name := slackEscape(ev.Target)
	summary := fmt.Sprintf("Rampart scan of %s: grade %s (%d/100), %d new, %d fixed, %d unchanged",
		name, slackEscape(ev.Grade), ev.Score, ev.New, ev.Fixed, ev.Unchanged)
	head := fmt.Sprintf("*Rampart scan of %s*: grade *%s* (%d/100)", name, slackEscape(ev.Grade), ev.Score)
	if link := slackLink(ev.Link); link != "" {
		head += " · <" + link + "|scan " + fmt.Sprint(ev.ScanID) + ">"
	}
	msg := slackBody{Text: summary, Blocks: []slackBlock{
		{Type: "section", Text: &slackText{Type: "mrkdwn", Text: head}},
		{Type: "section", Fields: []slackText{
			{Type: "mrkdwn", Text: fmt.Sprintf("*New*\n%d", ev.New)},
			{Type: "mrkdwn", Text: fmt.Sprintf("*Fixed*\n%d", ev.Fixed)},
			{Type: "mrkdwn", Text: fmt.Sprintf("*Unchanged*\n%d", ev.Unchanged)},
			{Type: "mrkdwn", Text: fmt.Sprintf("*Findings*\n%d", ev.Findings)},
		}},
		{Type: "context", Elements: []slackText{{Type: "mrkdwn", Text: slackEscape(ev.URL)}}},
	}}
	return msg
}

// slackEscape escapes the three characters Slack's mrkdwn gives meaning to.
func slackEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// slackLink is a link Slack can show: http or https only, with the
// characters that would end Slack's <url|label> syntax escaped.
func slackLink(s string) string {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	return strings.NewReplacer("|", "%7C", ">", "%3E", "<", "%3C").Replace(u.String())
}
