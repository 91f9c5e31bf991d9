package traffic

import (
	"os"
	"strings"
	"testing"
)

// checkRecording holds what any parse must give, however hostile the
// input: bounded exchanges and bodies, and exchanges the rest of the
// package can strip and build operations from without panicking.
func checkRecording(t *testing.T, rec *Recording) {
	if len(rec.Exchanges) > MaxExchanges {
		t.Fatalf("%d exchanges", len(rec.Exchanges))
	}
	for _, x := range rec.Exchanges {
		if x.URL == nil || x.Header == nil || !validMethod(x.Method) {
			t.Fatalf("incomplete exchange %+v", x)
		}
		if len(x.Body) > MaxBody || len(x.RespBody) > MaxBody {
			t.Fatalf("body of %d / %d bytes", len(x.Body), len(x.RespBody))
		}
		if x.URL.Scheme != "http" && x.URL.Scheme != "https" {
			t.Fatalf("scheme %q", x.URL.Scheme)
		}
	}
	Session(rec)
	StripAll(rec, false)
	for _, x := range rec.Exchanges {
		for name := range x.Header {
			if IsCredentialHeader(name) {
				t.Fatalf("credential header %s left after StripAll", name)
			}
		}
	}
	b := Build([]*Recording{rec}, target, func(u string) bool { return strings.HasPrefix(u, "http://127.0.0.1:8801/") })
	for _, op := range b.Operations {
		if !strings.HasPrefix(op.Path, "/") {
			t.Fatalf("operation path %q", op.Path)
		}
	}
}

func seed(f *testing.F, names ...string) {
	for _, n := range names {
		data, err := os.ReadFile("testdata/" + n)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
}

func FuzzHAR(f *testing.F) {
	seed(f, "browser.har")
	f.Add([]byte(`{"log":{"entries":[{"request":{"method":"GET","url":"http://127.0.0.1:8801/a/1?x=2","headers":[{"name":"Cookie","value":"a=b"}]},"response":{"status":200,"content":{"text":"e30=","encoding":"base64"}}}]}}`))
	f.Add([]byte(`{"log":{"entries":[null,{},{"request":null},{"request":{"postData":{"params":[{}]}}}]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		rec, err := ParseHAR("f.har", data)
		if err != nil {
			return
		}
		checkRecording(t, rec)
	})
}

func FuzzPostman(f *testing.F) {
	seed(f, "collection.postman.json")
	f.Add([]byte(`{"item":[{"request":"{{a}}/x/:id","variable":[{"key":"a","value":"{{a}}{{a}}"}]}]}`))
	f.Add([]byte(`{"item":[{"item":[{"request":{"url":{"host":[1,{"value":"h"}],"path":"a/:b","variable":[{"key":"b"}]},"body":{"mode":"graphql","graphql":{"variables":"{"}}}}]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		rec, err := ParsePostman("f.json", data, PostmanOptions{Base: target})
		if err != nil {
			return
		}
		checkRecording(t, rec)
	})
}
