package testkit

import (
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"
	"github.com/pocketbase/pocketbase/tools/types"

	"studyhall/collections"
)

// Office-hours test helpers, on top of the realtime helpers (startServer,
// apiRequest, connectRealtime).

// NewOfficeHoursApp is a test app whose per-IP rate limiter is off, since
// the office-hours tests send many requests from one address at once.
func NewOfficeHoursApp(t testing.TB) *tests.TestApp {
	t.Helper()
	app := NewTestApp(t)
	app.Settings().RateLimits.Enabled = false
	t.Cleanup(app.Cleanup)
	return app
}

// CreateOfficeHours saves a slot of instructorId through the app (model
// hooks run). manual (collections.OfficeHoursManualOpen or ...Closed)
// makes it open or closed now whatever the clock says, for a few hours:
// tests must not depend on the time of day.
func CreateOfficeHours(t testing.TB, app core.App, instructorId string, day int, start, end, manual string) *core.Record {
	t.Helper()
	c, err := app.FindCollectionByNameOrId(collections.OfficeHours)
	if err != nil {
		t.Fatal(err)
	}
	slot := core.NewRecord(c)
	slot.Set(collections.OfficeHoursInstructor, instructorId)
	slot.Set(collections.OfficeHoursDayOfWeek, day)
	slot.Set(collections.OfficeHoursStartTime, start)
	slot.Set(collections.OfficeHoursEndTime, end)
	slot.Set(collections.OfficeHoursLocation, "Room 101")
	slot.Set(collections.OfficeHoursActive, true)
	if manual != "" {
		slot.Set(collections.OfficeHoursManualState, manual)
		slot.Set(collections.OfficeHoursManualUntil, types.NowDateTime().Add(3*time.Hour))
	}
	if err := app.Save(slot); err != nil {
		t.Fatalf("create office hours: %v", err)
	}
	return slot
}

// CreateQueueStudents creates n students named prefix-i and returns them with
// their auth tokens. They share the fixture student's password hash, as
// hashing n passwords would take seconds.
func CreateQueueStudents(t testing.TB, app core.App, n int, prefix string) ([]*core.Record, []string) {
	t.Helper()
	template, err := app.FindRecordById(collections.Users, IdStudent)
	if err != nil {
		t.Fatal(err)
	}
	users, err := app.FindCollectionByNameOrId(collections.Users)
	if err != nil {
		t.Fatal(err)
	}
	records := make([]*core.Record, n)
	tokens := make([]string, n)
	for i := range n {
		record := core.NewRecord(users)
		record.SetEmail(fmt.Sprintf("%s-%d@studyhall.test", prefix, i))
		record.SetRaw("password", &core.PasswordFieldValue{Hash: template.GetString("password:hash")})
		record.SetVerified(true)
		record.Set(collections.UserName, fmt.Sprintf("%s %d", prefix, i))
		record.Set(collections.UserRole, collections.RoleStudent)
		record.Set(collections.UserTimezone, "UTC")
		if err := app.Save(record); err != nil {
			t.Fatalf("create student %d: %v", i, err)
		}
		if tokens[i], err = record.NewAuthToken(); err != nil {
			t.Fatal(err)
		}
		records[i] = record
	}
	return records, tokens
}

// QueueAPIError is PocketBase's error body.
type QueueAPIError struct {
	Status  int            `json:"status"`
	Message string         `json:"message"`
	Data    map[string]any `json:"data"`
}

// QueueCall posts to an office-hours route and returns the status and
// either the entry (on 200) or the error body.
func QueueCall(t testing.TB, baseURL, token, path string, body any) (int, map[string]any, QueueAPIError) {
	t.Helper()
	var raw map[string]any
	status := ApiRequest(t, baseURL, http.MethodPost, path, token, body, &raw)
	var apiErr QueueAPIError
	if status != http.StatusOK {
		apiErr.Status = status
		apiErr.Message, _ = raw["message"].(string)
		apiErr.Data, _ = raw["data"].(map[string]any)
	}
	return status, raw, apiErr
}

// JoinQueue is POST /api/office-hours/{slotId}/queue.
func JoinQueue(t testing.TB, baseURL, token, slotId, question string) (int, map[string]any, QueueAPIError) {
	return QueueCall(t, baseURL, token, "/api/office-hours/"+slotId+"/queue", map[string]any{"question": question})
}

// EntryAction is POST /api/office-hours/queue/{entryId}/{action}.
func EntryAction(t testing.TB, baseURL, token, entryId, action string, body any) (int, map[string]any, QueueAPIError) {
	return QueueCall(t, baseURL, token, "/api/office-hours/queue/"+entryId+"/"+action, body)
}

// WaitingEntries lists the waiting entries of a slot by position.
func WaitingEntries(t testing.TB, app core.App, slotId string) []*core.Record {
	t.Helper()
	records, err := app.FindRecordsByFilter(collections.OfficeHoursQueue,
		"officeHours = {:slot} && status = 'waiting'", "position", 0, 0, dbx.Params{"slot": slotId})
	if err != nil {
		t.Fatal(err)
	}
	return records
}

// CheckQueue fails the test unless the waiting entries of the slot are
// exactly wantStudents (ids, in order) at positions 1..N, each with the
// estimate of its position at averageVisit.
func CheckQueue(t testing.TB, app core.App, slotId string, wantStudents []string, averageVisit int) {
	t.Helper()
	entries := WaitingEntries(t, app, slotId)
	got := make([]string, len(entries))
	for i, entry := range entries {
		got[i] = entry.GetString(collections.QueueStudent)
		if pos := entry.GetInt(collections.QueuePosition); pos != i+1 {
			t.Fatalf("entry %d of %d has position %d", i+1, len(entries), pos)
		}
		if est := entry.GetInt(collections.QueueEstimatedWaitSeconds); est != i*averageVisit {
			t.Fatalf("entry at position %d estimates %d s, want %d", i+1, est, i*averageVisit)
		}
	}
	if !slices.Equal(got, wantStudents) {
		t.Fatalf("waiting students\n got %v\nwant %v", got, wantStudents)
	}
}

// QueueNoticeCount counts the notifications of a type for a user.
func QueueNoticeCount(t testing.TB, app core.App, userId, notificationType string) int {
	t.Helper()
	return CountRecords(t, app, collections.Notifications,
		"user = '"+userId+"' && type = '"+notificationType+"'")
}

// SlotDay is a weekday on which tests put slots that must not collide
// with each other: each test uses its own hours.
const SlotDay = 3

// Fixed ids of the slots the scenario tables use.
const (
	IdSlot         = "ohslotactive001" // IdInstructor, Wednesdays 10:00-12:00 London, active
	IdInactiveSlot = "ohslotinactive1" // IdInstructor, Thursdays 10:00-11:00 London, inactive
)

// OfficeHoursSlotFixtures saves IdSlot and IdInactiveSlot.
func OfficeHoursSlotFixtures(t testing.TB, app *tests.TestApp) {
	t.Helper()
	for _, s := range []struct {
		id     string
		day    int
		start  string
		end    string
		active bool
	}{
		{IdSlot, 3, "10:00", "12:00", true},
		{IdInactiveSlot, 4, "10:00", "11:00", false},
	} {
		if _, err := SaveRecord(app, collections.OfficeHours, s.id, map[string]any{
			collections.OfficeHoursInstructor: IdInstructor,
			collections.OfficeHoursDayOfWeek:  s.day,
			collections.OfficeHoursStartTime:  s.start,
			collections.OfficeHoursEndTime:    s.end,
			collections.OfficeHoursActive:     s.active,
		}); err != nil {
			t.Fatal(err)
		}
	}
}
