package notifications_test

import (
	"strings"
	"testing"
	"time"

	"studyhall/collections"
	"studyhall/notifications"
	"studyhall/testkit"
)

// TestNotificationResolution checks, through Send, each channel's
// resolution and the email decision recorded for the email worker.
func TestNotificationResolution(t *testing.T) {
	t.Parallel()
	app := testkit.NewTestApp(t)
	defer app.Cleanup()

	send := func(notificationType, dedupeKey string) *notifications.Result {
		t.Helper()
		result, err := notifications.Send(app, notifications.Notification{
			Type: notificationType, Recipients: []string{testkit.IdOtherStudent, testkit.IdOtherStudent, "nosuchuser0000"},
			Title: "x", DedupeKey: dedupeKey,
		})
		if err != nil {
			t.Fatal(err)
		}
		return result
	}
	counts := func(r *notifications.Result) [4]int {
		return [4]int{len(r.Delivered), len(r.Held), len(r.EmailOnly), r.Skipped}
	}

	// defaults: in-app, daily digest; unknown and repeated recipients skipped
	r := send(collections.TypeNewLesson, "k1")
	if counts(r) != [4]int{1, 0, 0, 1} || r.Delivered[0].GetString("emailMode") != "daily" {
		t.Fatalf("defaults: %v %v", counts(r), r.Delivered[0].PublicExport())
	}
	// the same dedupe key again: nothing
	if r := send(collections.TypeNewLesson, "k1"); counts(r) != [4]int{0, 0, 0, 2} {
		t.Fatalf("dedupe: %v", counts(r))
	}

	setPreferences(t, app, testkit.IdOtherStudent, map[string]any{
		"emailDigest": "weekly",
		"categories":  map[string]any{"course": map[string]any{"inApp": false}, "assessment": map[string]any{"email": false}},
		"types":       map[string]any{"course_published": map[string]any{"inApp": true}},
	})
	// category in-app off, email on: an email-only row with the address
	r = send(collections.TypeNewLesson, "")
	if counts(r) != [4]int{0, 0, 1, 1} || r.EmailOnly[0].GetString("email") != "olive.other@studyhall.test" ||
		r.EmailOnly[0].GetString("emailMode") != "weekly" {
		t.Fatalf("category off: %v", counts(r))
	}
	// a type override wins over its category
	if r := send(collections.TypeCoursePublished, ""); counts(r) != [4]int{1, 0, 0, 1} {
		t.Fatalf("type override: %v", counts(r))
	}
	// email off for the category: emailMode none
	if r := send(collections.TypeAssessmentGraded, ""); counts(r) != [4]int{1, 0, 0, 1} || r.Delivered[0].GetString("emailMode") != "none" {
		t.Fatalf("email off: %v", counts(r))
	}

	// global switches off: nothing, except mandatory kinds (email immediate)
	setPreferences(t, app, testkit.IdOtherStudent, map[string]any{"inAppEnabled": false, "emailEnabled": false})
	if r := send(collections.TypeLessonCompleted, ""); counts(r) != [4]int{0, 0, 0, 2} {
		t.Fatalf("all off: %v", counts(r))
	}
	r = send(collections.TypePaymentReceipt, "")
	if counts(r) != [4]int{1, 0, 0, 1} || r.Delivered[0].GetString("emailMode") != "immediate" {
		t.Fatalf("mandatory: %v", counts(r))
	}
	// nobody ever got a notification of another's
	if n := testkit.CountRecords(t, app, collections.Notifications, "user = 'nosuchuser0000'"); n != 0 {
		t.Fatalf("unknown user got %d", n)
	}
}

// TestNotificationsOneEventPerRecipient: a notice for many users reaches
// each of them exactly once, as their own record, however many there are.
func TestNotificationsOneEventPerRecipient(t *testing.T) {
	t.Parallel()

	app := testkit.NewTestApp(t)
	defer app.Cleanup()
	srv := testkit.StartServer(t, app)

	recipients := []string{testkit.IdStudent, testkit.IdOtherStudent, testkit.IdDroppedStudent, testkit.IdOtherInstructor}
	clients := make([]*testkit.RealtimeClient, len(recipients))
	for i, id := range recipients {
		clients[i] = testkit.ConnectRealtime(t, srv.URL)
		clients[i].Subscribe(t, testkit.Tokens[id], "notifications/*")
	}

	result, err := notifications.Send(app, notifications.Notification{
		Type:       collections.TypeLiveSessionCreated,
		Recipients: recipients,
		Title:      "Review session on Friday",
		DedupeKey:  "one-event-per-recipient",
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(result.Delivered) != len(recipients) {
		t.Fatalf("delivered %d, want %d", len(result.Delivered), len(recipients))
	}
	seen := map[string]bool{}
	for i, id := range recipients {
		ev := clients[i].ExpectEvent(t, "notifications/*", 3*time.Second)
		if ev.Action != "create" || ev.Record["user"] != id {
			t.Errorf("%s received %s of user %v", id, ev.Action, ev.Record["user"])
		}
		if created, _ := ev.Record["created"].(string); !strings.HasPrefix(created, "20") {
			t.Errorf("%s received a record without its created time: %q", id, created)
		}
		recordId, _ := ev.Record["id"].(string)
		if seen[recordId] {
			t.Errorf("record %s delivered to two recipients", recordId)
		}
		seen[recordId] = true
		clients[i].ExpectNoEvent(t, 200*time.Millisecond)
	}
	for _, record := range result.Delivered {
		if n := testkit.CountRecords(t, app, collections.Notifications, "id = '"+record.Id+"' && user = '"+record.GetString("user")+"'"); n != 1 {
			t.Errorf("returned record %s of %s is not what was stored", record.Id, record.GetString("user"))
		}
	}
}

// TestNotificationsArePlainText: notifications.Send writes its rows itself, past
// the record hooks, so it keeps SPEC's plain-text rule on its own.
func TestNotificationsArePlainText(t *testing.T) {
	t.Parallel()

	app := testkit.NewTestApp(t)
	defer app.Cleanup()
	result, err := notifications.Send(app, notifications.Notification{
		Type:       collections.TypeLiveSessionCreated,
		Recipients: []string{testkit.IdStudent},
		Title:      "Review\x07 session\u2028today",
		Message:    "Bring notes\x00\r\nand questions",
		ActionText: "Open\x1b",
	})
	if err != nil || len(result.Delivered) != 1 {
		t.Fatalf("send: %v %v", result, err)
	}
	stored, err := app.FindRecordById(collections.Notifications, result.Delivered[0].Id)
	if err != nil {
		t.Fatal(err)
	}
	for field, want := range map[string]string{"title": "Review sessiontoday", "message": "Bring notes\nand questions", "actionText": "Open"} {
		if got := stored.GetString(field); got != want {
			t.Errorf("%s = %q, want %q", field, got, want)
		}
	}
}
