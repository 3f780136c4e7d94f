package request

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"reflect"
	"unicode/utf8"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
	"github.com/pocketbase/pocketbase/tools/router"
)

// The request skeleton of every custom route: its body is read once, in
// full and before anything else, so that a route refuses a bad body before
// its first write and nothing later (e.RequestInfo, apis.EnrichRecord,
// a rule check) can fail on it after a write.
//
//   - Every custom route group binds RequireJSONBody: the body is empty or
//     one JSON object sent as application/json, of at most maxBodyBytes,
//     valid UTF-8, nested at most maxBodyDepth deep. Anything else is a 400
//     with badBodyMessage (413 when too large), in PocketBase's error shape.
//     A route that takes no fields accepts an empty body or any JSON object
//     and ignores its keys, as PocketBase ignores unknown fields.
//   - A route with fields calls BindForm(e, &form): the object is decoded
//     into the form (a value of the wrong type is a 400 naming the field)
//     and form.Validate() gives PocketBase-style field errors.
//   - The unsubscribe routes, the one non-JSON route, take a form body
//     instead (RequireFormBody), under the same size limit.

// maxBodyBytes bounds the body of a custom route. Their forms are a few
// short fields (the longest, a queue question, is 500 characters), so
// 64 KiB is generous, and far below PocketBase's 32 MiB default.
const maxBodyBytes = 64 << 10

// maxBodyDepth bounds how deeply a body's arrays and objects nest; the
// forms are flat.
const maxBodyDepth = 32

const (
	badBodyMessage     = "The request body must be a JSON object sent as application/json."
	badFormMessage     = "The request body must be a form sent as application/x-www-form-urlencoded or multipart/form-data."
	tooLargeMessage    = "The request body is too large: the limit is 64 KiB."
	invalidFormMessage = "Some fields are not valid; see data for each."
)

// bodyMiddlewarePriority runs the body middlewares early, as PocketBase
// runs its own body limit: after its rate limiter and before auth (a bad
// body is a 400 even without a token, as on the records API) and before
// the body limit wraps the request body (see tooLargeError).
const bodyMiddlewarePriority = apis.DefaultBodyLimitMiddlewarePriority - 1

// bodyStoreKey keeps the body read by RequireJSONBody for BindForm.
const bodyStoreKey = "studyhallBody"

// RequireJSONBody is the middleware of every custom JSON route group: it
// reads and checks the body (see the top of this file) before the route
// runs, and primes e.RequestInfo with it so that no later call can fail.
// It runs before auth (bodyMiddlewarePriority).
func RequireJSONBody() *hook.Handler[*core.RequestEvent] {
	return &hook.Handler[*core.RequestEvent]{
		Id:       "studyhallJSONBody",
		Priority: bodyMiddlewarePriority,
		Func: func(e *core.RequestEvent) error {
			if _, err := readJSONBody(e); err != nil {
				return err
			}
			return e.Next()
		},
	}
}

// BindForm decodes the route's JSON body into form and validates it: a
// value of the wrong type or a failed rule is a 400 whose data names the
// field. It reads the body itself when RequireJSONBody has not.
func BindForm(e *core.RequestEvent, form validation.Validatable) error {
	raw, err := readJSONBody(e)
	if err != nil {
		return err
	}
	if err := decodeForm(raw, form); err != nil {
		return err
	}
	if err := form.Validate(); err != nil {
		return router.NewBadRequestError(invalidFormMessage, err)
	}
	return nil
}

// readJSONBody is the checked body of the request, read once.
func readJSONBody(e *core.RequestEvent) ([]byte, error) {
	if raw, ok := e.Get(bodyStoreKey).([]byte); ok {
		return raw, nil
	}
	raw, err := readBody(e)
	if err != nil {
		return nil, err
	}
	if err := checkJSONBody(e.Request.Header.Get("Content-Type"), raw); err != nil {
		return nil, err
	}
	if err := keepBody(e, raw); err != nil {
		return nil, err
	}
	return raw, nil
}

// readBody reads the whole body, up to maxBodyBytes, with surrounding JSON
// whitespace trimmed: a body of only whitespace counts as empty.
func readBody(e *core.RequestEvent) ([]byte, error) {
	if e.Request.ContentLength > maxBodyBytes {
		return nil, tooLargeError(e)
	}
	raw, err := io.ReadAll(io.LimitReader(e.Request.Body, maxBodyBytes+1))
	switch {
	case errors.Is(err, apis.ErrRequestEntityTooLarge):
		return nil, tooLargeError(e)
	case err != nil:
		return nil, router.NewBadRequestError("The request body could not be read.", nil)
	case len(raw) > maxBodyBytes:
		return nil, tooLargeError(e)
	}
	return bytes.Trim(raw, " \t\r\n"), nil
}

// keepBody puts the checked body back for whoever reads it next, stores it
// for BindForm, and primes e.RequestInfo (which parses the body the first
// time it is called) so that it cannot fail later, after a write.
func keepBody(e *core.RequestEvent, raw []byte) error {
	e.Request.Body = io.NopCloser(bytes.NewReader(raw))
	e.Request.ContentLength = int64(len(raw))
	e.Set(bodyStoreKey, raw)
	if _, err := e.RequestInfo(); err != nil {
		return router.NewBadRequestError(badBodyMessage, nil)
	}
	return nil
}

// checkJSONBody accepts an empty body or one JSON object sent as
// application/json: valid UTF-8, valid JSON, nothing after the object,
// nested at most maxBodyDepth deep.
func checkJSONBody(contentType string, raw []byte) error {
	if len(raw) == 0 {
		return nil
	}
	if mediaType(contentType) != "application/json" ||
		raw[0] != '{' || !utf8.Valid(raw) || !json.Valid(raw) || jsonDepth(raw) > maxBodyDepth {
		return router.NewBadRequestError(badBodyMessage, nil)
	}
	return nil
}

// decodeForm decodes a checked JSON object into form; unknown keys are
// ignored and a null leaves a field as it is, as in PocketBase's forms.
func decodeForm(raw []byte, form any) error {
	if len(raw) == 0 {
		return nil
	}
	err := json.Unmarshal(raw, form)
	if err == nil {
		return nil
	}
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) && typeErr.Field != "" {
		return router.NewBadRequestError(badBodyMessage, validation.Errors{
			typeErr.Field: validation.NewError("validation_invalid_type", typeMessage(typeErr.Type)),
		})
	}
	return router.NewBadRequestError(badBodyMessage, nil)
}

// typeMessage says what a field of type t takes.
func typeMessage(t reflect.Type) string {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil {
		return "Has the wrong type."
	}
	switch t.Kind() {
	case reflect.String:
		return "Must be a string."
	case reflect.Bool:
		return "Must be true or false."
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return "Must be a number."
	}
	return "Has the wrong type."
}

// jsonDepth is how deeply the arrays and objects of a valid JSON text nest.
func jsonDepth(raw []byte) int {
	depth, deepest := 0, 0
	inString, escaped := false, false
	for _, c := range raw {
		switch {
		case inString && escaped:
			escaped = false
		case inString && c == '\\':
			escaped = true
		case inString && c == '"':
			inString = false
		case inString:
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			depth++
			deepest = max(deepest, depth)
		case c == '}' || c == ']':
			depth--
		}
	}
	return deepest
}

// mediaType is the media type of a Content-Type header, lower case and
// without parameters, or "" when there is none or it does not parse.
func mediaType(contentType string) string {
	t, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return ""
	}
	return t
}

// tooLargeError is the 413 of a body over maxBodyBytes. The rest of the
// body stays unread, so the connection must close, after a grace period
// in which the client reads the answer (closed at once, the client would
// see a reset instead). Go's server does both when it finds its own body
// unread, but PocketBase's router hides it behind a wrapper: the request
// gets its own body back here, which is why the body middlewares run
// before PocketBase's body limit wraps it again.
func tooLargeError(e *core.RequestEvent) *router.ApiError {
	if rereadable, ok := e.Request.Body.(*router.RereadableReadCloser); ok {
		e.Request.Body = rereadable.ReadCloser
	}
	e.Response.Header().Set("Connection", "close")
	return router.NewApiError(http.StatusRequestEntityTooLarge, tooLargeMessage, nil)
}

// ---------------------------------------------------------------------
// form bodies (the unsubscribe routes)

// RequireFormBody is RequireJSONBody for the unsubscribe routes, which
// mail clients POST as a form (RFC 8058 one-click: urlencoded or
// multipart): the body is empty or a well-formed form in UTF-8, under the
// same size limit. It parses the form, so e.Request.PostForm holds it.
func RequireFormBody() *hook.Handler[*core.RequestEvent] {
	return &hook.Handler[*core.RequestEvent]{
		Id:       "studyhallFormBody",
		Priority: bodyMiddlewarePriority,
		Func: func(e *core.RequestEvent) error {
			raw, err := readBody(e)
			if err != nil {
				return err
			}
			form, err := parseFormBody(e.Request.Header.Get("Content-Type"), raw)
			if err != nil {
				return err
			}
			e.Request.Body = io.NopCloser(bytes.NewReader(nil))
			e.Request.ContentLength = 0
			e.Request.PostForm = form
			return e.Next()
		},
	}
}

// parseFormBody parses an empty or form body; anything else is a 400.
func parseFormBody(contentType string, raw []byte) (url.Values, error) {
	bad := router.NewBadRequestError(badFormMessage, nil)
	if len(raw) == 0 {
		return url.Values{}, nil
	}
	if !utf8.Valid(raw) {
		return nil, bad
	}
	t, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return nil, bad
	}
	switch t {
	case "application/x-www-form-urlencoded":
		values, err := url.ParseQuery(string(raw))
		if err != nil || !validValues(values) {
			return nil, bad
		}
		return values, nil
	case "multipart/form-data":
		if params["boundary"] == "" {
			return nil, bad
		}
		form, err := multipart.NewReader(bytes.NewReader(raw), params["boundary"]).ReadForm(maxBodyBytes)
		if err != nil {
			return nil, bad
		}
		defer form.RemoveAll()
		values := url.Values(form.Value)
		if !validValues(values) {
			return nil, bad
		}
		return values, nil
	}
	return nil, bad
}

// validValues reports whether every key and value is UTF-8 (percent
// escapes can smuggle in bytes that are not).
func validValues(values url.Values) bool {
	for k, vs := range values {
		if !utf8.ValidString(k) {
			return false
		}
		for _, v := range vs {
			if !utf8.ValidString(v) {
				return false
			}
		}
	}
	return true
}
