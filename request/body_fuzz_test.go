package request

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode/utf8"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"
)

// fuzzForm has a field of each kind the route forms use.
type fuzzForm struct {
	Name   string  `json:"name"`
	Note   *string `json:"note"`
	Active *bool   `json:"active"`
	Count  int     `json:"count"`
}

func (f *fuzzForm) Validate() error {
	return validation.ValidateStruct(f, validation.Field(&f.Name, validation.Length(0, 20)))
}

// FuzzBindForm feeds BindForm any content type and body, sent with or
// without a length: it answers nil or a 400/413 ApiError in PocketBase's
// shape, never panics, accepts only an empty body or a valid UTF-8 JSON
// object sent as application/json, and leaves e.RequestInfo working.
func FuzzBindForm(f *testing.F) {
	seeds := []struct {
		contentType, body string
	}{
		{"application/json", `{"name":"Ada","note":"hi","active":true,"count":3}`},
		{"application/json; charset=utf-8", `{}`},
		{"application/json", ``},
		{"application/json", `   `},
		{"application/json", `null`},
		{"application/json", `[{"name":"x"}]`},
		{"application/json", `{"name":5}`},
		{"application/json", `{"count":"x"}`},
		{"application/json", `{"name":"` + strings.Repeat("x", 30) + `"}`},
		{"application/json", "{\"name\":\"\xff\"}"},
		{"application/json", `{"a":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}`},
		{"application/json", `{"a":1}{"b":2}`},
		{"application/xml", `<a/>`},
		{"application/x-www-form-urlencoded", `name=Ada`},
		{"multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nAda\r\n--x--\r\n"},
		{"", `{"name":"Ada"}`},
		{"text/plain", `{}`},
	}
	for _, s := range seeds {
		f.Add(s.contentType, []byte(s.body), false)
		f.Add(s.contentType, []byte(s.body), true)
	}
	f.Fuzz(func(t *testing.T, contentType string, body []byte, chunked bool) {
		var reader io.Reader = bytes.NewReader(body)
		if chunked {
			reader = io.MultiReader(reader)
		}
		req := httptest.NewRequest(http.MethodPost, "/api/fuzz", reader)
		if chunked {
			req.ContentLength = -1
		}
		req.Header.Set("Content-Type", contentType)
		e := &core.RequestEvent{}
		e.Request = req
		e.Response = httptest.NewRecorder()

		form := &fuzzForm{}
		err := BindForm(e, form)
		if err != nil {
			var apiErr *router.ApiError
			if !errors.As(err, &apiErr) {
				t.Fatalf("not an ApiError: %T %v", err, err)
			}
			if apiErr.Status != http.StatusBadRequest && apiErr.Status != http.StatusRequestEntityTooLarge {
				t.Fatalf("status %d", apiErr.Status)
			}
			if apiErr.Status == http.StatusRequestEntityTooLarge && len(body) <= maxBodyBytes {
				t.Fatalf("413 for %d bytes", len(body))
			}
			if !strings.HasSuffix(apiErr.Message, ".") || apiErr.Data == nil {
				t.Fatalf("not PocketBase's error shape: %+v", apiErr)
			}
			if _, err := json.Marshal(apiErr); err != nil {
				t.Fatalf("the error does not encode: %v", err)
			}
			return
		}
		trimmed := bytes.Trim(body, " \t\r\n")
		if len(trimmed) > 0 {
			if mediaType(contentType) != "application/json" || trimmed[0] != '{' ||
				!utf8.Valid(trimmed) || !json.Valid(trimmed) || len(trimmed) > maxBodyBytes {
				t.Fatalf("accepted %q as %q", trimmed, contentType)
			}
		}
		if err := form.Validate(); err != nil {
			t.Fatalf("accepted a form that does not validate: %v", err)
		}
		info, err := e.RequestInfo()
		if err != nil {
			t.Fatalf("RequestInfo fails after an accepted body: %v", err)
		}
		if len(trimmed) > 0 && info.Body == nil {
			t.Fatalf("RequestInfo lost the body")
		}
		// a second bind reads the same body again
		again := &fuzzForm{}
		if err := BindForm(e, again); err != nil {
			t.Fatalf("a second BindForm fails: %v", err)
		}
		first, _ := json.Marshal(form)
		second, _ := json.Marshal(again)
		if !bytes.Equal(first, second) {
			t.Fatalf("a second BindForm differs: %s, then %s", first, second)
		}
	})
}
