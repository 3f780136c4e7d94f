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
	"studyhall/hooks"
	"studyhall/presence"
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
	others := []string{guest, otherStudent, instructor, otherInstructor}
	nobody := []string{guest, student, otherStudent, instructor, otherInstructor}
	return []hiddenField{
		// the student's own settings
		{collections.Users, collections.UserTimezone, idStudent, others},
		{collections.Users, collections.UserAllowDirectMessages, idStudent, others},
		// the student is invisible, with an activity set
		{collections.Presence, collections.PresenceManualStatus, "prsstudent00001", others},
		{collections.Presence, collections.PresenceActivity, "prsstudent00001", others},
		// notes of a completed visit, not shared
		{collections.OfficeHoursQueue, collections.QueueInstructorNotes, queueEntry, []string{guest, student, otherStudent, otherInstructor}},
		// the server's own bookkeeping
		{collections.LiveSessions, collections.LiveSessionReminderSentFor, idSessionPublic, nobody},
		{collections.ChatRooms, collections.ChatRoomDirectKey, directRoom, nobody},
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
	status := apiRequest(t, baseURL, http.MethodGet, recordsURL(collection)+"?"+query.Encode(), tokens[actor], nil, &body)
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
	app := newRushApp(t)
	seedLiveSessions(t, app)
	srv := startServer(t, app)

	// the student: invisible, with an activity; the other instructor
	// online, so that sorting has two values to order
	if _, err := saveRecord(app, collections.Presence, "prsstudent00001", map[string]any{
		"user": idStudent, "status": presence.Offline, "manualStatus": presence.ManualInvisible,
		"activity": "Other things", "lastSeen": types.NowDateTime().Add(-time.Hour),
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := saveRecord(app, collections.Presence, "prsotherins0001", map[string]any{
		"user": idOtherInstructor, "status": presence.Online, "activity": "Grading", "lastSeen": types.NowDateTime(),
	}); err != nil {
		t.Fatal(err)
	}
	// a visit the instructor took notes on, without sharing them
	slot := createOfficeHours(t, app, idInstructor, slotDay, "06:00", "07:00", collections.OfficeHoursManualOpen)
	status, entry, apiErr := joinQueue(t, srv.URL, tokens[student], slot.Id, "Factoring")
	if status != http.StatusOK {
		t.Fatalf("join: %d %v", status, apiErr)
	}
	queueEntry := entry["id"].(string)
	for _, step := range []struct {
		action string
		body   any
	}{{"admit", nil}, {"complete", map[string]any{"instructorNotes": "dyscalculia; go slowly"}}} {
		if status, _, apiErr := entryAction(t, srv.URL, tokens[instructor], queueEntry, step.action, step.body); status != http.StatusOK {
			t.Fatalf("%s: %d %v", step.action, status, apiErr)
		}
	}
	// a reminder the job recorded; a direct room
	if _, err := app.DB().NewQuery("UPDATE {{live_sessions}} SET [[reminderSentFor]] = [[scheduledStart]] WHERE [[id]] = {:id}").
		Bind(map[string]any{"id": idSessionPublic}).Execute(); err != nil {
		t.Fatal(err)
	}
	var room map[string]any
	if status := apiRequest(t, srv.URL, http.MethodPost, "/api/chat/direct", tokens[student], map[string]any{"userId": idInstructor}, &room); status != http.StatusOK {
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
		if got := listAs(t, srv.URL, row.collection, superuser, eq(real)); !slices.Contains(got.Ids, row.target) {
			t.Errorf("%s: a superuser's filter on the real value misses %s: %+v", row.key(), row.target, got)
		}
		if got := listAs(t, srv.URL, row.collection, superuser, eq(wrong)); slices.Contains(got.Ids, row.target) {
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
	app := newRushApp(t)
	srv := startServer(t, app)

	topic := func(filter string) string {
		options, _ := json.Marshal(map[string]any{"query": map[string]any{"filter": filter}})
		return "users/" + idStudent + "?options=" + url.QueryEscape(string(options))
	}
	subscribe := func(filter string) *realtimeClient {
		c := connectRealtime(t, srv.URL)
		c.subscribe(t, tokens[otherStudent], topic(filter))
		return c
	}
	real := subscribe("timezone = 'America/New_York'")
	wrong := subscribe("timezone = 'Europe/Paris'")
	realBool := subscribe("allowDirectMessages = true")
	control := subscribe("name != ''")

	student, err := app.FindRecordById(collections.Users, idStudent)
	if err != nil {
		t.Fatal(err)
	}
	student.Set(collections.UserName, "Sam Renamed")
	if err := app.Save(student); err != nil {
		t.Fatal(err)
	}
	ev := control.expectEvent(t, topic("name != ''"), 2*time.Second)
	if _, leaked := ev.Record[collections.UserTimezone]; leaked {
		t.Errorf("another user's event carries the timezone: %v", ev.Record)
	}
	real.expectNoEvent(t, 300*time.Millisecond)
	wrong.expectNoEvent(t, 10*time.Millisecond)
	realBool.expectNoEvent(t, 10*time.Millisecond)
}

// TestHiddenUserSettingsStayTheirs: Hidden in the schema, a user's own
// settings are still set at sign-up and changed by the user (JSON and
// multipart), shown to them and to nobody else.
func TestHiddenUserSettingsStayTheirs(t *testing.T) {
	t.Parallel()
	app := newRushApp(t)
	srv := startServer(t, app)

	var created map[string]any
	status := apiRequest(t, srv.URL, http.MethodPost, recordsURL(collections.Users), "", map[string]any{
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
	status = apiRequest(t, srv.URL, http.MethodPatch, recordsURL(collections.Users, idStudent), tokens[student],
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
	req, _ := http.NewRequest(http.MethodPatch, srv.URL+recordsURL(collections.Users, idStudent), &form)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Authorization", tokens[student])
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
	apiRequest(t, srv.URL, http.MethodGet, recordsURL(collections.Users, idStudent), tokens[otherStudent], nil, &seen)
	if _, leaked := seen["timezone"]; leaked || seen["allowDirectMessages"] != nil {
		t.Errorf("another user sees the settings: %v", seen)
	}
	if status := apiRequest(t, srv.URL, http.MethodPatch, recordsURL(collections.Users, idStudent), tokens[otherStudent],
		map[string]any{"timezone": "UTC"}, nil); status != http.StatusNotFound {
		t.Errorf("another user's update: %d", status)
	}
	stored, _ := app.FindRecordById(collections.Users, idStudent)
	if stored.GetString(collections.UserTimezone) != "Asia/Tokyo" {
		t.Errorf("stored timezone %q", stored.GetString(collections.UserTimezone))
	}
}

// presenceRowAs is userId's presence row as actor reads it over REST.
func presenceRowAs(t *testing.T, baseURL, actor, userId string) map[string]any {
	t.Helper()
	var body struct {
		Items []map[string]any `json:"items"`
	}
	path := recordsURL(collections.Presence) + "?filter=" + url.QueryEscape("user = '"+userId+"'")
	if status := apiRequest(t, baseURL, http.MethodGet, path, tokens[actor], nil, &body); status != http.StatusOK || len(body.Items) != 1 {
		t.Fatalf("presence of %s as %s: %d %v", userId, actor, status, body.Items)
	}
	return body.Items[0]
}

// drainEvents reads and drops c's events for d.
func drainEvents(c *realtimeClient, d time.Duration) {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if _, ok := c.nextEvent(time.Until(deadline)); !ok {
			return
		}
	}
}

// TestPresenceInvisibleIsSilent: an invisible user's heartbeats, activity
// changes and tabs send others nothing for 10 s, and their row reads the
// same to others before and after, as one who went offline when they
// turned invisible. A user already offline turns invisible without an
// event. Coming back is coming online.
func TestPresenceInvisibleIsSilent(t *testing.T) {
	t.Parallel()
	app := newRushApp(t)
	// the subscribers are online themselves and must stay so, not away
	cfg := fastPresence
	cfg.AwayAfter = time.Minute
	hooks.PresenceConfig(app, cfg)
	srv := startServer(t, app)

	// two signed-in subscribers, as the web app subscribes
	observers := []*realtimeClient{connectRealtime(t, srv.URL), connectRealtime(t, srv.URL)}
	observers[0].subscribe(t, tokens[otherStudent], "presence/*")
	observers[1].subscribe(t, tokens[instructor], "presence/*")
	readers := []string{otherStudent, instructor}
	put := func(actor string, body map[string]any) {
		t.Helper()
		if status := apiRequest(t, srv.URL, http.MethodPut, "/api/presence/status", tokens[actor], body, nil); status != http.StatusOK {
			t.Fatalf("status %v as %s: %d", body, actor, status)
		}
	}
	beat := func(actor string, body map[string]any) {
		t.Helper()
		if status := apiRequest(t, srv.URL, http.MethodPost, "/api/presence/heartbeat", tokens[actor], body, nil); status != http.StatusOK {
			t.Fatalf("heartbeat as %s: %d", actor, status)
		}
	}

	// already offline, then invisible: no event at all
	beat(otherInstructor, map[string]any{"active": true})
	for _, o := range observers {
		waitPresence(t, o, idOtherInstructor, presence.Online, 2*time.Second)
		waitPresence(t, o, idOtherInstructor, presence.Offline, 2*time.Second)
	}
	for _, o := range observers {
		drainEvents(o, 200*time.Millisecond) // the subscribers' own presence
	}
	before := presenceRowAs(t, srv.URL, otherStudent, idOtherInstructor)
	put(otherInstructor, map[string]any{"status": "invisible", "activity": "Hiding"})
	for _, o := range observers {
		o.expectNoEvent(t, 500*time.Millisecond)
	}
	if after := presenceRowAs(t, srv.URL, otherStudent, idOtherInstructor); !reflect.DeepEqual(before, after) {
		t.Errorf("an offline user turning invisible changed their row\nbefore %v\n after %v", before, after)
	}

	// online, then invisible: one offline event, like going offline
	tab := connectRealtime(t, srv.URL)
	tab.subscribe(t, tokens[student], "presence/*")
	for _, o := range observers {
		waitPresence(t, o, idStudent, presence.Online, 2*time.Second)
	}
	time.Sleep(time.Second) // so that the moment they hide is not the moment they came
	hid := time.Now()
	put(student, map[string]any{"status": "invisible", "activity": "Secret plan"})
	for _, o := range observers {
		rec := waitPresence(t, o, idStudent, presence.Offline, 2*time.Second)
		if _, leaked := rec["activity"]; leaked {
			t.Errorf("the offline event carries the activity: %v", rec)
		}
		if lastSeen, err := types.ParseDateTime(rec["lastSeen"]); err != nil || lastSeen.Time().Before(hid.Add(-50*time.Millisecond)) {
			t.Errorf("lastSeen %v, want the moment they turned invisible (%s)", rec["lastSeen"], hid.UTC())
		}
	}
	snapshot := map[string]map[string]any{}
	for _, r := range readers {
		snapshot[r] = presenceRowAs(t, srv.URL, r, idStudent)
	}

	// 10 s of heartbeats, activity changes and a second tab
	deadline := time.Now().Add(10 * time.Second)
	for i := 0; time.Now().Before(deadline); i++ {
		switch i % 4 {
		case 0:
			beat(student, map[string]any{"active": true, "activity": fmt.Sprintf("Reading %d", i)})
		case 1:
			put(student, map[string]any{"status": "invisible", "activity": fmt.Sprintf("Writing %d", i)})
		case 2:
			beat(student, map[string]any{"active": false})
		case 3:
			second := connectRealtime(t, srv.URL)
			second.subscribe(t, tokens[student], "presence/*")
			time.Sleep(100 * time.Millisecond)
			second.close()
		}
		time.Sleep(500 * time.Millisecond)
	}
	for _, o := range observers {
		o.expectNoEvent(t, 2*cfg.OfflineAfter)
	}
	for _, r := range readers {
		if after := presenceRowAs(t, srv.URL, r, idStudent); !reflect.DeepEqual(snapshot[r], after) {
			t.Errorf("the invisible user's row changed for %s\nbefore %v\n after %v", r, snapshot[r], after)
		}
	}
	var own map[string]any
	apiRequest(t, srv.URL, http.MethodPut, "/api/presence/status", tokens[student], map[string]any{"status": "invisible"}, &own)
	if own["manualStatus"] != presence.ManualInvisible || own["activity"] == nil {
		t.Errorf("the user's own row: %v", own)
	}

	// back: online again, with a fresh lastSeen
	put(student, map[string]any{"status": "online"})
	for i, o := range observers {
		rec := waitPresence(t, o, idStudent, presence.Online, 2*time.Second)
		if rec["lastSeen"] == snapshot[readers[i]]["lastSeen"] {
			t.Errorf("back online with the lastSeen of the moment they hid: %v", rec["lastSeen"])
		}
	}
}

// TestPresenceStatusRateLimit: a burst of status changes gets 429
// rate_limited with Retry-After, while another user goes on.
func TestPresenceStatusRateLimit(t *testing.T) {
	t.Parallel()
	app := newRushApp(t)
	srv := startServer(t, app)

	send := func(actor string) (*http.Response, map[string]any) {
		req, _ := http.NewRequest(http.MethodPut, srv.URL+"/api/presence/status", strings.NewReader(`{"status":"busy"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", tokens[actor])
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var body map[string]any
		json.NewDecoder(res.Body).Decode(&body)
		return res, body
	}
	var limited *http.Response
	var limitedBody map[string]any
	for range 30 {
		if res, body := send(student); res.StatusCode == http.StatusTooManyRequests {
			limited, limitedBody = res, body
			break
		}
	}
	if limited == nil {
		t.Fatal("30 status changes at once were all accepted")
	}
	if retry, err := strconv.Atoi(limited.Header.Get("Retry-After")); err != nil || retry < 1 {
		t.Errorf("Retry-After %q", limited.Header.Get("Retry-After"))
	}
	if data, _ := limitedBody["data"].(map[string]any); data["code"] != "rate_limited" {
		t.Errorf("429 body %v", limitedBody)
	}
	if res, _ := send(otherStudent); res.StatusCode != http.StatusOK {
		t.Errorf("another user: %d", res.StatusCode)
	}
}

// TestUserSearchExcludeGroupPrivacy: excludeGroup filters only for a
// caller who may list the group's members; an invitee of a private group
// gets exactly the answer of a group that does not exist.
func TestUserSearchExcludeGroupPrivacy(t *testing.T) {
	t.Parallel()
	app := studyGroupApp(t)
	t.Cleanup(app.Cleanup)
	app.Settings().RateLimits.Enabled = false
	srv := startServer(t, app)

	get := func(userId, query string) (int, string) {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/api/users/search?"+query, nil)
		req.Header.Set("Authorization", tokens[userId])
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		raw, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(raw)
	}

	// the invitee can view the private group but not list its members
	if status, _ := get(idDroppedStudent, "q=in"); status != http.StatusOK {
		t.Fatalf("search: %d", status)
	}
	for _, q := range []string{"in", "sam", "ada"} {
		privateStatus, privateBody := get(idDroppedStudent, "q="+q+"&excludeGroup="+idPrivateGroup)
		noneStatus, noneBody := get(idDroppedStudent, "q="+q+"&excludeGroup=sgnosuchgroup01")
		if privateStatus != noneStatus || privateBody != noneBody {
			t.Errorf("q=%s: the invitee tells the private group from a missing one\n  private: %d %s\n  missing: %d %s",
				q, privateStatus, privateBody, noneStatus, noneBody)
		}
	}

	// a member gets the filtered answer
	_, all := get(idInstructor, "q=sam")
	_, filtered := get(idInstructor, "q=sam&excludeGroup="+idPrivateGroup)
	if !strings.Contains(all, idStudent) || strings.Contains(filtered, idStudent) {
		t.Errorf("a member's excludeGroup: without %s, with %s", all, filtered)
	}
	// and so does anyone for a public group
	_, public := get(idDroppedStudent, "q=olive&excludeGroup="+idPublicGroup)
	if strings.TrimSpace(public) != `{"items":[]}` {
		t.Errorf("public group: %s", public)
	}
}
