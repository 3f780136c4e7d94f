package emails_test

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"studyhall/collections"
	"studyhall/emails"
	"studyhall/testkit"
)

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
