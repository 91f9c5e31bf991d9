package surface

import (
	"net/url"
	"reflect"
	"testing"
)

func TestPageLinks(t *testing.T) {
	page, _ := url.Parse("http://127.0.0.1:8000/docs/")
	body := []byte(`<html><body>
<a href="/jwt/keys/">keys</a> <a href="algo#top">relative</a> <a href="/jwt/keys/#again">again</a>
<a href="/logout/">bye</a> <a href="/items/1/delete">remove</a> <a href="/static/app.css">css</a>
<a href="http://127.0.0.2/elsewhere">other host</a> <a href="mailto:a@b.c">mail</a>
<form method="get" action="/search"><input name="q"></form></body></html>`)
	var got []string
	for _, u := range PageLinks(page, body) {
		got = append(got, u.String())
	}
	want := []string{"http://127.0.0.1:8000/jwt/keys/", "http://127.0.0.1:8000/docs/algo"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("PageLinks = %q, want %q", got, want)
	}
}
