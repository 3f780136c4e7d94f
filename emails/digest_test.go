package emails_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"studyhall/collections"
	"studyhall/emails"
	"studyhall/testkit"
)

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
