package emails_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/mails"

	"studyhall/collections"
	"studyhall/testkit"
)

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
