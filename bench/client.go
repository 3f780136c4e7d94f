package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sync"
	"time"

	"studyhall/collections"
)

// requestTimeout bounds every plain (non-streaming) request, so that a
// stuck server fails the run instead of hanging it.
const requestTimeout = 30 * time.Second

// Client talks to one studyhall server over HTTP, the way any other
// client does: JSON requests, PocketBase's token in the Authorization
// header. One Client (one Transport) carries every request and SSE stream
// of a run.
type Client struct {
	// BaseURL is the server's URL without a trailing slash.
	BaseURL string
	// HTTP has no overall timeout because SSE responses never end;
	// requests are bounded by their contexts instead.
	HTTP *http.Client
	// SuperuserToken authorizes the setup calls (settings, collections,
	// users, records written by "the server side" of a scenario).
	SuperuserToken string
}

// NewClient returns a Client for baseURL whose transport holds as many
// connections as the run needs: MaxConnsPerHost 0 (no cap, each SSE stream
// pins one connection) and enough idle connections per host that the
// concurrent POSTs of a worker pool reuse them instead of redialing.
func NewClient(baseURL string) *Client {
	transport := &http.Transport{
		// loopback only: never through a proxy from the environment
		Proxy: nil,
		DialContext: (&net.Dialer{
			Timeout:   10 * time.Second,
			KeepAlive: 30 * time.Second,
		}).DialContext,
		MaxIdleConns:          0, // no global cap
		MaxIdleConnsPerHost:   1024,
		MaxConnsPerHost:       0,
		IdleConnTimeout:       90 * time.Second,
		ResponseHeaderTimeout: requestTimeout,
	}
	return &Client{
		BaseURL: baseURL,
		HTTP:    &http.Client{Transport: transport},
	}
}

// APIError is a non-2xx answer, with PocketBase's error body kept as text.
type APIError struct {
	Method string
	Path   string
	Status int
	Body   string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("%s %s: status %d: %s", e.Method, e.Path, e.Status, e.Body)
}

// Do sends one JSON request and decodes a JSON answer into out (if not
// nil). token goes into the Authorization header as the JS SDK sends it
// (the bare token, no "Bearer").
func (c *Client) Do(ctx context.Context, method, path, token string, in, out any) error {
	ctx, cancel := context.WithTimeout(ctx, requestTimeout)
	defer cancel()

	var body io.Reader
	if in != nil {
		data, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("encode %s %s: %w", method, path, err)
		}
		body = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.BaseURL+path, body)
	if err != nil {
		return err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	if token != "" {
		req.Header.Set("Authorization", token)
	}

	resp, err := c.HTTP.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	// read the whole body even when it is not wanted, so that the
	// connection goes back to the pool
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("read %s %s: %w", method, path, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return &APIError{Method: method, Path: path, Status: resp.StatusCode, Body: string(data)}
	}
	if out != nil && len(data) > 0 {
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("decode %s %s: %w", method, path, err)
		}
	}
	return nil
}

// Superuser does a request with the superuser's token.
func (c *Client) Superuser(ctx context.Context, method, path string, in, out any) error {
	return c.Do(ctx, method, path, c.SuperuserToken, in, out)
}

// ---------------------------------------------------------------------------
// setup as the superuser

// AuthSuperuser signs in as a superuser and keeps the token for the setup
// calls.
func (c *Client) AuthSuperuser(ctx context.Context, email, password string) error {
	var res struct {
		Token string `json:"token"`
	}
	err := c.Do(ctx, http.MethodPost, "/api/collections/"+collections.Superusers+"/auth-with-password", "",
		map[string]string{"identity": email, "password": password}, &res)
	if err != nil {
		return err
	}
	if res.Token == "" {
		return errors.New("superuser auth returned no token")
	}
	c.SuperuserToken = res.Token
	return nil
}

// DisableRateLimits turns PocketBase's per-IP rate limiter off: every bench
// request comes from 127.0.0.1, which the limiter would rightly treat as one
// very busy client. The data dir is temporary, so nothing is restored.
func (c *Client) DisableRateLimits(ctx context.Context) error {
	return c.Superuser(ctx, http.MethodPatch, "/api/settings",
		map[string]any{"rateLimits": map[string]any{"enabled": false}}, nil)
}

// SetPasswordCost sets the bcrypt cost of an auth collection's password
// field. The bench lowers it for users because hashing 1,000 passwords at
// the default cost takes a minute of both cores; realtime does not hash
// passwords, so the measurement is unaffected.
func (c *Client) SetPasswordCost(ctx context.Context, collection string, cost int) error {
	var col struct {
		Fields []map[string]any `json:"fields"`
	}
	path := "/api/collections/" + url.PathEscape(collection)
	if err := c.Superuser(ctx, http.MethodGet, path, nil, &col); err != nil {
		return err
	}
	found := false
	for _, field := range col.Fields {
		if field["type"] == "password" {
			field["cost"] = cost
			found = true
		}
	}
	if !found {
		return fmt.Errorf("collection %s has no password field", collection)
	}
	// a collection update replaces the whole field list, so every field
	// goes back, changed or not
	return c.Superuser(ctx, http.MethodPatch, path, map[string]any{"fields": col.Fields}, nil)
}

// CollectionId returns the id of a collection, which relation fields need.
func (c *Client) CollectionId(ctx context.Context, name string) (string, error) {
	var col struct {
		Id string `json:"id"`
	}
	err := c.Superuser(ctx, http.MethodGet, "/api/collections/"+url.PathEscape(name), nil, &col)
	return col.Id, err
}

// CreateCollection creates a collection from its JSON form (name, type,
// rules, fields) and returns its id.
func (c *Client) CreateCollection(ctx context.Context, spec map[string]any) (string, error) {
	var col struct {
		Id string `json:"id"`
	}
	err := c.Superuser(ctx, http.MethodPost, "/api/collections", spec, &col)
	return col.Id, err
}

// Record is the part of a record answer the bench reads.
type Record struct {
	Id string `json:"id"`
}

// CreateRecord creates a record through the records API as the holder of
// token.
func (c *Client) CreateRecord(ctx context.Context, token, collection string, body any) (Record, error) {
	var rec Record
	err := c.Do(ctx, http.MethodPost, "/api/collections/"+url.PathEscape(collection)+"/records", token, body, &rec)
	return rec, err
}

// ---------------------------------------------------------------------------
// users

// User is a real users record the bench acts as.
type User struct {
	Id    string
	Token string
}

// benchUserPassword is the password of every bench user; the bench signs
// them in by impersonation, so it is only there because users need one.
const benchUserPassword = "bench-password-1234"

// tokenDuration outlives any bench run.
const tokenDuration = 2 * time.Hour

// CreateUsers creates the users numbered first..first+count-1 through the
// superuser records API, count of them at most workers at a time, and gets
// each a token by impersonation (no password check, so no bcrypt on the
// server).
func (c *Client) CreateUsers(ctx context.Context, first, count, workers int) ([]User, error) {
	users := make([]User, count)
	err := forEach(ctx, count, workers, func(ctx context.Context, i int) error {
		n := first + i
		var err error
		users[i], err = c.createUser(ctx, fmt.Sprintf("user %d", n), map[string]any{
			collections.UserEmail: fmt.Sprintf("bench-user-%05d@studyhall.test", n),
			collections.UserName:  fmt.Sprintf("Bench User %d", n),
		})
		return err
	})
	return users, err
}

// createUser creates a users record with fields (and the bench password)
// through the superuser records API and gets it a token by impersonation;
// who names the user in errors.
func (c *Client) createUser(ctx context.Context, who string, fields map[string]any) (User, error) {
	fields["password"] = benchUserPassword
	fields["passwordConfirm"] = benchUserPassword
	rec, err := c.CreateRecord(ctx, c.SuperuserToken, collections.Users, fields)
	if err != nil {
		return User{}, fmt.Errorf("create %s: %w", who, err)
	}
	token, err := c.Impersonate(ctx, collections.Users, rec.Id, tokenDuration)
	if err != nil {
		return User{}, fmt.Errorf("impersonate %s: %w", who, err)
	}
	return User{Id: rec.Id, Token: token}, nil
}

// Impersonate returns a non-renewable auth token of the given duration for
// the auth record id, as only a superuser may ask for one.
func (c *Client) Impersonate(ctx context.Context, collection, id string, duration time.Duration) (string, error) {
	var res struct {
		Token string `json:"token"`
	}
	err := c.Superuser(ctx, http.MethodPost,
		"/api/collections/"+url.PathEscape(collection)+"/impersonate/"+url.PathEscape(id),
		map[string]any{"duration": int64(duration / time.Second)}, &res)
	if err == nil && res.Token == "" {
		err = errors.New("impersonate returned no token")
	}
	return res.Token, err
}

// ---------------------------------------------------------------------------

// forEach calls fn(ctx, i) for every i in [0, n) on at most workers
// goroutines. The first error cancels ctx for the others, stops handing out
// work and is returned.
func forEach(ctx context.Context, n, workers int, fn func(ctx context.Context, i int) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	var (
		wg       sync.WaitGroup
		errOnce  sync.Once
		firstErr error
	)
	jobs := make(chan int)
	for range max(min(workers, n), 1) {
		wg.Go(func() {
			for i := range jobs {
				if err := fn(ctx, i); err != nil {
					errOnce.Do(func() {
						firstErr = err
						cancel()
					})
				}
			}
		})
	}
feed:
	for i := range n {
		select {
		case jobs <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	if firstErr == nil && ctx.Err() != nil {
		// the parent was cancelled (Ctrl-C, the run's timeout)
		firstErr = context.Cause(ctx)
	}
	return firstErr
}

// CreateInstructor creates a user with the instructor role (which only a
// superuser may set) and a token, for scenarios that need someone to
// teach. label makes the address unique within the run.
func (c *Client) CreateInstructor(ctx context.Context, label string) (User, error) {
	return c.createUser(ctx, "instructor "+label, map[string]any{
		collections.UserEmail: "bench-instructor-" + label + "@studyhall.test",
		collections.UserName:  "Bench Instructor " + label,
		collections.UserRole:  collections.RoleInstructor,
	})
}

// CountRecords returns how many records of collection match filter (a
// PocketBase filter expression), as the superuser sees them.
func (c *Client) CountRecords(ctx context.Context, collection, filter string) (int, error) {
	var res struct {
		TotalItems int `json:"totalItems"`
	}
	query := url.Values{"perPage": {"1"}, "fields": {"id"}, "filter": {filter}}
	err := c.Superuser(ctx, http.MethodGet,
		"/api/collections/"+url.PathEscape(collection)+"/records?"+query.Encode(), nil, &res)
	return res.TotalItems, err
}

// ListAll reads every record of collection that matches filter as the
// superuser, page by page, decoding each page's items into a fresh T. It
// stops after maxPages pages so that a wrong filter cannot loop for long.
func ListAll[T any](ctx context.Context, c *Client, collection, filter, fields string, maxPages int) ([]T, error) {
	const perPage = 500
	var all []T
	for page := 1; page <= maxPages; page++ {
		var res struct {
			Items      []T `json:"items"`
			TotalPages int `json:"totalPages"`
		}
		query := url.Values{
			"page": {fmt.Sprint(page)}, "perPage": {fmt.Sprint(perPage)},
			"filter": {filter}, "fields": {fields}, "sort": {"id"},
		}
		err := c.Superuser(ctx, http.MethodGet,
			"/api/collections/"+url.PathEscape(collection)+"/records?"+query.Encode(), nil, &res)
		if err != nil {
			return all, err
		}
		all = append(all, res.Items...)
		if page >= res.TotalPages {
			return all, nil
		}
	}
	return all, fmt.Errorf("list %s: more than %d pages", collection, maxPages)
}
