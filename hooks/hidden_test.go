package hooks_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"studyhall/collections"
	"studyhall/presence"
	"studyhall/testkit"
)

// Hidden means hidden: a caller who may not read a field learns nothing
// of it, through filter and sort included.

// hiddenField is one row of the filter oracle: a Hidden field, a record
// where it holds a real value, and every actor who may not read it there.
type hiddenField struct {
	collection, field string
	target            string
	blind             []string
}

// key names a field as collection.field.
func (h hiddenField) key() string { return h.collection + "." + h.field }

// pocketBaseHidden are the Hidden fields PocketBase itself keeps: an auth
// collection's password hash and token key are never exported, never
// filterable, and compared only in constant time by PocketBase's own
// code (its tests cover them); system collections (_superusers, _otps,
// _mfas, ...) are PocketBase's too and are skipped whole. Email, not
// Hidden, is PocketBase's emailVisibility (studyhall keeps it off).
var pocketBaseHidden = []string{core.FieldNamePassword, core.FieldNameTokenKey}

// hiddenFieldRows is the oracle's table. Every Hidden field of every
// non-system collection must have a row: a field made Hidden later fails
// TestHiddenFieldFilterOracle until it gets one.
func hiddenFieldRows(queueEntry, directRoom string) []hiddenField {
	others := []string{testkit.Guest, testkit.OtherStudent, testkit.Instructor, testkit.OtherInstructor}
	nobody := []string{testkit.Guest, testkit.Student, testkit.OtherStudent, testkit.Instructor, testkit.OtherInstructor}
	return []hiddenField{
		// the student's own settings
		{collections.Users, collections.UserTimezone, testkit.IdStudent, others},
		{collections.Users, collections.UserAllowDirectMessages, testkit.IdStudent, others},
		// the student is invisible, with an activity set
		{collections.Presence, collections.PresenceManualStatus, "prsstudent00001", others},
		{collections.Presence, collections.PresenceActivity, "prsstudent00001", others},
		// notes of a completed visit, not shared
		// (in a slot of IdCourse: its TA reads them, another course's TA not)
		{collections.OfficeHoursQueue, collections.QueueInstructorNotes, queueEntry, []string{testkit.Guest, testkit.Student, testkit.OtherStudent, testkit.OtherInstructor, testkit.OtherTA}},
		// the server's own bookkeeping
		{collections.LiveSessions, collections.LiveSessionReminderSentFor, testkit.IdSessionPublic, nobody},
		{collections.ChatRooms, collections.ChatRoomDirectKey, directRoom, nobody},
		// the version of the student's calendar feed link, set at sign-up
		{collections.Users, collections.UserCalendarKey, testkit.IdStudent, nobody},
	}
}

// listAnswer is what a list request tells: its status, its count and the
// ids in order.
type listAnswer struct {
	Status     int
	TotalItems int
	Ids        []string
}

func listAs(t *testing.T, baseURL, collection, actor string, query url.Values) listAnswer {
	t.Helper()
	query.Set("perPage", "500")
	var body struct {
		TotalItems int `json:"totalItems"`
		Items      []struct {
			Id string `json:"id"`
		} `json:"items"`
	}
	status := testkit.ApiRequest(t, baseURL, http.MethodGet, testkit.RecordsURL(collection)+"?"+query.Encode(), testkit.Tokens[actor], nil, &body)
	answer := listAnswer{Status: status, TotalItems: body.TotalItems}
	for _, item := range body.Items {
		answer.Ids = append(answer.Ids, item.Id)
	}
	return answer
}

// filterLiteral is v written in a filter expression.
func filterLiteral(v any) string {
	if b, ok := v.(bool); ok {
		return strconv.FormatBool(b)
	}
	return "'" + strings.ReplaceAll(fmt.Sprint(v), "'", `\'`) + "'"
}

// TestHiddenFieldFilterOracle: for every Hidden field and every actor who
// may not read it, a filter on its real value and one on a value it does
// not hold (equality and prefix match) answer the same status, count and
// ids, and so do sorting by it either way.
func TestHiddenFieldFilterOracle(t *testing.T) {
	t.Parallel()
	app := testkit.NewRushApp(t)
	testkit.SeedLiveSessions(t, app)
	srv := testkit.StartServer(t, app)

	// the student: invisible, with an activity; the other instructor
	// online, so that sorting has two values to order
	if _, err := testkit.SaveRecord(app, collections.Presence, "prsstudent00001", map[string]any{
		"user": testkit.IdStudent, "status": presence.Offline, "manualStatus": presence.ManualInvisible,
		"activity": "Other things", "lastSeen": types.NowDateTime().Add(-time.Hour),
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := testkit.SaveRecord(app, collections.Presence, "prsotherins0001", map[string]any{
		"user": testkit.IdOtherInstructor, "status": presence.Online, "activity": "Grading", "lastSeen": types.NowDateTime(),
	}); err != nil {
		t.Fatal(err)
	}
	// a visit the instructor took notes on, without sharing them
	slot := testkit.CreateOfficeHours(t, app, testkit.IdInstructor, testkit.SlotDay, "06:00", "07:00", collections.OfficeHoursManualOpen)
	slot.Set(collections.OfficeHoursCourse, testkit.IdCourse)
	if err := app.Save(slot); err != nil {
		t.Fatal(err)
	}
	status, entry, apiErr := testkit.JoinQueue(t, srv.URL, testkit.Tokens[testkit.Student], slot.Id, "Factoring")
	if status != http.StatusOK {
		t.Fatalf("join: %d %v", status, apiErr)
	}
	queueEntry := entry["id"].(string)
	for _, step := range []struct {
		action string
		body   any
	}{{"admit", nil}, {"complete", map[string]any{"instructorNotes": "dyscalculia; go slowly"}}} {
		if status, _, apiErr := testkit.EntryAction(t, srv.URL, testkit.Tokens[testkit.Instructor], queueEntry, step.action, step.body); status != http.StatusOK {
			t.Fatalf("%s: %d %v", step.action, status, apiErr)
		}
	}
	// a reminder the job recorded; a direct room
	if _, err := app.DB().NewQuery("UPDATE {{live_sessions}} SET [[reminderSentFor]] = [[scheduledStart]] WHERE [[id]] = {:id}").
		Bind(map[string]any{"id": testkit.IdSessionPublic}).Execute(); err != nil {
		t.Fatal(err)
	}
	var room map[string]any
	if status := testkit.ApiRequest(t, srv.URL, http.MethodPost, "/api/chat/direct", testkit.Tokens[testkit.Student], map[string]any{"userId": testkit.IdInstructor}, &room); status != http.StatusOK {
		t.Fatalf("direct room: %d %v", status, room)
	}
	rows := hiddenFieldRows(queueEntry, room["id"].(string))

	// the table and the schema agree
	listed := map[string]bool{}
	for _, row := range rows {
		listed[row.key()] = true
	}
	all, err := app.FindAllCollections()
	if err != nil {
		t.Fatal(err)
	}
	hiddenNow := map[string]bool{}
	for _, c := range all {
		if c.System {
			continue
		}
		for _, f := range c.Fields {
			if !f.GetHidden() || (c.IsAuth() && slices.Contains(pocketBaseHidden, f.GetName())) {
				continue
			}
			key := c.Name + "." + f.GetName()
			hiddenNow[key] = true
			if !listed[key] {
				t.Errorf("%s is Hidden but has no row in hiddenFieldRows: add one with every actor who may not read it", key)
			}
		}
	}
	for key := range listed {
		if !hiddenNow[key] {
			t.Errorf("hiddenFieldRows has %s, which is not Hidden in the schema", key)
		}
	}

	for _, row := range rows {
		record, err := app.FindRecordById(row.collection, row.target)
		if err != nil {
			t.Fatalf("%s: %v", row.key(), err)
		}
		real := record.Get(row.field)
		var wrong any = "zz not the value"
		if b, ok := real.(bool); ok {
			wrong = !b
		} else if fmt.Sprint(real) == "" {
			t.Fatalf("%s is empty on %s: the row tests nothing", row.key(), row.target)
		}
		eq := func(v any) url.Values {
			return url.Values{"filter": {row.field + " = " + filterLiteral(v)}}
		}
		probes := []struct {
			name        string
			real, wrong url.Values
		}{
			{"filter =", eq(real), eq(wrong)},
			{"sort", url.Values{"sort": {row.field + ",id"}}, url.Values{"sort": {"-" + row.field + ",id"}}},
		}
		if _, ok := real.(bool); !ok {
			prefix := []rune(fmt.Sprint(real))[:3]
			probes = append(probes, struct {
				name        string
				real, wrong url.Values
			}{"filter ~", url.Values{"filter": {row.field + " ~ " + filterLiteral(string(prefix))}}, url.Values{"filter": {row.field + " ~ 'zzq'"}}})
		}

		// the values are real: a superuser tells them apart
		if got := listAs(t, srv.URL, row.collection, testkit.Superuser, eq(real)); !slices.Contains(got.Ids, row.target) {
			t.Errorf("%s: a superuser's filter on the real value misses %s: %+v", row.key(), row.target, got)
		}
		if got := listAs(t, srv.URL, row.collection, testkit.Superuser, eq(wrong)); slices.Contains(got.Ids, row.target) {
			t.Errorf("%s: a superuser's filter on another value finds %s", row.key(), row.target)
		}

		for _, actor := range row.blind {
			for _, p := range probes {
				a := listAs(t, srv.URL, row.collection, actor, p.real)
				b := listAs(t, srv.URL, row.collection, actor, p.wrong)
				if !reflect.DeepEqual(a, b) {
					t.Errorf("%s, %s as %s: the answers differ, the field leaks\n  %v: %+v\n  %v: %+v",
						row.key(), p.name, actor, p.real, a, p.wrong, b)
				}
			}
		}
	}
}

// TestHiddenFieldRealtimeFilter: a realtime subscription to another
// user's record, filtered on a private setting, receives nothing whatever
// the value; a filter on a public field still works.
func TestHiddenFieldRealtimeFilter(t *testing.T) {
	t.Parallel()
	app := testkit.NewRushApp(t)
	srv := testkit.StartServer(t, app)

	topic := func(filter string) string {
		options, _ := json.Marshal(map[string]any{"query": map[string]any{"filter": filter}})
		return "users/" + testkit.IdStudent + "?options=" + url.QueryEscape(string(options))
	}
	subscribe := func(filter string) *testkit.RealtimeClient {
		c := testkit.ConnectRealtime(t, srv.URL)
		c.Subscribe(t, testkit.Tokens[testkit.OtherStudent], topic(filter))
		return c
	}
	real := subscribe("timezone = 'America/New_York'")
	wrong := subscribe("timezone = 'Europe/Paris'")
	realBool := subscribe("allowDirectMessages = true")
	control := subscribe("name != ''")

	student, err := app.FindRecordById(collections.Users, testkit.IdStudent)
	if err != nil {
		t.Fatal(err)
	}
	student.Set(collections.UserName, "Sam Renamed")
	if err := app.Save(student); err != nil {
		t.Fatal(err)
	}
	ev := control.ExpectEvent(t, topic("name != ''"), 2*time.Second)
	if _, leaked := ev.Record[collections.UserTimezone]; leaked {
		t.Errorf("another user's event carries the timezone: %v", ev.Record)
	}
	real.ExpectNoEvent(t, 300*time.Millisecond)
	wrong.ExpectNoEvent(t, 10*time.Millisecond)
	realBool.ExpectNoEvent(t, 10*time.Millisecond)
}

// TestHiddenUserSettingsStayTheirs: Hidden in the schema, a user's own
// settings are still set at sign-up and changed by the user (JSON and
// multipart), shown to them and to nobody else.
func TestHiddenUserSettingsStayTheirs(t *testing.T) {
	t.Parallel()
	app := testkit.NewRushApp(t)
	srv := testkit.StartServer(t, app)

	var created map[string]any
	status := testkit.ApiRequest(t, srv.URL, http.MethodPost, testkit.RecordsURL(collections.Users), "", map[string]any{
		"email": "kim@studyhall.test", "password": "password123", "passwordConfirm": "password123",
		"name": "Kim", "timezone": "Asia/Kolkata", "allowDirectMessages": false,
	}, &created)
	if status != http.StatusOK {
		t.Fatalf("sign-up: %d %v", status, created)
	}
	kim, err := app.FindRecordById(collections.Users, created["id"].(string))
	if err != nil {
		t.Fatal(err)
	}
	if kim.GetString(collections.UserTimezone) != "Asia/Kolkata" || kim.GetBool(collections.UserAllowDirectMessages) {
		t.Errorf("sign-up stored timezone %q, allowDirectMessages %v", kim.GetString(collections.UserTimezone), kim.GetBool(collections.UserAllowDirectMessages))
	}

	var own map[string]any
	status = testkit.ApiRequest(t, srv.URL, http.MethodPatch, testkit.RecordsURL(collections.Users, testkit.IdStudent), testkit.Tokens[testkit.Student],
		map[string]any{"timezone": "Europe/Paris", "allowDirectMessages": false}, &own)
	if status != http.StatusOK || own["timezone"] != "Europe/Paris" || own["allowDirectMessages"] != false {
		t.Errorf("own update: %d %v", status, own)
	}

	// the JS SDK sends FormData when a file goes with the fields
	var form bytes.Buffer
	w := multipart.NewWriter(&form)
	w.WriteField("timezone", "Asia/Tokyo")
	w.WriteField("allowDirectMessages", "true")
	w.Close()
	req, _ := http.NewRequest(http.MethodPatch, srv.URL+testkit.RecordsURL(collections.Users, testkit.IdStudent), &form)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Authorization", testkit.Tokens[testkit.Student])
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.Contains(string(raw), `"timezone":"Asia/Tokyo"`) || !strings.Contains(string(raw), `"allowDirectMessages":true`) {
		t.Errorf("multipart update: %d %s", res.StatusCode, raw)
	}

	var seen map[string]any
	testkit.ApiRequest(t, srv.URL, http.MethodGet, testkit.RecordsURL(collections.Users, testkit.IdStudent), testkit.Tokens[testkit.OtherStudent], nil, &seen)
	if _, leaked := seen["timezone"]; leaked || seen["allowDirectMessages"] != nil {
		t.Errorf("another user sees the settings: %v", seen)
	}
	if status := testkit.ApiRequest(t, srv.URL, http.MethodPatch, testkit.RecordsURL(collections.Users, testkit.IdStudent), testkit.Tokens[testkit.OtherStudent],
		map[string]any{"timezone": "UTC"}, nil); status != http.StatusNotFound {
		t.Errorf("another user's update: %d", status)
	}
	stored, _ := app.FindRecordById(collections.Users, testkit.IdStudent)
	if stored.GetString(collections.UserTimezone) != "Asia/Tokyo" {
		t.Errorf("stored timezone %q", stored.GetString(collections.UserTimezone))
	}
}
