package emails_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/mail"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/mails"
	"github.com/pocketbase/pocketbase/tests"
	"github.com/pocketbase/pocketbase/tools/types"

	"studyhall/collections"
	"studyhall/emails"
	"studyhall/testkit"
)

// --- helpers

// fakeClock is a settable clock for workers and jobs.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// testWorker is a worker of app on clock, without jitter unless given.
func testWorker(app core.App, clock *fakeClock) *emails.Worker {
	w := emails.NewWorker(app)
	w.Now = clock.Now
	w.Jitter = func() float64 { return 0.5 }
	return w
}

func mailAddress(address string) mail.Address {
	return mail.Address{Address: address}
}

// mailsWithSubject are the received mails whose subject contains s.
func mailsWithSubject(received []testkit.ReceivedMail, s string) []testkit.ReceivedMail {
	var out []testkit.ReceivedMail
	for _, m := range received {
		if strings.Contains(m.Subject(), s) {
			out = append(out, m)
		}
	}
	return out
}

func outboxRows(t testing.TB, app core.App, filter string, params ...dbx.Params) []*core.Record {
	t.Helper()
	rows, err := app.FindRecordsByFilter(collections.EmailOutbox, filter, "created", 0, 0, params...)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func queueTestMail(t testing.TB, app core.App, subject string, now time.Time) *core.Record {
	t.Helper()
	row, err := emails.Enqueue(app, &emails.Message{
		To:      mailAddress("sam.student@studyhall.test"),
		Subject: subject,
		HTML:    "<p>" + subject + "</p>",
		Text:    subject,
		Kind:    collections.EmailKindTest,
	}, now)
	if err != nil {
		t.Fatal(err)
	}
	return row
}

// --- delivery

func TestEmailImmediateNotificationArrives(t *testing.T) {
	t.Parallel()
	app := testkit.NewTestApp(t)
	defer app.Cleanup()
	srv := testkit.StartSMTPServer(t)
	testkit.ConfigureSMTP(t, app, srv)

	now := time.Now()
	title := `<script>alert("x")</script> Quiz 1 graded`
	n := testkit.AddNotification(t, app, testkit.IdStudent, collections.TypeAssessmentGraded, collections.PriorityHigh, title,
		collections.EmailModeImmediate, time.Time{}, map[string]any{
			collections.NotificationMessage:    "You scored 9/10 & <b>well</b> done.",
			collections.NotificationActionURL:  "/courses/" + testkit.IdCourse + "/assessments/" + testkit.IdAssessment,
			collections.NotificationActionText: "See your grade",
		})
	receipt := testkit.AddNotification(t, app, testkit.IdStudent, collections.TypePaymentReceipt, collections.PriorityHigh, "Receipt R-1 for Algebra I",
		collections.EmailModeImmediate, time.Time{}, nil)
	daily := testkit.AddNotification(t, app, testkit.IdStudent, collections.TypeNewLesson, collections.PriorityNormal, "Digest only lesson",
		collections.EmailModeDaily, time.Time{}, nil)

	if _, err := emails.QueueNotificationEmails(app, now); err != nil {
		t.Fatal(err)
	}
	// a second run (or a second process) queues nothing more
	if _, err := emails.QueueNotificationEmails(app, now); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{n.Id, receipt.Id} {
		if got := len(outboxRows(t, app, "dedupeKey = {:k}", dbx.Params{"k": collections.Notifications + ":" + id})); got != 1 {
			t.Fatalf("outbox rows for %s = %d, want 1", id, got)
		}
		r, _ := app.FindRecordById(collections.Notifications, id)
		if r.GetDateTime(collections.NotificationEmailedAt).IsZero() {
			t.Fatalf("notification %s has no emailedAt", id)
		}
	}
	if got := len(outboxRows(t, app, "dedupeKey = {:k}", dbx.Params{"k": collections.Notifications + ":" + daily.Id})); got != 0 {
		t.Fatalf("a daily notification was emailed immediately")
	}

	clock := &fakeClock{now: now}
	if _, err := testWorker(app, clock).RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}

	got := mailsWithSubject(srv.Received(), "Quiz 1 graded")
	if len(got) != 1 {
		t.Fatalf("received %d notification mails, want 1", len(got))
	}
	m := got[0]
	if m.Subject() != title {
		t.Errorf("Subject = %q, want %q", m.Subject(), title)
	}
	if from := m.Header.Get("From"); !strings.Contains(from, "noreply@learn.example.com") {
		t.Errorf("From = %q", from)
	}
	if to := m.Header.Get("To"); !strings.Contains(to, "sam.student@studyhall.test") || len(m.To) != 1 {
		t.Errorf("To = %q, envelope %v", to, m.To)
	}
	if m.ContentType != "multipart/alternative" {
		t.Errorf("Content-Type = %q, want multipart/alternative", m.ContentType)
	}
	html, text := m.Parts["text/html"], m.Parts["text/plain"]
	if html == "" || text == "" {
		t.Fatalf("parts: %v", m.Parts)
	}
	if strings.Contains(html, "<script>") || !strings.Contains(html, "&lt;script&gt;") {
		t.Errorf("title not escaped in HTML:\n%s", html)
	}
	if strings.Contains(html, "<b>well</b>") || !strings.Contains(html, "&amp; &lt;b&gt;well&lt;/b&gt;") {
		t.Errorf("message not escaped in HTML:\n%s", html)
	}
	wantLink := "https://learn.example.com/courses/" + testkit.IdCourse + "/assessments/" + testkit.IdAssessment
	if !strings.Contains(html, `href="`+wantLink+`"`) || !strings.Contains(text, wantLink) {
		t.Errorf("action link %s not absolute in both parts:\n%s\n%s", wantLink, html, text)
	}
	if !strings.Contains(text, title) {
		t.Errorf("text part lacks the raw title:\n%s", text)
	}
	unsub := m.Header.Get("List-Unsubscribe")
	if !strings.HasPrefix(unsub, "<https://learn.example.com/api/email/unsubscribe?token=") || !strings.HasSuffix(unsub, ">") {
		t.Errorf("List-Unsubscribe = %q", unsub)
	}
	if post := m.Header.Get("List-Unsubscribe-Post"); post != "List-Unsubscribe=One-Click" {
		t.Errorf("List-Unsubscribe-Post = %q", post)
	}
	// the header's token unsubscribes this user from the notification's category
	link, _ := url.Parse(strings.Trim(unsub, "<>"))
	secret, err := emails.UnsubscribeSecret(app)
	if err != nil {
		t.Fatal(err)
	}
	claims, err := emails.ParseUnsubscribeToken(secret, link.Query().Get("token"), now)
	if err != nil || claims.Subject != testkit.IdStudent || claims.Scope != collections.CategoryAssessment {
		t.Errorf("token claims = %+v, %v", claims, err)
	}
	if !strings.Contains(html, strings.ReplaceAll(link.String(), "&", "&amp;")) {
		t.Errorf("HTML footer lacks the unsubscribe link")
	}

	// mandatory: no unsubscribe header or link
	got = mailsWithSubject(srv.Received(), "Receipt R-1")
	if len(got) != 1 {
		t.Fatalf("received %d receipts, want 1", len(got))
	}
	if h := got[0].Header.Get("List-Unsubscribe"); h != "" {
		t.Errorf("mandatory mail has List-Unsubscribe %q", h)
	}
	if h := got[0].Header.Get("List-Unsubscribe-Post"); h != "" {
		t.Errorf("mandatory mail has List-Unsubscribe-Post %q", h)
	}
	if strings.Contains(got[0].Parts["text/html"], "/api/email/unsubscribe") {
		t.Errorf("mandatory mail links to unsubscribe")
	}

	// sent rows are never sent again
	before := len(srv.Received())
	if _, err := testWorker(app, clock).RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	if after := len(srv.Received()); after != before {
		t.Errorf("a second run sent %d more mails", after-before)
	}
	if rows := outboxRows(t, app, "dedupeKey = {:k} && status = 'sent' && attempts = 1", dbx.Params{"k": collections.Notifications + ":" + n.Id}); len(rows) != 1 {
		t.Errorf("notification row not marked sent once")
	}
}

func TestEmailAccountDeletedGoesToKeptAddress(t *testing.T) {
	t.Parallel()
	app := testkit.NewTestApp(t)
	defer app.Cleanup()
	srv := testkit.StartSMTPServer(t)
	testkit.ConfigureSMTP(t, app, srv)

	// the account is gone: the engine kept the address in notification_emails
	c, err := app.FindCollectionByNameOrId(collections.NotificationEmails)
	if err != nil {
		t.Fatal(err)
	}
	r := core.NewRecord(c)
	r.Load(map[string]any{
		collections.NotificationEmailAddress: "gone@example.org",
		collections.NotificationEmailName:    "Gina <Gone>",
		collections.NotificationType:         collections.TypeAccountDeleted,
		collections.NotificationCategory:     collections.CategorySystem,
		collections.NotificationPriority:     collections.PriorityUrgent,
		collections.NotificationTitle:        "Your account was deleted",
		collections.NotificationEmailMode:    collections.EmailModeImmediate,
	})
	if err := app.Save(r); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	if _, err := emails.QueueNotificationEmails(app, now); err != nil {
		t.Fatal(err)
	}
	if _, err := testWorker(app, &fakeClock{now: now}).RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := mailsWithSubject(srv.Received(), "Your account was deleted")
	if len(got) != 1 {
		t.Fatalf("received %d, want 1", len(got))
	}
	m := got[0]
	if len(m.To) != 1 || m.To[0] != "gone@example.org" {
		t.Errorf("envelope to %v", m.To)
	}
	if m.Header.Get("List-Unsubscribe") != "" {
		t.Errorf("account_deleted is mandatory but has List-Unsubscribe")
	}
	if html := m.Parts["text/html"]; !strings.Contains(html, "Gina &lt;Gone&gt;") || !strings.Contains(html, "account has been deleted") {
		t.Errorf("account_deleted template not used or not escaped:\n%s", html)
	}
}

func TestEmailAuthMailsGoThroughOutbox(t *testing.T) {
	t.Parallel()
	app := testkit.NewTestApp(t)
	defer app.Cleanup()
	srv := testkit.StartSMTPServer(t)
	testkit.ConfigureSMTP(t, app, srv)

	// what request-password-reset runs (in a goroutine, hence called here)
	user, err := app.FindRecordById(collections.Users, testkit.IdStudent)
	if err != nil {
		t.Fatal(err)
	}
	if err := mails.SendRecordPasswordReset(app, user); err != nil {
		t.Fatal(err)
	}
	if app.TestMailer.TotalSend() != 0 {
		t.Errorf("PocketBase's own client sent %d mails", app.TestMailer.TotalSend())
	}
	rows := outboxRows(t, app, "kind = 'auth' && to = 'sam.student@studyhall.test'")
	if len(rows) != 1 {
		t.Fatalf("auth outbox rows = %d, want 1", len(rows))
	}
	if rows[0].GetString(collections.OutboxUserId) != testkit.IdStudent {
		t.Errorf("userId = %q", rows[0].GetString(collections.OutboxUserId))
	}
	if _, err := testWorker(app, &fakeClock{now: time.Now()}).RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := mailsWithSubject(srv.Received(), "Reset")
	if len(got) != 1 {
		t.Fatalf("received %d reset mails, want 1", len(got))
	}
	m := got[0]
	if m.Header.Get("List-Unsubscribe") != "" || m.Header.Get("List-Unsubscribe-Post") != "" {
		t.Errorf("auth mail carries unsubscribe headers")
	}
	if m.ContentType != "multipart/alternative" {
		t.Errorf("Content-Type = %q", m.ContentType)
	}
	html, text := m.Parts["text/html"], m.Parts["text/plain"]
	if !strings.Contains(html, "https://learn.example.com/_/#/auth/confirm-password-reset/") {
		t.Errorf("reset link missing from html:\n%s", html)
	}
	if !strings.Contains(html, "service email from studyhall") {
		t.Errorf("auth mail not in our layout:\n%s", html)
	}
	if !strings.Contains(text, "https://learn.example.com/_/#/auth/confirm-password-reset/") {
		t.Errorf("text part lacks the link:\n%s", text)
	}
}

// --- outbox worker

func TestOutboxRetriesWithBackoffUntilServerRecovers(t *testing.T) {
	t.Parallel()
	app := testkit.NewTestApp(t)
	defer app.Cleanup()
	srv := testkit.StartSMTPServer(t)
	testkit.ConfigureSMTP(t, app, srv)

	start := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	clock := &fakeClock{now: start}
	var ids []string
	for i := range 3 {
		ids = append(ids, queueTestMail(t, app, "outage mail "+string(rune('A'+i)), start).Id)
	}
	const refusals = 12
	srv.Refuse(refusals)
	w := testWorker(app, clock)
	w.Jitter = func() float64 { return 0.3 }

	for round := 0; round < 40; round++ {
		res, err := w.RunOnce(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		// every failed row waits its backoff from now, jitter included
		for _, id := range ids {
			row, _ := app.FindRecordById(collections.EmailOutbox, id)
			if row.GetString(collections.OutboxStatus) != collections.OutboxPending {
				continue
			}
			attempts := row.GetInt(collections.OutboxAttempts)
			if attempts == 0 {
				continue
			}
			wait := row.GetDateTime(collections.OutboxNextAttemptAt).Time().Sub(clock.Now())
			if want := emails.Backoff(attempts, 0.3); res.Retried > 0 && wait > 0 && (wait < emails.Backoff(attempts, 0) || wait > emails.Backoff(attempts, 1)) {
				t.Errorf("row %s after attempt %d waits %v, want ≈ %v", id, attempts, wait, want)
			}
			if !strings.Contains(row.GetString(collections.OutboxLastError), "451") {
				t.Errorf("lastError = %q, want the 451", row.GetString(collections.OutboxLastError))
			}
		}
		var next time.Time
		for _, id := range ids {
			row, _ := app.FindRecordById(collections.EmailOutbox, id)
			if row.GetString(collections.OutboxStatus) == collections.OutboxPending {
				at := row.GetDateTime(collections.OutboxNextAttemptAt).Time()
				if next.IsZero() || at.Before(next) {
					next = at
				}
			}
		}
		if next.IsZero() {
			break
		}
		clock.Set(next)
	}

	if srv.Refused() != refusals {
		t.Errorf("server refused %d times, want %d", srv.Refused(), refusals)
	}
	totalAttempts := 0
	for i, id := range ids {
		row, _ := app.FindRecordById(collections.EmailOutbox, id)
		if row.GetString(collections.OutboxStatus) != collections.OutboxSent {
			t.Errorf("row %s is %s", id, row.GetString(collections.OutboxStatus))
		}
		totalAttempts += row.GetInt(collections.OutboxAttempts)
		if n := len(mailsWithSubject(srv.Received(), "outage mail "+string(rune('A'+i)))); n != 1 {
			t.Errorf("mail %d arrived %d times, want once", i, n)
		}
	}
	if totalAttempts != refusals+len(ids) {
		t.Errorf("attempts = %d, want %d refused + %d sent", totalAttempts, refusals, len(ids))
	}
}

func TestOutboxFailsAfterMaxAttemptsThenRetryCommand(t *testing.T) {
	t.Parallel()
	app := testkit.NewTestApp(t)
	defer app.Cleanup()
	srv := testkit.StartSMTPServer(t)
	testkit.ConfigureSMTP(t, app, srv)

	start := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	clock := &fakeClock{now: start}
	row := queueTestMail(t, app, "never accepted", start)
	srv.Refuse(1 << 20)
	w := testWorker(app, clock)
	w.Jitter = func() float64 { return 0 }

	var lastAttempt time.Time
	for i := 0; i < emails.MaxAttempts+5; i++ {
		if _, err := w.RunOnce(context.Background()); err != nil {
			t.Fatal(err)
		}
		r, _ := app.FindRecordById(collections.EmailOutbox, row.Id)
		if r.GetString(collections.OutboxStatus) != collections.OutboxPending {
			lastAttempt = clock.Now()
			break
		}
		clock.Set(r.GetDateTime(collections.OutboxNextAttemptAt).Time())
	}
	r, _ := app.FindRecordById(collections.EmailOutbox, row.Id)
	if r.GetString(collections.OutboxStatus) != collections.OutboxFailed || r.GetInt(collections.OutboxAttempts) != emails.MaxAttempts {
		t.Fatalf("status %s after %d attempts, want failed after %d", r.GetString(collections.OutboxStatus), r.GetInt(collections.OutboxAttempts), emails.MaxAttempts)
	}
	if emails.MaxAttempts < 8 || lastAttempt.Sub(start) < 12*time.Hour {
		t.Errorf("gave up after %d attempts over %v, want ≥ 8 over ≥ 12h", emails.MaxAttempts, lastAttempt.Sub(start))
	}
	if len(srv.Received()) != 0 {
		t.Fatalf("a refused mail arrived")
	}

	// a superuser puts it back in the dashboard: a fresh attempt budget
	r.Set(collections.OutboxStatus, collections.OutboxPending)
	if err := app.Save(r); err != nil {
		t.Fatal(err)
	}
	if r.GetInt(collections.OutboxAttempts) != 0 {
		t.Errorf("dashboard retry kept %d attempts", r.GetInt(collections.OutboxAttempts))
	}
	if _, err := app.DB().Update(collections.EmailOutbox, dbx.Params{collections.OutboxStatus: collections.OutboxFailed},
		dbx.HashExp{collections.FieldId: r.Id}).Execute(); err != nil {
		t.Fatal(err)
	}

	// `studyhall outbox retry` puts it back; the server has recovered
	srv.Refuse(0)
	n, err := emails.RetryFailed(app, "", clock.Now())
	if err != nil || n != 1 {
		t.Fatalf("RetryFailed = %d, %v", n, err)
	}
	if _, err := w.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := len(mailsWithSubject(srv.Received(), "never accepted")); got != 1 {
		t.Fatalf("received %d after retry, want 1", got)
	}
}

func TestOutboxConnectionRefusedKeepsRowPending(t *testing.T) {
	t.Parallel()
	app := testkit.NewTestApp(t)
	defer app.Cleanup()
	srv := testkit.StartSMTPServer(t)
	testkit.ConfigureSMTP(t, app, srv)
	// point SMTP at a port nothing listens on
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	settings := app.Settings()
	settings.SMTP.Port = l.Addr().(*net.TCPAddr).Port
	l.Close()
	if err := app.Save(settings); err != nil {
		t.Fatal(err)
	}

	now := time.Now()
	row := queueTestMail(t, app, "refused connection", now)
	clock := &fakeClock{now: now}
	if _, err := testWorker(app, clock).RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	r, _ := app.FindRecordById(collections.EmailOutbox, row.Id)
	if r.GetString(collections.OutboxStatus) != collections.OutboxPending || r.GetInt(collections.OutboxAttempts) != 1 || r.GetString(collections.OutboxLastError) == "" {
		t.Fatalf("row after refused connection: status %s attempts %d error %q",
			r.GetString(collections.OutboxStatus), r.GetInt(collections.OutboxAttempts), r.GetString(collections.OutboxLastError))
	}

	// the real server is back
	settings.SMTP.Port = srv.Port
	if err := app.Save(settings); err != nil {
		t.Fatal(err)
	}
	clock.Set(r.GetDateTime(collections.OutboxNextAttemptAt).Time())
	if _, err := testWorker(app, clock).RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := len(mailsWithSubject(srv.Received(), "refused connection")); got != 1 {
		t.Fatalf("received %d, want 1", got)
	}
}

func TestOutboxTwoWorkersSendEachRowOnce(t *testing.T) {
	t.Parallel()
	app := testkit.NewTestApp(t)
	defer app.Cleanup()
	srv := testkit.StartSMTPServer(t)
	testkit.ConfigureSMTP(t, app, srv)

	now := time.Now()
	const total = 24
	for i := range total {
		queueTestMail(t, app, "race mail #"+strings.Repeat("i", i+1)+"#", now)
	}
	clock := &fakeClock{now: now}
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := testWorker(app, clock)
			w.Concurrency = 4
			for range 3 {
				if _, err := w.RunOnce(context.Background()); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()

	received := mailsWithSubject(srv.Received(), "race mail")
	if len(received) != total {
		t.Fatalf("server received %d race mails, want %d", len(received), total)
	}
	seen := map[string]int{}
	for _, m := range received {
		seen[m.Subject()]++
	}
	for subject, n := range seen {
		if n != 1 {
			t.Errorf("%q arrived %d times", subject, n)
		}
	}
	if rows := outboxRows(t, app, "subject ~ 'race mail' && status = 'sent' && attempts = 1"); len(rows) != total {
		t.Errorf("%d rows sent with one attempt, want %d", len(rows), total)
	}
}

func TestOutboxLeaseRecoversCrashedWorker(t *testing.T) {
	t.Parallel()
	app := testkit.NewTestApp(t)
	defer app.Cleanup()
	srv := testkit.StartSMTPServer(t)
	testkit.ConfigureSMTP(t, app, srv)

	now := time.Now()
	row := queueTestMail(t, app, "claimed then crashed", now)
	w := testWorker(app, &fakeClock{now: now})
	// a worker claimed the row and died before sending
	if _, err := app.DB().Update(collections.EmailOutbox, dbx.Params{
		collections.OutboxClaimedUntil: types.NowDateTime().Add(w.Lease).String(),
		collections.OutboxAttempts:     1,
	}, dbx.HashExp{collections.FieldId: row.Id}).Execute(); err != nil {
		t.Fatal(err)
	}
	if _, err := w.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(srv.Received()) != 0 {
		t.Fatalf("a row under another worker's lease was sent")
	}
	w.Now = func() time.Time { return now.Add(w.Lease + time.Second) }
	if _, err := w.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := len(mailsWithSubject(srv.Received(), "claimed then crashed")); got != 1 {
		t.Fatalf("received %d after the lease passed, want 1", got)
	}
}

func TestOutboxWithoutSMTPStaysPending(t *testing.T) {
	t.Parallel()
	app := testkit.NewTestApp(t)
	defer app.Cleanup()

	now := time.Now()
	row := queueTestMail(t, app, "no smtp yet", now)
	w := testWorker(app, &fakeClock{now: now})
	var logged bytes.Buffer
	w.Logger = slog.New(slog.NewTextHandler(&logged, &slog.HandlerOptions{Level: slog.LevelWarn}))
	for range 3 {
		res, err := w.RunOnce(context.Background())
		if err != nil || res != (emails.RunResult{}) {
			t.Fatalf("RunOnce without SMTP = %+v, %v", res, err)
		}
	}
	r, _ := app.FindRecordById(collections.EmailOutbox, row.Id)
	if r.GetString(collections.OutboxStatus) != collections.OutboxPending || r.GetInt(collections.OutboxAttempts) != 0 {
		t.Fatalf("row is %s with %d attempts, want pending untouched", r.GetString(collections.OutboxStatus), r.GetInt(collections.OutboxAttempts))
	}
	if n := strings.Count(logged.String(), "SMTP is not configured"); n != 1 {
		t.Errorf("warned %d times over 3 runs, want once:\n%s", n, logged.String())
	}
}

// --- digests

func TestDigestAcrossZonesAndDSTOncePerPeriod(t *testing.T) {
	t.Parallel()
	app := testkit.NewTestApp(t)
	defer app.Cleanup()
	srv := testkit.StartSMTPServer(t)
	testkit.ConfigureSMTP(t, app, srv)

	// idStudent lives in America/New_York (daily digest), idOtherStudent in
	// Europe/Berlin (weekly). US DST ends Sunday 2025-11-02 at 02:00 local:
	// that day's 08:00 is 13:00 UTC, the day before it was 12:00 UTC.
	setDigest(t, app, testkit.IdStudent, collections.DigestDaily)
	setDigest(t, app, testkit.IdOtherStudent, collections.DigestWeekly)
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}

	low := testkit.AddNotification(t, app, testkit.IdStudent, collections.TypeVideoCompleted, collections.PriorityLow, "Low: video watched", collections.EmailModeDaily, at("2025-11-01T20:00:00Z"), nil)
	urgent := testkit.AddNotification(t, app, testkit.IdStudent, collections.TypeLiveSessionStartingSoon, collections.PriorityUrgent, "Urgent: session starts", collections.EmailModeDaily, at("2025-11-02T12:00:00Z"), nil)
	read := testkit.AddNotification(t, app, testkit.IdStudent, collections.TypeNewLesson, collections.PriorityNormal, "Already read", collections.EmailModeDaily, at("2025-11-02T11:00:00Z"),
		map[string]any{collections.NotificationReadAt: at("2025-11-02T11:30:00Z")})
	later := testkit.AddNotification(t, app, testkit.IdStudent, collections.TypeNewLesson, collections.PriorityNormal, "After the digest", collections.EmailModeDaily, at("2025-11-02T13:30:00Z"), nil)
	weekly := testkit.AddNotification(t, app, testkit.IdOtherStudent, collections.TypeStudyGroupInvite, collections.PriorityNormal, "Weekly: group invite", collections.EmailModeWeekly, at("2025-11-01T10:00:00Z"), nil)

	digests := func(user string) []*core.Record {
		rows, err := app.FindRecordsByFilter(collections.EmailDigestPeriods, "user = {:u}", "created", 0, 0, dbx.Params{"u": user})
		if err != nil {
			t.Fatal(err)
		}
		return rows
	}
	run := func(now string) {
		t.Helper()
		if _, err := emails.RunDigests(app, at(now)); err != nil {
			t.Fatal(err)
		}
	}

	// 12:30 UTC is 07:30 in New York after the change: not yet
	run("2025-11-02T12:30:00Z")
	if n := len(digests(testkit.IdStudent)); n != 0 {
		t.Fatalf("New York digest sent before 08:00 EST (%d)", n)
	}
	run("2025-11-02T13:00:00Z")
	run("2025-11-02T13:01:00Z") // the job runs again: nothing more
	got := digests(testkit.IdStudent)
	if len(got) != 1 || got[0].GetString(collections.DigestPeriod) != "daily:2025-11-02" || got[0].GetInt(collections.DigestCount) != 2 {
		t.Fatalf("New York digests = %v", got)
	}
	outbox, err := app.FindRecordById(collections.EmailOutbox, got[0].GetString(collections.DigestOutbox))
	if err != nil {
		t.Fatal(err)
	}
	html := outbox.GetString(collections.OutboxHTML)
	if i, j := strings.Index(html, "Urgent: session starts"), strings.Index(html, "Low: video watched"); i < 0 || j < 0 || i > j {
		t.Errorf("digest does not list urgent first:\n%s", html)
	}
	if strings.Contains(html, "Already read") || strings.Contains(html, "After the digest") {
		t.Errorf("digest lists a read or later notification")
	}
	for _, n := range []*core.Record{low, urgent} {
		r, _ := app.FindRecordById(collections.Notifications, n.Id)
		if r.GetDateTime(collections.NotificationEmailedAt).IsZero() {
			t.Errorf("%s not marked emailed", n.GetString(collections.NotificationTitle))
		}
	}
	for _, n := range []*core.Record{read, later} {
		r, _ := app.FindRecordById(collections.Notifications, n.Id)
		if !r.GetDateTime(collections.NotificationEmailedAt).IsZero() {
			t.Errorf("%s marked emailed", n.GetString(collections.NotificationTitle))
		}
	}
	// Berlin's weekly digest waits for Monday 08:00 CET (07:00 UTC)
	if n := len(digests(testkit.IdOtherStudent)); n != 0 {
		t.Fatalf("weekly digest sent on a Sunday")
	}
	run("2025-11-03T06:59:00Z")
	if n := len(digests(testkit.IdOtherStudent)); n != 0 {
		t.Fatalf("weekly digest sent before Monday 08:00 Berlin")
	}
	run("2025-11-03T07:00:00Z")
	run("2025-11-03T07:05:00Z")
	if got := digests(testkit.IdOtherStudent); len(got) != 1 || got[0].GetString(collections.DigestPeriod) != "weekly:2025-11-03" {
		t.Fatalf("Berlin digests = %v", got)
	}
	r, _ := app.FindRecordById(collections.Notifications, weekly.Id)
	if r.GetDateTime(collections.NotificationEmailedAt).IsZero() {
		t.Errorf("weekly notification not marked emailed")
	}
	// New York's next morning picks up the later one, once
	run("2025-11-03T13:00:00Z")
	run("2025-11-03T13:00:30Z")
	if got := digests(testkit.IdStudent); len(got) != 2 || got[1].GetString(collections.DigestPeriod) != "daily:2025-11-03" || got[1].GetInt(collections.DigestCount) != 1 {
		t.Fatalf("New York digests = %v", got)
	}

	// what arrives: one mail per digest, with one-click headers
	if _, err := testWorker(app, &fakeClock{now: time.Now()}).RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	mails := mailsWithSubject(srv.Received(), "digest")
	if len(mails) != 3 {
		t.Fatalf("received %d digests, want 3", len(mails))
	}
	for _, m := range mails {
		if m.Header.Get("List-Unsubscribe") == "" || m.Header.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" {
			t.Errorf("digest %q lacks one-click headers", m.Subject())
		}
	}
}

func setDigest(t testing.TB, app core.App, userId, digest string) {
	t.Helper()
	prefs, err := app.FindFirstRecordByData(collections.NotificationPreferences, collections.PreferenceUser, userId)
	if err != nil {
		t.Fatal(err)
	}
	prefs.Set(collections.PreferenceEmailDigest, digest)
	if err := app.Save(prefs); err != nil {
		t.Fatal(err)
	}
}

// --- unsubscribe

func TestUnsubscribeLinks(t *testing.T) {
	t.Parallel()
	probe := testkit.NewTestApp(t)
	secret, err := emails.UnsubscribeSecret(probe)
	probe.Cleanup()
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	sign := func(user, scope string, at time.Time) string {
		token, err := emails.SignUnsubscribeToken(secret, user, scope, at)
		if err != nil {
			t.Fatal(err)
		}
		return token
	}
	all := sign(testkit.IdStudent, collections.UnsubscribeAll, now)
	community := sign(testkit.IdStudent, collections.CategoryCommunity, now)
	expired := sign(testkit.IdStudent, collections.UnsubscribeAll, now.Add(-emails.UnsubscribeTokenTTL-time.Hour))
	forged, _ := emails.SignUnsubscribeToken([]byte("not the secret"), testkit.IdStudent, collections.UnsubscribeAll, now)
	parts := strings.Split(all, ".")
	payload, _ := json.Marshal(map[string]any{"type": "unsubscribe", "scope": "all", "sub": testkit.IdOtherStudent, "exp": now.Add(time.Hour).Unix()})
	tampered := parts[0] + "." + (&jwt.Token{}).EncodeSegment(payload) + "." + parts[2]
	none, _ := jwt.NewWithClaims(jwt.SigningMethodNone, jwt.MapClaims{"type": "unsubscribe", "scope": "all", "sub": testkit.IdStudent, "exp": now.Add(time.Hour).Unix()}).
		SignedString(jwt.UnsafeAllowNoneSignatureType)

	path := func(token string) string { return emails.UnsubscribePath + "?token=" + url.QueryEscape(token) }
	prefsOf := func(t testing.TB, app core.App) *core.Record {
		p, err := app.FindFirstRecordByData(collections.NotificationPreferences, collections.PreferenceUser, testkit.IdStudent)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	unchanged := func(t testing.TB, app *tests.TestApp, res *http.Response) {
		if !prefsOf(t, app).GetBool(collections.PreferenceEmailEnabled) {
			t.Errorf("a bad token changed preferences")
		}
		if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
			t.Errorf("Content-Type = %q", ct)
		}
	}
	bad := []string{"This unsubscribe link does not work"}

	scenarios := []tests.ApiScenario{
		{
			Name: "GET with a valid token shows a confirmation page and changes nothing", Method: http.MethodGet, URL: path(all),
			ExpectedStatus: 200, ExpectedContent: []string{"Unsubscribe from all notification emails?", `<form method="post"`, "Unsubscribe</button>"},
			ExpectedEvents: map[string]int{"*": 0}, AfterTestFunc: unchanged,
		},
		{Name: "GET tampered", Method: http.MethodGet, URL: path(tampered), ExpectedStatus: 400, ExpectedContent: bad, ExpectedEvents: map[string]int{"*": 0}, AfterTestFunc: unchanged},
		{Name: "GET expired", Method: http.MethodGet, URL: path(expired), ExpectedStatus: 400, ExpectedContent: bad, ExpectedEvents: map[string]int{"*": 0}, AfterTestFunc: unchanged},
		{Name: "GET wrong signature", Method: http.MethodGet, URL: path(forged), ExpectedStatus: 400, ExpectedContent: bad, ExpectedEvents: map[string]int{"*": 0}, AfterTestFunc: unchanged},
		{Name: "GET alg none", Method: http.MethodGet, URL: path(none), ExpectedStatus: 400, ExpectedContent: bad, ExpectedEvents: map[string]int{"*": 0}, AfterTestFunc: unchanged},
		{Name: "GET garbage", Method: http.MethodGet, URL: path("<script>"), ExpectedStatus: 400, ExpectedContent: bad, NotExpectedContent: []string{"<script>"}, ExpectedEvents: map[string]int{"*": 0}, AfterTestFunc: unchanged},
		{Name: "POST without token", Method: http.MethodPost, URL: emails.UnsubscribePath, ExpectedStatus: 400, ExpectedContent: bad, ExpectedEvents: map[string]int{"*": 0}, AfterTestFunc: unchanged},
		{Name: "POST tampered", Method: http.MethodPost, URL: path(tampered), ExpectedStatus: 400, ExpectedContent: bad, ExpectedEvents: map[string]int{"*": 0}, AfterTestFunc: unchanged},
		{
			Name: "POST (the page's button) unsubscribes from all", Method: http.MethodPost, URL: path(all),
			ExpectedStatus: 200, ExpectedContent: []string{"You are unsubscribed"},
			ExpectedEvents: map[string]int{"*": 0, "OnModelUpdate": 1, "OnRecordUpdate": 1, "OnModelValidate": 1, "OnRecordValidate": 1,
				"OnModelUpdateExecute": 1, "OnRecordUpdateExecute": 1, "OnModelAfterUpdateSuccess": 1, "OnRecordAfterUpdateSuccess": 1},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				if prefsOf(t, app).GetBool(collections.PreferenceEmailEnabled) {
					t.Errorf("emailEnabled still true")
				}
			},
		},
		{
			Name: "RFC 8058 one-click POST unsubscribes from a category", Method: http.MethodPost, URL: path(community),
			Body:           strings.NewReader("List-Unsubscribe=One-Click"),
			Headers:        map[string]string{"Content-Type": "application/x-www-form-urlencoded"},
			ExpectedStatus: 200, ExpectedContent: []string{"You are unsubscribed", "community notification emails"},
			ExpectedEvents: map[string]int{"*": 0, "OnModelUpdate": 1, "OnRecordUpdate": 1, "OnModelValidate": 1, "OnRecordValidate": 1,
				"OnModelUpdateExecute": 1, "OnRecordUpdateExecute": 1, "OnModelAfterUpdateSuccess": 1, "OnRecordAfterUpdateSuccess": 1},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				p := prefsOf(t, app)
				if !p.GetBool(collections.PreferenceEmailEnabled) {
					t.Errorf("a category link turned all email off")
				}
				var categories map[string]map[string]bool
				if err := json.Unmarshal([]byte(p.GetString(collections.PreferenceCategories)), &categories); err != nil {
					t.Fatal(err)
				}
				if e, ok := categories[collections.CategoryCommunity][collections.ChannelEmail]; !ok || e {
					t.Errorf("categories = %v, want community email off", categories)
				}
				if _, ok := categories[collections.CategoryCommunity][collections.ChannelInApp]; ok {
					t.Errorf("in-app switch touched: %v", categories)
				}
			},
		},
	}
	for _, s := range scenarios {
		s.TestAppFactory = func(t testing.TB) *tests.TestApp { return testkit.NewTestApp(t) }
		s.Test(t)
	}
}

// TestEmailUnsubscribedUserGetsNoImmediateMail checks that an opt-out made
// after a notification was created still stops its email.
func TestEmailUnsubscribedUserGetsNoImmediateMail(t *testing.T) {
	t.Parallel()
	app := testkit.NewTestApp(t)
	defer app.Cleanup()
	n := testkit.AddNotification(t, app, testkit.IdStudent, collections.TypeStudyGroupInvite, collections.PriorityNormal, "Invite after opt-out",
		collections.EmailModeImmediate, time.Time{}, nil)
	secret, _ := emails.UnsubscribeSecret(app)
	token, _ := emails.SignUnsubscribeToken(secret, testkit.IdStudent, collections.CategoryCommunity, time.Now())
	claims, err := emails.ParseUnsubscribeToken(secret, token, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := emails.ApplyUnsubscribe(app, claims); err != nil {
		t.Fatal(err)
	}
	if _, err := emails.QueueNotificationEmails(app, time.Now()); err != nil {
		t.Fatal(err)
	}
	rows := outboxRows(t, app, "dedupeKey = {:k}", dbx.Params{"k": collections.Notifications + ":" + n.Id})
	if len(rows) != 1 || rows[0].GetString(collections.OutboxStatus) != collections.OutboxCancelled {
		t.Fatalf("rows = %v, want one cancelled", rows)
	}
}

// TestEmailHeldNotificationWaitsForRelease checks that quiet hours delay
// immediate emails too: a notification held in notification_holds is not
// emailed until the engine releases it into notifications.
func TestEmailHeldNotificationWaitsForRelease(t *testing.T) {
	t.Parallel()
	app := testkit.NewTestApp(t)
	defer app.Cleanup()
	c, err := app.FindCollectionByNameOrId(collections.NotificationHolds)
	if err != nil {
		t.Fatal(err)
	}
	held := core.NewRecord(c)
	held.Load(map[string]any{
		collections.NotificationUser:      testkit.IdStudent,
		collections.NotificationType:      collections.TypeAssessmentGraded,
		collections.NotificationCategory:  collections.CategoryAssessment,
		collections.NotificationPriority:  collections.PriorityHigh,
		collections.NotificationTitle:     "Held by quiet hours",
		collections.NotificationEmailMode: collections.EmailModeImmediate,
		collections.HoldReleaseAt:         time.Now().Add(time.Hour),
	})
	if err := app.Save(held); err != nil {
		t.Fatal(err)
	}
	if _, err := emails.QueueNotificationEmails(app, time.Now()); err != nil {
		t.Fatal(err)
	}
	if rows := outboxRows(t, app, "subject = 'Held by quiet hours'"); len(rows) != 0 {
		t.Fatalf("a held notification was emailed")
	}
}

// TestEmailNotificationThatCannotBeQueuedIsSetAside makes one notification
// impossible to queue: the batch falls back to one by one, the others are
// queued, and the bad one is claimed and recorded as a cancelled outbox
// row carrying the error, so no run trips on it again.
func TestEmailNotificationThatCannotBeQueuedIsSetAside(t *testing.T) {
	t.Parallel()
	app := testkit.NewTestApp(t)
	defer app.Cleanup()
	good := testkit.AddNotification(t, app, testkit.IdStudent, collections.TypeAssessmentGraded, collections.PriorityHigh, "Quiz graded",
		collections.EmailModeImmediate, time.Time{}, nil)
	bad := testkit.AddNotification(t, app, testkit.IdStudent, collections.TypePaymentReceipt, collections.PriorityHigh, "Receipt R-2",
		collections.EmailModeImmediate, time.Time{}, nil)
	badKey := collections.Notifications + ":" + bad.Id
	// the bad one's email cannot be written; its set-aside row (cancelled,
	// with a reason) can
	app.OnRecordCreate(collections.EmailOutbox).BindFunc(func(e *core.RecordEvent) error {
		if e.Record.GetString(collections.OutboxDedupeKey) == badKey && e.Record.GetString(collections.OutboxStatus) != collections.OutboxCancelled {
			return errors.New("outbox refused this row")
		}
		return e.Next()
	})

	pending := testkit.CountRecords(t, app, collections.Notifications, "emailMode = 'immediate' && emailedAt = ''")
	queued, err := emails.QueueNotificationEmails(app, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	// every immediate notification but the bad one (the fixtures have
	// their own)
	if queued != pending-1 {
		t.Fatalf("queued %d of %d pending, want all but the bad one", queued, pending)
	}
	if rows := outboxRows(t, app, "dedupeKey = {:k}", dbx.Params{"k": collections.Notifications + ":" + good.Id}); len(rows) != 1 ||
		rows[0].GetString(collections.OutboxStatus) != collections.OutboxPending {
		t.Fatalf("good notification's rows = %v, want one pending", rows)
	}
	rows := outboxRows(t, app, "dedupeKey = {:k}", dbx.Params{"k": badKey})
	if len(rows) != 1 || rows[0].GetString(collections.OutboxStatus) != collections.OutboxCancelled ||
		!strings.Contains(rows[0].GetString(collections.OutboxLastError), "outbox refused this row") {
		t.Fatalf("bad notification's rows = %v, want one cancelled with the error", rows)
	}
	if again, err := emails.QueueNotificationEmails(app, time.Now()); err != nil || again != 0 {
		t.Fatalf("a second run queued %d (%v), want 0", again, err)
	}
}
