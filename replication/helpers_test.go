package replication_test

// Over 400 lines: the process fixtures (build, start, kill, restore, SMTP) every replication test shares.

// Helpers of the process tests: the studyhall binary built once, servers
// started as child processes on loopback ports and killed for real, an HTTP
// client that talks to them as any client does, the fixtures the routes
// need, and a real SMTP server (emersion/go-smtp) that keeps what it gets.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/mail"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"studyhall/collections"
)

// binPath is the studyhall binary built by TestMain; binRoot holds it and
// the temporary directory (TMPDIR) of every child process.
var binPath, binRoot string

func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	root, err := os.MkdirTemp("", "studyhall-replication-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(root)
	binRoot = root
	binPath = filepath.Join(root, "bin", "studyhall")
	if err := os.MkdirAll(filepath.Join(root, "tmp"), 0o755); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	gomod, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		fmt.Fprintln(os.Stderr, "go env GOMOD:", err)
		return 1
	}
	build := exec.Command("go", "build", "-o", binPath, ".")
	build.Dir = filepath.Dir(strings.TrimSpace(string(gomod)))
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "go build: %v\n%s", err, out)
		return 1
	}
	return m.Run()
}

// studyhall runs a studyhall command to its end and returns its output.
func studyhall(t testing.TB, args ...string) (string, error) {
	t.Helper()
	return studyhallEnv(t, nil, args...)
}

// studyhallEnv is studyhall with extra environment variables.
func studyhallEnv(t testing.TB, env []string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, binPath, args...)
	prepare(cmd, env)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// prepare runs a child from binRoot with TMPDIR inside it (and env):
// main.go turns automigrate on for a binary under os.TempDir() (it looks
// like `go run`), and automigrate would write migration files for what the
// tests create.
func prepare(cmd *exec.Cmd, env []string) {
	cmd.Dir = binRoot
	cmd.Env = append(append(os.Environ(), "TMPDIR="+filepath.Join(binRoot, "tmp")), env...)
	cmd.SysProcAttr = childProcAttr()
}

// ---

// server is one `studyhall serve` child process.
type server struct {
	URL     string
	dataDir string
	cmd     *exec.Cmd
	log     *lockedBuffer
	exited  chan struct{}
}

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startServer starts `studyhall serve` on dataDir and a free loopback port
// (with --replicate replica unless empty, and the environment variables
// env) and waits until it is healthy; the test's end kills it if it still
// runs.
func startServer(t testing.TB, dataDir, replica string, env ...string) *server {
	t.Helper()
	addr := freeAddr(t)
	args := []string{"serve", "--http", addr, "--dir", dataDir}
	if replica != "" {
		args = append(args, "--replicate", replica)
	}
	s := &server{URL: "http://" + addr, dataDir: dataDir, log: &lockedBuffer{}, exited: make(chan struct{})}
	s.cmd = exec.Command(binPath, args...)
	prepare(s.cmd, env)
	s.cmd.Stdout, s.cmd.Stderr = s.log, s.log
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		_ = s.cmd.Wait()
		close(s.exited)
	}()
	t.Cleanup(s.kill)

	deadline := time.Now().Add(time.Minute)
	client := &http.Client{Timeout: time.Second}
	for {
		resp, err := client.Get(s.URL + "/api/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s
			}
		}
		select {
		case <-s.exited:
			t.Fatalf("studyhall serve exited before it was healthy:\n%s", s.log)
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("studyhall serve not healthy after a minute:\n%s", s.log)
		}
	}
}

// kill ends the server with SIGKILL, as a crash or the OOM killer would.
func (s *server) kill() {
	select {
	case <-s.exited:
		return
	default:
	}
	_ = s.cmd.Process.Signal(syscall.SIGKILL)
	<-s.exited
}

// stop ends the server with SIGTERM, as systemd does, and waits for it.
func (s *server) stop(t testing.TB) {
	t.Helper()
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(30 * time.Second):
		// SIGQUIT: the Go runtime prints every goroutine's stack, then exits
		_ = s.cmd.Process.Signal(syscall.SIGQUIT)
		select {
		case <-s.exited:
		case <-time.After(5 * time.Second):
			s.kill()
		}
		t.Fatalf("studyhall serve did not stop within 30 s of SIGTERM:\n%s", s.log)
	}
}

func freeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// ---

// api talks to one server: JSON in and out, PocketBase's token in the
// Authorization header.
type api struct {
	base string
	http *http.Client
}

func newAPI(base string) *api {
	return &api{base: base, http: &http.Client{
		Timeout:   30 * time.Second,
		Transport: &http.Transport{Proxy: nil, MaxIdleConnsPerHost: 256},
	}}
}

// apiError is a non-2xx answer.
type apiError struct {
	Status int
	Body   string
}

func (e *apiError) Error() string { return fmt.Sprintf("status %d: %s", e.Status, e.Body) }

// do sends one request and decodes a 2xx answer into out; a non-2xx answer
// is an *apiError, a failed connection (a killed server) any other error.
func (a *api) do(method, path, token string, in, out any) error {
	var body io.Reader
	if in != nil {
		data, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, a.base+path, body)
	if err != nil {
		return err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", token)
	}
	resp, err := a.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return &apiError{Status: resp.StatusCode, Body: string(data)}
	}
	if out != nil {
		return json.Unmarshal(data, out)
	}
	return nil
}

// must is do that fails the test on any error.
func (a *api) must(t testing.TB, method, path, token string, in, out any) {
	t.Helper()
	if err := a.do(method, path, token, in, out); err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
}

func recordsPath(collection string) string {
	return "/api/collections/" + collection + "/records"
}

// list returns every record of collection matching filter, as the
// superuser sees them, decoded into T.
func list[T any](t testing.TB, a *api, su, collection, filter string) []T {
	t.Helper()
	var all []T
	for page := 1; ; page++ {
		var res struct {
			Items      []T `json:"items"`
			TotalPages int `json:"totalPages"`
		}
		q := url.Values{"page": {fmt.Sprint(page)}, "perPage": {"500"}, "filter": {filter}, "sort": {"created,id"}, "skipTotal": {"0"}}
		a.must(t, http.MethodGet, recordsPath(collection)+"?"+q.Encode(), su, nil, &res)
		all = append(all, res.Items...)
		if page >= res.TotalPages {
			return all
		}
	}
}

// count is the number of records of collection matching filter.
func count(t testing.TB, a *api, su, collection, filter string) int {
	t.Helper()
	var res struct {
		TotalItems int `json:"totalItems"`
	}
	q := url.Values{"perPage": {"1"}, "fields": {"id"}, "filter": {filter}}
	a.must(t, http.MethodGet, recordsPath(collection)+"?"+q.Encode(), su, nil, &res)
	return res.TotalItems
}

// ---

const (
	superuserEmail    = "ops@studyhall.test"
	superuserPassword = "replication-test-1234"
	userPassword      = "student-password-1234"
)

// newDataDir creates the superuser of a fresh data directory with the CLI,
// as an operator does before the first start.
func newDataDir(t testing.TB, dir string) {
	t.Helper()
	if out, err := studyhall(t, "superuser", "upsert", superuserEmail, superuserPassword, "--dir", dir); err != nil {
		t.Fatalf("superuser upsert: %v\n%s", err, out)
	}
}

// signIn returns a superuser token and turns PocketBase's per-IP limiter
// off (every test client is 127.0.0.1) and lowers the users' bcrypt cost
// (hundreds of sign-ups at cost 10 would take most of a minute).
func signIn(t testing.TB, a *api) string {
	t.Helper()
	var auth struct {
		Token string `json:"token"`
	}
	a.must(t, http.MethodPost, "/api/collections/"+collections.Superusers+"/auth-with-password", "",
		map[string]string{"identity": superuserEmail, "password": superuserPassword}, &auth)
	a.must(t, http.MethodPatch, "/api/settings", auth.Token,
		map[string]any{"rateLimits": map[string]any{"enabled": false}}, nil)

	var users struct {
		Fields []map[string]any `json:"fields"`
	}
	a.must(t, http.MethodGet, "/api/collections/"+collections.Users, auth.Token, nil, &users)
	for _, f := range users.Fields {
		if f["type"] == "password" {
			f["cost"] = 4
		}
	}
	a.must(t, http.MethodPatch, "/api/collections/"+collections.Users, auth.Token, map[string]any{"fields": users.Fields}, nil)
	return auth.Token
}

// user is a users record with a token.
type user struct {
	Id    string
	Token string
}

// createUsers creates n users named prefix-i (role instructor if asked),
// 16 at a time, each with a token by impersonation.
func createUsers(t testing.TB, a *api, su, prefix string, n int, instructor bool) []user {
	t.Helper()
	users := make([]user, n)
	errs := make(chan error, n)
	sem := make(chan struct{}, 16)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			fields := map[string]any{
				collections.UserEmail: fmt.Sprintf("%s-%03d@studyhall.test", prefix, i),
				collections.UserName:  fmt.Sprintf("%s %d", prefix, i),
				"password":            userPassword, "passwordConfirm": userPassword,
			}
			if instructor {
				fields[collections.UserRole] = collections.RoleInstructor
			}
			var rec struct {
				Id string `json:"id"`
			}
			if err := a.do(http.MethodPost, recordsPath(collections.Users), su, fields, &rec); err != nil {
				errs <- fmt.Errorf("create %s %d: %w", prefix, i, err)
				return
			}
			var tok struct {
				Token string `json:"token"`
			}
			if err := a.do(http.MethodPost, "/api/collections/"+collections.Users+"/impersonate/"+rec.Id, su,
				map[string]any{"duration": 7200}, &tok); err != nil {
				errs <- fmt.Errorf("impersonate %s %d: %w", prefix, i, err)
				return
			}
			users[i] = user{Id: rec.Id, Token: tok.Token}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	return users
}

// emailImmediately sets each user's emailDigest to immediate, so that every
// notification they get queues an email (an outbox row) at once.
func emailImmediately(t testing.TB, a *api, su string, users []user) {
	t.Helper()
	for _, u := range users {
		prefs := list[struct {
			Id string `json:"id"`
		}](t, a, su, collections.NotificationPreferences, fmt.Sprintf("%s='%s'", collections.PreferenceUser, u.Id))
		if len(prefs) != 1 {
			t.Fatalf("user %s has %d preference records", u.Id, len(prefs))
		}
		a.must(t, http.MethodPatch, recordsPath(collections.NotificationPreferences)+"/"+prefs[0].Id, su,
			map[string]any{collections.PreferenceEmailDigest: collections.DigestImmediate}, nil)
	}
}

// room is a record with a server-created chat room.
type room struct {
	Id       string `json:"id"`
	ChatRoom string `json:"chatRoom"`
}

// createSession schedules a public live session of instructor with
// capacity seats, an hour from now.
func createSession(t testing.TB, a *api, su string, instructor user, capacity int) room {
	t.Helper()
	var s room
	a.must(t, http.MethodPost, recordsPath(collections.LiveSessions), su, map[string]any{
		collections.LiveSessionInstructor:      instructor.Id,
		collections.LiveSessionTitle:           "Replication drill",
		collections.LiveSessionScheduledStart:  time.Now().UTC().Add(time.Hour).Format("2006-01-02 15:04:05.000Z"),
		collections.LiveSessionDurationMinutes: 60,
		collections.LiveSessionCapacity:        capacity,
		collections.LiveSessionVisibility:      collections.LiveSessionVisibilityPublic,
		collections.LiveSessionStatus:          collections.LiveSessionScheduled,
	}, &s)
	a.must(t, http.MethodGet, recordsPath(collections.LiveSessions)+"/"+s.Id, su, nil, &s)
	if s.ChatRoom == "" {
		t.Fatal("the session has no chat room")
	}
	return s
}

// createOpenSlot creates an office-hours slot of instructor that is open
// now: all day, in a zone where it is around noon (so that no midnight
// falls inside the test).
func createOpenSlot(t testing.TB, a *api, su string, instructor user) string {
	t.Helper()
	offset := 12 - time.Now().UTC().Hour() // local = UTC+offset is about noon
	zone := fmt.Sprintf("Etc/GMT%+d", -offset)
	loc, err := time.LoadLocation(zone)
	if err != nil {
		t.Fatal(err)
	}
	var slot struct {
		Id string `json:"id"`
	}
	a.must(t, http.MethodPost, recordsPath(collections.OfficeHours), su, map[string]any{
		collections.OfficeHoursInstructor: instructor.Id,
		collections.OfficeHoursDayOfWeek:  int(time.Now().In(loc).Weekday()),
		collections.OfficeHoursStartTime:  "00:00",
		collections.OfficeHoursEndTime:    "23:59",
		collections.OfficeHoursTimezone:   zone,
		collections.OfficeHoursActive:     true,
	}, &slot)
	return slot.Id
}

// createGroup creates a public study group of owner with room for
// maxMembers (the owner included).
func createGroup(t testing.TB, a *api, su string, owner user, maxMembers int) room {
	t.Helper()
	var g room
	a.must(t, http.MethodPost, recordsPath(collections.StudyGroups), su, map[string]any{
		collections.StudyGroupName:       "Replication drill group",
		collections.StudyGroupOwner:      owner.Id,
		collections.StudyGroupVisibility: collections.StudyGroupPublic,
		collections.StudyGroupMaxMembers: maxMembers,
	}, &g)
	a.must(t, http.MethodGet, recordsPath(collections.StudyGroups)+"/"+g.Id, su, nil, &g)
	if g.ChatRoom == "" {
		t.Fatal("the group has no chat room")
	}
	return g
}

// postMessage posts body to chatRoom as u and returns the message id.
func postMessage(a *api, u user, chatRoom, body string) (string, error) {
	var m struct {
		Id string `json:"id"`
	}
	err := a.do(http.MethodPost, recordsPath(collections.ChatMessages), u.Token, map[string]any{
		collections.ChatMessageRoom:   chatRoom,
		collections.ChatMessageSender: u.Id,
		collections.ChatMessageBody:   body,
	}, &m)
	return m.Id, err
}

// testNotification asks for a test notification for u and returns its id
// ("" if it was held).
func testNotification(a *api, u user) (string, error) {
	var res struct {
		Notification *struct {
			Id string `json:"id"`
		} `json:"notification"`
	}
	if err := a.do(http.MethodPost, "/api/notifications/test", u.Token, map[string]string{"priority": "normal"}, &res); err != nil {
		return "", err
	}
	if res.Notification == nil {
		return "", nil
	}
	return res.Notification.Id, nil
}

// ---

// smtpServer is a real SMTP server on 127.0.0.1 that keeps the
// Message-ID of every mail it accepts.
type smtpServer struct {
	Host string
	Port int

	mu         sync.Mutex
	messageIds []string
}

func startSMTPServer(t testing.TB) *smtpServer {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &smtpServer{Host: "127.0.0.1", Port: l.Addr().(*net.TCPAddr).Port}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
		return &smtpSession{server: s}, nil
	}))
	srv.Domain = "localhost"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	srv.AllowInsecureAuth = true
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return s
}

// MessageIds are the Message-IDs received so far, one per mail.
func (s *smtpServer) MessageIds() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.messageIds...)
}

type smtpSession struct{ server *smtpServer }

func (s *smtpSession) Reset()                               {}
func (s *smtpSession) Logout() error                        { return nil }
func (s *smtpSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *smtpSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (s *smtpSession) Data(r io.Reader) error {
	m, err := mail.ReadMessage(r)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, m.Body)
	s.server.mu.Lock()
	defer s.server.mu.Unlock()
	s.server.messageIds = append(s.server.messageIds, strings.Trim(m.Header.Get("Message-Id"), "<>"))
	return nil
}

// configureSMTP points the server's Mail settings at s, as an admin does
// in the dashboard.
func configureSMTP(t testing.TB, a *api, su string, s *smtpServer) {
	t.Helper()
	a.must(t, http.MethodPatch, "/api/settings", su, map[string]any{
		"meta": map[string]any{
			"appURL": "https://learn.example.com", "senderName": "studyhall", "senderAddress": "noreply@learn.example.com",
		},
		"smtp": map[string]any{"enabled": true, "host": s.Host, "port": s.Port, "tls": false},
	}, nil)
}
