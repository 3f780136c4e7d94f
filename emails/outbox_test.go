package emails_test

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/tools/types"

	"studyhall/collections"
	"studyhall/emails"
	"studyhall/testkit"
)

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
