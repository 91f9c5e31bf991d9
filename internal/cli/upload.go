package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/rampart-sec/rampart"
	jsonreport "github.com/rampart-sec/rampart/report/json"
)

// uploadFlags are --upload and its companions, on scan and code. They are
// command-line only (not config keys): the key belongs in the environment.
type uploadFlags struct {
	url    string
	key    string
	target string
}

// uploadKeyEnv is where the upload key is read from when --upload-key is
// not given (it keeps the key out of argv and shell history).
const uploadKeyEnv = "RAMPART_UPLOAD_KEY"

func addUploadFlags(cmd *cobra.Command, f *uploadFlags) {
	fl := cmd.Flags()
	fl.StringVar(&f.url, "upload", "", "after the run, upload the JSON report to this rampart serve (its base URL); the key comes from $"+uploadKeyEnv)
	fl.StringVar(&f.key, "upload-key", "", "API key of scope upload for --upload (default $"+uploadKeyEnv+"; prefer the variable: argv is visible to other users)")
	fl.StringVar(&f.target, "upload-target", "", "the target name to file the report under on the server (default: the scanned host:port, or the source folder's name)")
}

// check validates the upload flags before the run, so that a typo does
// not cost a whole scan.
func (f *uploadFlags) check(env Env) (*url.URL, string, error) {
	if f.url == "" {
		if f.key != "" || f.target != "" {
			return nil, "", usageErr("--upload-key and --upload-target need --upload URL")
		}
		return nil, "", nil
	}
	u, err := url.Parse(f.url)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return nil, "", usageErr("--upload: want the server's base URL, such as https://rampart.example.test (no credentials in it)")
	}
	key := f.key
	if key == "" && env.Getenv != nil {
		key = strings.TrimSpace(env.Getenv(uploadKeyEnv))
	}
	if key == "" {
		return nil, "", usageErr("--upload needs an API key of scope upload: set %s", uploadKeyEnv)
	}
	if u.Scheme == "http" && !loopbackHost(u.Hostname()) {
		fmt.Fprintf(env.Stderr, "rampart: warning: --upload over plain http to %s sends the key and the report unencrypted\n", u.Host)
	}
	u.Path = strings.TrimSuffix(u.Path, "/") + "/api/v1/reports"
	u.RawQuery = ""
	if f.target != "" {
		u.RawQuery = url.Values{"target": {f.target}}.Encode()
	}
	return u, key, nil
}

func loopbackHost(h string) bool {
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// uploadAnswer is what the server says of an upload (server.UploadResult).
type uploadAnswer struct {
	ID        int64  `json:"id"`
	Target    string `json:"target"`
	Page      string `json:"page"`
	New       int    `json:"new"`
	Fixed     int    `json:"fixed"`
	Unchanged int    `json:"unchanged"`
	Error     string `json:"error"`
}

// upload posts the report and says in one line where it went and what
// changed. Its error is exit 3: the run's results did not reach the team.
func upload(ctx context.Context, env Env, u *url.URL, key string, rep *rampart.Report) error {
	var body bytes.Buffer
	if err := jsonreport.Write(&body, rep); err != nil {
		return &ExitError{Code: ExitCannotRun, Err: fmt.Errorf("--upload: %w", err)}
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), &body)
	if err != nil {
		return &ExitError{Code: ExitCannotRun, Err: fmt.Errorf("--upload: %w", err)}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("User-Agent", "rampart/"+Version())
	client := &http.Client{
		// A redirect would resend the key elsewhere: refuse it.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	resp, err := client.Do(req)
	if err != nil {
		return &ExitError{Code: ExitCannotRun, Err: fmt.Errorf("--upload: the server did not answer (%s): check the URL", u.Host)}
	}
	defer resp.Body.Close()
	var ans uploadAnswer
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	json.Unmarshal(data, &ans)
	if resp.StatusCode != http.StatusCreated {
		why := ""
		switch resp.StatusCode {
		case http.StatusUnauthorized:
			why = ": the key is unknown or deleted (" + uploadKeyEnv + ")"
		case http.StatusForbidden:
			why = ": the key's scope does not allow uploads (it needs upload or admin)"
		}
		return &ExitError{Code: ExitCannotRun, Err: fmt.Errorf("--upload: the server answered %d%s", resp.StatusCode, why)}
	}
	page := *u
	page.Path, page.RawQuery = ans.Page, ""
	fmt.Fprintf(env.Stderr, "rampart: uploaded as scan %d of %s: %d new, %d fixed, %d unchanged since the previous scan (%s)\n",
		ans.ID, ans.Target, ans.New, ans.Fixed, ans.Unchanged, page.String())
	return nil
}
