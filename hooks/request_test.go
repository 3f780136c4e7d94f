package hooks_test

// Over 400 lines: one table of every custom route and its bodies, which the completeness test checks whole.

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"
	"github.com/pocketbase/pocketbase/tools/router"

	"studyhall/chat"
	"studyhall/collections"
	"studyhall/emails"
	"studyhall/testkit"
)

// The body table: every custom route, every kind of bad body. Each route
// runs in its own app whose fixtures let the route succeed (the control
// request at the end must pass, and write where the route writes), so a
// route that skipped a check would show up as a write or a 2xx.

// bodyFixtures are the ids the routes of the table act on.
type bodyFixtures struct {
	room, message, notification string
	openSlot, closedSlot        string
	unsubscribeToken            string
}

// seedBodyFixtures makes every fixture a custom route needs to succeed.
func seedBodyFixtures(t testing.TB, app *tests.TestApp) bodyFixtures {
	t.Helper()
	testkit.SeedLiveSessions(t, app)
	testkit.SeatAttendee(t, app, "lsastudentlive1", testkit.IdSessionLive, testkit.IdStudent)
	testkit.SeedStudyGroupFixtures(t, app)

	room, err := chat.CreateRoom(app, chat.NewRoom{
		Name: "Algebra I", Type: collections.ChatRoomTypeGroup, CreatedBy: testkit.IdInstructor,
		Participants: []string{testkit.IdStudent, testkit.IdInstructor},
	})
	if err != nil {
		t.Fatal(err)
	}
	message, err := testkit.SaveRecord(app, collections.ChatMessages, "msgstudent00001", map[string]any{
		"room": room.Id, "sender": testkit.IdStudent, "body": "Hello, everyone.",
	})
	if err != nil {
		t.Fatal(err)
	}
	notification := testkit.AddNotification(t, app, testkit.IdStudent, collections.TypeNewLesson, collections.PriorityNormal,
		"New lesson: Quadratics", collections.EmailModeNone, time.Time{}, nil)

	secret, err := emails.UnsubscribeSecret(app)
	if err != nil {
		t.Fatal(err)
	}
	token, err := emails.SignUnsubscribeToken(secret, testkit.IdStudent, "all", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	// two students waiting in the open slot, for a grouped admit
	openSlot := testkit.CreateOfficeHours(t, app, testkit.IdInstructor, testkit.SlotDay, "08:00", "09:00", collections.OfficeHoursManualOpen).Id
	for i, studentId := range []string{testkit.IdOtherStudent, testkit.IdDroppedStudent} {
		if _, err := testkit.SaveRecord(app, collections.OfficeHoursQueue, groupEntryIds[i], map[string]any{
			collections.QueueOfficeHours: openSlot, collections.QueueInstructor: testkit.IdInstructor, collections.QueueStudent: studentId,
			collections.QueueStatus: collections.QueueWaiting, collections.QueuePosition: i + 1,
		}); err != nil {
			t.Fatal(err)
		}
	}
	return bodyFixtures{
		room:             room.Id,
		message:          message.Id,
		notification:     notification.Id,
		openSlot:         openSlot,
		closedSlot:       testkit.CreateOfficeHours(t, app, testkit.IdInstructor, testkit.SlotDay, "09:00", "10:00", collections.OfficeHoursManualClosed).Id,
		unsubscribeToken: token,
	}
}

// groupEntryIds are the waiting entries of the open slot that a grouped
// admit takes in.
var groupEntryIds = []string{"ohqgroupentry01", "ohqgroupentry02"}

// bodyRoute is one custom route of the table.
type bodyRoute struct {
	// actor is the user id whose token the requests carry ("" for none).
	actor string
	// path is the concrete path (with query) once the fixtures exist;
	// it may prepare state through the API (a queue entry to admit).
	path func(t testing.TB, baseURL string, f bodyFixtures) string
	// valid is the body of the control request: "" for none.
	valid string
	// invalid are bodies this route's form refuses (wrong types, missing
	// or bad values), each sent as application/json.
	invalid []string
	// form marks the unsubscribe routes, which take a form body.
	form bool
	// writes says the control request changes the database.
	writes bool
}

// fixed is a path that needs no preparation.
func fixed(format string, ids ...func(bodyFixtures) string) func(testing.TB, string, bodyFixtures) string {
	return func(_ testing.TB, _ string, f bodyFixtures) string {
		args := make([]any, len(ids))
		for i, id := range ids {
			args[i] = id(f)
		}
		return fmt.Sprintf(format, args...)
	}
}

func fxRoom(f bodyFixtures) string         { return f.room }
func fxMessage(f bodyFixtures) string      { return f.message }
func fxNotification(f bodyFixtures) string { return f.notification }
func fxOpenSlot(f bodyFixtures) string     { return f.openSlot }
func fxClosedSlot(f bodyFixtures) string   { return f.closedSlot }
func fxUnsubscribe(f bodyFixtures) string  { return url.QueryEscape(f.unsubscribeToken) }

// queueEntry joins the open slot as the student (and admits the entry when
// admitted is set) and returns the path of action on the entry.
func queueEntry(action string, admitted bool) func(testing.TB, string, bodyFixtures) string {
	return func(t testing.TB, baseURL string, f bodyFixtures) string {
		status, entry, apiErr := testkit.JoinQueue(t, baseURL, testkit.Tokens[testkit.Student], f.openSlot, "A question.")
		if status != http.StatusOK {
			t.Fatalf("join the queue: %d %v", status, apiErr)
		}
		id, _ := entry["id"].(string)
		if admitted {
			if status, _, apiErr := testkit.EntryAction(t, baseURL, testkit.Tokens[testkit.Instructor], id, "admit", nil); status != http.StatusOK {
				t.Fatalf("admit: %d %v", status, apiErr)
			}
		}
		return "/api/office-hours/queue/" + id + "/" + action
	}
}

// calendarFeed is the path of the student's calendar feed, as GET
// /api/calendar/token gives it.
func calendarFeed(t testing.TB, baseURL string, _ bodyFixtures) string {
	var answer struct {
		URL string `json:"url"`
	}
	if status := testkit.ApiRequest(t, baseURL, http.MethodGet, "/api/calendar/token", testkit.Tokens[testkit.Student], nil, &answer); status != http.StatusOK {
		t.Fatalf("calendar token: %d", status)
	}
	i := strings.Index(answer.URL, "/api/calendar/")
	if i < 0 {
		t.Fatalf("calendar feed URL %q", answer.URL)
	}
	return answer.URL[i:]
}

// pausedSlot pauses the open slot as the instructor and returns the path
// of action on it.
func pausedSlot(action string) func(testing.TB, string, bodyFixtures) string {
	return func(t testing.TB, baseURL string, f bodyFixtures) string {
		if status, _, apiErr := testkit.QueueCall(t, baseURL, testkit.Tokens[testkit.Instructor], "/api/office-hours/"+f.openSlot+"/pause", nil); status != http.StatusOK {
			t.Fatalf("pause: %d %v", status, apiErr)
		}
		return "/api/office-hours/" + f.openSlot + "/" + action
	}
}

// wrongTypes are bodies giving field each JSON type but its own, plus null.
func wrongTypes(field string, except string) []string {
	var out []string
	for kind, value := range map[string]string{"string": `"x"`, "number": `5`, "bool": `true`, "array": `["x"]`, "object": `{"a":1}`} {
		if kind != except {
			out = append(out, `{"`+field+`":`+value+`}`)
		}
	}
	sort.Strings(out)
	return out
}

// customRoutes is every custom route, by its router pattern.
func customRoutes() map[string]bodyRoute {
	required := func(field string) []string {
		return []string{``, `{}`, `{"` + field + `":null}`, `{"` + field + `":""}`}
	}
	return map[string]bodyRoute{
		// calendar
		"GET /api/live-sessions/{id}/ics": {actor: testkit.IdStudent, path: fixed(testkit.SessionURL(testkit.IdSessionScheduled, "ics"))},
		"GET /api/calendar/{feed}":        {path: calendarFeed},
		"GET /api/calendar/token":         {actor: testkit.IdStudent, path: fixed("/api/calendar/token")},
		"POST /api/calendar/token":        {actor: testkit.IdStudent, path: fixed("/api/calendar/token"), writes: true},

		// chat
		"POST /api/chat/direct": {actor: testkit.IdStudent, path: fixed("/api/chat/direct"),
			valid: `{"userId":"` + testkit.IdInstructor + `"}`, writes: true,
			invalid: append(required("userId"), wrongTypes("userId", "string")...)},
		"POST /api/chat/messages/{id}/delete": {actor: testkit.IdStudent, path: fixed("/api/chat/messages/%s/delete", fxMessage), writes: true},
		"POST /api/chat/rooms/{id}/read":      {actor: testkit.IdStudent, path: fixed("/api/chat/rooms/%s/read", fxRoom), writes: true},
		"POST /api/chat/rooms/{id}/typing": {actor: testkit.IdStudent, path: fixed("/api/chat/rooms/%s/typing", fxRoom),
			valid:   `{"typing":true}`,
			invalid: append([]string{``, `{}`, `{"typing":null}`}, wrongTypes("typing", "bool")...)},
		"GET /api/chat/rooms/{id}/moderation": {actor: testkit.IdStudent, path: fixed("/api/chat/rooms/%s/moderation", fxRoom)},
		"GET /api/chat/unread":                {actor: testkit.IdStudent, path: fixed("/api/chat/unread")},

		// email (form bodies)
		"GET /api/email/unsubscribe": {path: fixed(emails.UnsubscribePath+"?token=%s", fxUnsubscribe), form: true},
		"POST /api/email/unsubscribe": {path: fixed(emails.UnsubscribePath+"?token=%s", fxUnsubscribe), form: true,
			valid: "List-Unsubscribe=One-Click", writes: true},

		// live sessions
		"POST /api/live-sessions/{id}/join": {actor: testkit.IdStudent, path: fixed(testkit.SessionURL(testkit.IdSessionScheduled, "join")),
			valid: `{"waitlist":true}`, writes: true, invalid: wrongTypes("waitlist", "bool")},
		"GET /api/live-sessions/{id}/attendance.csv": {actor: testkit.IdInstructor, path: fixed(testkit.SessionURL(testkit.IdSessionLive, "attendance.csv"))},
		"GET /api/courses/{id}/attendance.csv":       {actor: testkit.IdInstructor, path: fixed("/api/courses/" + testkit.IdCourse + "/attendance.csv")},
		"POST /api/live-sessions/{id}/leave":         {actor: testkit.IdStudent, path: fixed(testkit.SessionURL(testkit.IdSessionLive, "leave")), writes: true},
		"POST /api/live-sessions/{id}/start":         {actor: testkit.IdInstructor, path: fixed(testkit.SessionURL(testkit.IdSessionScheduled, "start")), writes: true},
		"POST /api/live-sessions/{id}/end":           {actor: testkit.IdInstructor, path: fixed(testkit.SessionURL(testkit.IdSessionLive, "end")), writes: true},
		"POST /api/live-sessions/{id}/cancel":        {actor: testkit.IdInstructor, path: fixed(testkit.SessionURL(testkit.IdSessionScheduled, "cancel")), writes: true},
		"GET /api/live-sessions/{id}/attendees":      {actor: testkit.IdStudent, path: fixed(testkit.SessionURL(testkit.IdSessionLive, "attendees"))},

		// notifications
		"GET /api/notifications/unread-count": {actor: testkit.IdStudent, path: fixed("/api/notifications/unread-count")},
		"GET /api/notifications/types":        {actor: testkit.IdStudent, path: fixed("/api/notifications/types")},
		"POST /api/notifications/read-all":    {actor: testkit.IdStudent, path: fixed("/api/notifications/read-all"), writes: true},
		"POST /api/notifications/seen": {actor: testkit.IdStudent, path: fixed("/api/notifications/seen"), writes: true,
			valid: `{"ids":[]}`, invalid: append([]string{`{"ids":["` + strings.Repeat("x", 16) + `"]}`}, wrongTypes("ids", "array")...)},
		"POST /api/notifications/test": {actor: testkit.IdStudent, path: fixed("/api/notifications/test"),
			valid: `{"priority":"high"}`, writes: true,
			invalid: append([]string{`{"priority":"extreme"}`}, wrongTypes("priority", "string")...)},
		"POST /api/notifications/{id}/read":    {actor: testkit.IdStudent, path: fixed("/api/notifications/%s/read", fxNotification), writes: true},
		"POST /api/notifications/{id}/archive": {actor: testkit.IdStudent, path: fixed("/api/notifications/%s/archive", fxNotification), writes: true},

		// office hours
		"POST /api/office-hours/{id}/open":  {actor: testkit.IdInstructor, path: fixed("/api/office-hours/%s/open", fxClosedSlot), writes: true},
		"POST /api/office-hours/{id}/close": {actor: testkit.IdInstructor, path: fixed("/api/office-hours/%s/close", fxOpenSlot), writes: true},
		"POST /api/office-hours/{id}/queue": {actor: testkit.IdStudent, path: fixed("/api/office-hours/%s/queue", fxOpenSlot),
			valid: `{"question":"How do I factor x^2 - 1?"}`, writes: true,
			invalid: append([]string{`{"question":"` + strings.Repeat("x", collections.MaxQuestionLength+1) + `"}`},
				wrongTypes("question", "string")...)},
		"POST /api/office-hours/queue/{entryId}/admit": {actor: testkit.IdInstructor, path: queueEntry("admit", false), writes: true},
		"POST /api/office-hours/queue/{entryId}/complete": {actor: testkit.IdInstructor, path: queueEntry("complete", true),
			valid: `{"instructorNotes":"Went well.","notesShared":true}`, writes: true,
			invalid: append(wrongTypes("instructorNotes", "string"), wrongTypes("notesShared", "bool")...)},
		"POST /api/office-hours/queue/{entryId}/cancel": {actor: testkit.IdStudent, path: queueEntry("cancel", false), writes: true},
		"POST /api/office-hours/queue/{entryId}/question": {actor: testkit.IdStudent, path: queueEntry("question", false),
			valid: `{"question":"How do I factor x^3 - 1?"}`, writes: true,
			invalid: append([]string{``, `{}`, `{"question":null}`, `{"question":"` + strings.Repeat("x", collections.MaxQuestionLength+1) + `"}`},
				wrongTypes("question", "string")...)},
		"POST /api/office-hours/{id}/pause":  {actor: testkit.IdInstructor, path: fixed("/api/office-hours/%s/pause", fxOpenSlot), writes: true},
		"POST /api/office-hours/{id}/resume": {actor: testkit.IdInstructor, path: pausedSlot("resume"), writes: true},
		"POST /api/office-hours/{id}/announce": {actor: testkit.IdInstructor, path: fixed("/api/office-hours/%s/announce", fxOpenSlot),
			valid: `{"message":"Back in 5 minutes."}`, writes: true,
			invalid: append(append(required("message"), `{"message":"\u200b "}`, `{"message":"`+strings.Repeat("x", collections.MaxAnnouncementLength+1)+`"}`),
				wrongTypes("message", "string")...)},
		"POST /api/office-hours/{id}/admit-group": {actor: testkit.IdInstructor, path: fixed("/api/office-hours/%s/admit-group", fxOpenSlot),
			valid: `{"entryIds":["` + strings.Join(groupEntryIds, `","`) + `"]}`, writes: true,
			invalid: append(append(required("entryIds"), `{"entryIds":[]}`, `{"entryIds":["`+groupEntryIds[0]+`"]}`,
				`{"entryIds":["`+groupEntryIds[0]+`","`+groupEntryIds[0]+`"]}`, `{"entryIds":["`+groupEntryIds[0]+`",""]}`, `{"entryIds":["a",5]}`),
				wrongTypes("entryIds", "array")...)},

		// presence
		"POST /api/presence/heartbeat": {actor: testkit.IdStudent, path: fixed("/api/presence/heartbeat"),
			valid: `{"activity":"Reading","active":true}`, writes: true,
			invalid: append([]string{`{"activity":"` + strings.Repeat("x", collections.MaxActivityLength+1) + `"}`},
				append(wrongTypes("activity", "string"), wrongTypes("active", "bool")...)...)},
		"PUT /api/presence/status": {actor: testkit.IdStudent, path: fixed("/api/presence/status"),
			valid: `{"status":"busy","activity":"Marking"}`, writes: true,
			invalid: append(append(required("status"), `{"status":"asleep"}`), wrongTypes("status", "string")...)},
		"GET /api/presence/online": {actor: testkit.IdStudent, path: fixed("/api/presence/online")},

		// study groups
		"POST /api/study-groups/{id}/join":  {actor: testkit.IdOtherInstructor, path: fixed(testkit.StudyGroupURL(testkit.IdPublicGroup, "join")), writes: true},
		"POST /api/study-groups/{id}/leave": {actor: testkit.IdInstructor, path: fixed(testkit.StudyGroupURL(testkit.IdPrivateGroup, "leave")), writes: true},
		"POST /api/study-groups/{id}/invite": {actor: testkit.IdStudent, path: fixed(testkit.StudyGroupURL(testkit.IdPrivateGroup, "invite")),
			valid: `{"userId":"` + testkit.IdOtherStudent + `"}`, writes: true,
			invalid: append(required("userId"), wrongTypes("userId", "string")...)},
		"POST /api/study-groups/{id}/members/{userId}/role": {actor: testkit.IdStudent,
			path:  fixed(testkit.StudyGroupURL(testkit.IdPrivateGroup, "members/"+testkit.IdInstructor+"/role")),
			valid: `{"role":"admin"}`, writes: true,
			invalid: append(append(required("role"), `{"role":"owner"}`), wrongTypes("role", "string")...)},
		"POST /api/study-groups/{id}/members/{userId}/remove": {actor: testkit.IdStudent,
			path: fixed(testkit.StudyGroupURL(testkit.IdPrivateGroup, "members/"+testkit.IdInstructor+"/remove")), writes: true},
		"GET /api/study-groups/{id}/online":              {actor: testkit.IdStudent, path: fixed(testkit.StudyGroupURL(testkit.IdPublicGroup, "online"))},
		"POST /api/study-group-invitations/{id}/accept":  {actor: testkit.IdDroppedStudent, path: fixed(testkit.StudyGroupInvitationURL(testkit.IdPendingInvitation, "accept")), writes: true},
		"POST /api/study-group-invitations/{id}/decline": {actor: testkit.IdDroppedStudent, path: fixed(testkit.StudyGroupInvitationURL(testkit.IdPendingInvitation, "decline")), writes: true},
		"POST /api/study-group-invitations/{id}/revoke":  {actor: testkit.IdStudent, path: fixed(testkit.StudyGroupInvitationURL(testkit.IdPendingInvitation, "revoke")), writes: true},
		"GET /api/users/search":                          {actor: testkit.IdStudent, path: fixed("/api/users/search?q=Olive")},
	}
}

// badBody is one request of the table that must be refused.
type badBody struct {
	name        string
	contentType string
	body        []byte
	chunked     bool // sent without a Content-Length
	status      int
}

const fiveMB = 5 << 20

// withField adds "key":value to a JSON object (or makes one of it).
func withField(object, key, value string) string {
	if object == "" || object == "{}" {
		return `{"` + key + `":` + value + `}`
	}
	return `{"` + key + `":` + value + `,` + object[1:]
}

// jsonBadBodies are the refusals of a JSON route whose valid body is valid.
func jsonBadBodies(valid string, invalid []string) []badBody {
	object := valid
	if object == "" {
		object = "{}"
	}
	var fields url.Values = url.Values{"a": {"1"}}
	var decoded map[string]any
	if json.Unmarshal([]byte(object), &decoded) == nil && len(decoded) > 0 {
		fields = url.Values{}
		for k, v := range decoded {
			fields.Set(k, fmt.Sprint(v))
		}
	}
	multipartType, multipartBody := multipartForm(fields)
	deep := strings.Repeat(`{"a":`, 40) + "1" + strings.Repeat("}", 40)
	deeper := strings.Repeat(`[`, 5000) + strings.Repeat(`]`, 5000)
	large := withField(object, "pad", `"`+strings.Repeat("x", fiveMB)+`"`)

	rows := []badBody{
		{name: "xml", contentType: "application/xml", body: []byte(`<a/>`)},
		{name: "xml with the JSON", contentType: "text/xml", body: []byte(object)},
		{name: "form", contentType: "application/x-www-form-urlencoded", body: []byte(fields.Encode())},
		{name: "multipart", contentType: multipartType, body: multipartBody},
		{name: "no content type", body: []byte(object)},
		{name: "text/plain", contentType: "text/plain", body: []byte(object)},
		{name: "bad content type", contentType: "application/json;;;", body: []byte(object)},
		{name: "null", contentType: "application/json", body: []byte(`null`)},
		{name: "array", contentType: "application/json", body: []byte(`[]`)},
		{name: "array of the object", contentType: "application/json", body: []byte(`[` + object + `]`)},
		{name: "string", contentType: "application/json", body: []byte(`"` + object + `"`)},
		{name: "number", contentType: "application/json", body: []byte(`42`)},
		{name: "bool", contentType: "application/json", body: []byte(`true`)},
		{name: "truncated", contentType: "application/json", body: []byte(object[:len(object)-1])},
		{name: "trailing text", contentType: "application/json", body: []byte(object + ` x`)},
		{name: "two objects", contentType: "application/json", body: []byte(object + object)},
		{name: "byte order mark", contentType: "application/json", body: []byte("\xEF\xBB\xBF" + object)},
		{name: "invalid UTF-8 value", contentType: "application/json", body: []byte(withField(object, "note", "\"\xff\xfe\""))},
		{name: "invalid UTF-8 key", contentType: "application/json", body: []byte(withField(object, "\xc3\x28", "1"))},
		{name: "NaN", contentType: "application/json", body: []byte(withField(object, "n", "NaN"))},
		{name: "deep nesting", contentType: "application/json", body: []byte(withField(object, "deep", deep))},
		{name: "deeper nesting", contentType: "application/json", body: []byte(withField(object, "deep", deeper))},
		{name: "5 MB", contentType: "application/json", body: []byte(large), status: http.StatusRequestEntityTooLarge},
		{name: "5 MB chunked", contentType: "application/json", body: []byte(large), chunked: true, status: http.StatusRequestEntityTooLarge},
		{name: "5 MB of garbage", contentType: "application/xml", body: bytes.Repeat([]byte("<"), fiveMB), status: http.StatusRequestEntityTooLarge},
	}
	for _, body := range invalid {
		rows = append(rows, badBody{name: "invalid " + body, contentType: "application/json", body: []byte(body)})
	}
	return rows
}

// formBadBodies are the refusals of the unsubscribe routes.
func formBadBodies() []badBody {
	return []badBody{
		{name: "json", contentType: "application/json", body: []byte(`{}`)},
		{name: "xml", contentType: "application/xml", body: []byte(`<a/>`)},
		{name: "no content type", body: []byte("List-Unsubscribe=One-Click")},
		{name: "text/plain", contentType: "text/plain", body: []byte("hello")},
		{name: "bad escape", contentType: "application/x-www-form-urlencoded", body: []byte("a=%zz")},
		{name: "escaped invalid UTF-8", contentType: "application/x-www-form-urlencoded", body: []byte("a=%ff%fe")},
		{name: "raw invalid UTF-8", contentType: "application/x-www-form-urlencoded", body: []byte("\xff=1")},
		{name: "multipart without boundary", contentType: "multipart/form-data", body: []byte("--x\r\n")},
		{name: "broken multipart", contentType: "multipart/form-data; boundary=x", body: []byte("--x\r\nnot a part")},
		{name: "5 MB", contentType: "application/x-www-form-urlencoded", body: []byte("a=" + strings.Repeat("x", fiveMB)), status: http.StatusRequestEntityTooLarge},
		{name: "5 MB chunked", contentType: "application/x-www-form-urlencoded", body: []byte("a=" + strings.Repeat("x", fiveMB)), chunked: true, status: http.StatusRequestEntityTooLarge},
	}
}

// multipartForm is fields as a multipart/form-data body.
func multipartForm(fields url.Values) (string, []byte) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, vs := range fields {
		for _, v := range vs {
			_ = w.WriteField(k, v)
		}
	}
	_ = w.Close()
	return w.FormDataContentType(), buf.Bytes()
}

// sendBody sends one request with a raw body and returns the answer.
func sendBody(t testing.TB, what, method, target, token, contentType string, body []byte, chunked bool) (int, http.Header, []byte) {
	t.Helper()
	var reader io.Reader
	if body != nil {
		reader = bytes.NewReader(body)
		if chunked {
			reader = io.MultiReader(reader) // no length known: sent chunked
		}
	}
	req, err := http.NewRequest(method, target, reader)
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if token != "" {
		req.Header.Set("Authorization", token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s: %s %s: %v", what, method, target, err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, raw
}

// checkAPIError fails unless the answer is PocketBase's error shape,
// {"status","message","data"}, with the given status.
func checkAPIError(t testing.TB, what string, status int, header http.Header, raw []byte, want int) {
	t.Helper()
	if status != want {
		t.Errorf("%s: status %d, want %d: %.300s", what, status, want, raw)
		return
	}
	if ct := header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("%s: content type %q, want JSON: %.300s", what, ct, raw)
		return
	}
	var body map[string]json.RawMessage
	if err := json.Unmarshal(raw, &body); err != nil {
		t.Errorf("%s: not JSON: %.300s", what, raw)
		return
	}
	var shape struct {
		Status  int            `json:"status"`
		Message string         `json:"message"`
		Data    map[string]any `json:"data"`
	}
	_ = json.Unmarshal(raw, &shape)
	if len(body) != 3 || body["status"] == nil || body["message"] == nil || body["data"] == nil ||
		shape.Status != status || shape.Data == nil || !strings.HasSuffix(shape.Message, ".") {
		t.Errorf("%s: not PocketBase's error shape: %s", what, raw)
	}
}

// dbFingerprint hashes every row of every table of the main database, per
// table, so that any write at all shows.
func dbFingerprint(t testing.TB, app core.App) map[string]string {
	t.Helper()
	var tables []string
	if err := app.DB().NewQuery("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").Column(&tables); err != nil {
		t.Fatal(err)
	}
	prints := make(map[string]string, len(tables))
	for _, table := range tables {
		var rows []dbx.NullStringMap
		if err := app.DB().Select("*").From(table).All(&rows); err != nil {
			t.Fatalf("read %s: %v", table, err)
		}
		lines := make([]string, len(rows))
		for i, row := range rows {
			raw, _ := json.Marshal(row)
			lines[i] = string(raw)
		}
		sort.Strings(lines)
		sum := sha256.Sum256([]byte(strings.Join(lines, "\n")))
		prints[table] = hex.EncodeToString(sum[:])
	}
	return prints
}

// changedTables names the tables whose fingerprint differs.
func changedTables(before, after map[string]string) []string {
	var changed []string
	for table, print := range after {
		if before[table] != print {
			changed = append(changed, table)
		}
	}
	sort.Strings(changed)
	return changed
}

// routePatterns lists "METHOD /path" of every route registered on r.
// PocketBase's router does not export its route list, so it is read by
// reflection; the test fails loudly if the router's shape changes.
func routePatterns(t testing.TB, r *router.Router[*core.RequestEvent]) []string {
	t.Helper()
	var patterns []string
	var walk func(group reflect.Value, prefix string)
	walk = func(group reflect.Value, prefix string) {
		prefix += group.FieldByName("Prefix").String()
		children := group.FieldByName("children")
		if !children.IsValid() {
			t.Fatal("router.RouterGroup has no children field: update routePatterns for this PocketBase version")
		}
		for i := range children.Len() {
			child := children.Index(i).Elem().Elem()
			if child.FieldByName("children").IsValid() {
				walk(child, prefix)
				continue
			}
			method := child.FieldByName("Method").String()
			patterns = append(patterns, strings.TrimSpace(method+" "+prefix+child.FieldByName("Path").String()))
		}
	}
	walk(reflect.ValueOf(r.RouterGroup).Elem(), "")
	return patterns
}

// TestCustomRouteTableIsComplete fails when a route is added under /api/
// that the body table does not cover.
func TestCustomRouteTableIsComplete(t *testing.T) {
	t.Parallel()
	app := testkit.NewTestApp(t)
	defer app.Cleanup()

	stock, err := apis.NewRouter(app)
	if err != nil {
		t.Fatal(err)
	}
	full, err := apis.NewRouter(app)
	if err != nil {
		t.Fatal(err)
	}
	if err := app.OnServe().Trigger(&core.ServeEvent{App: app, Router: full}, func(e *core.ServeEvent) error { return nil }); err != nil {
		t.Fatal(err)
	}
	pocketbase := routePatterns(t, stock)
	if len(pocketbase) < 20 {
		t.Fatalf("found only %d PocketBase routes: the router walk is broken", len(pocketbase))
	}
	var custom []string
	for _, pattern := range routePatterns(t, full) {
		if !slices.Contains(pocketbase, pattern) && strings.Contains(pattern, "/api/") {
			custom = append(custom, pattern)
		}
	}
	table := customRoutes()
	for _, pattern := range custom {
		if _, ok := table[pattern]; !ok {
			t.Errorf("route %s is not in the body table (customRoutes)", pattern)
		}
	}
	for pattern := range table {
		if !slices.Contains(custom, pattern) {
			t.Errorf("the body table lists %s, which is not a route", pattern)
		}
	}
}

// TestCustomRouteBodies sends every custom route every kind of bad body:
// each is refused with a 4xx in PocketBase's shape (400, or 413 when too
// large) and nothing is written; then the route's valid request succeeds.
func TestCustomRouteBodies(t *testing.T) {
	t.Parallel()
	for pattern, route := range customRoutes() {
		t.Run(pattern, func(t *testing.T) {
			t.Parallel()
			method, _, _ := strings.Cut(pattern, " ")
			app := testkit.NewRushApp(t)
			fixtures := seedBodyFixtures(t, app)
			srv := testkit.StartServer(t, app)
			app.Cron().Stop() // no job writes while rows are counted
			target := srv.URL + route.path(t, srv.URL, fixtures)
			token := testkit.Tokens[route.actor]

			rows := formBadBodies()
			if !route.form {
				rows = jsonBadBodies(route.valid, route.invalid)
			}
			before := dbFingerprint(t, app)
			for _, row := range rows {
				want := row.status
				if want == 0 {
					want = http.StatusBadRequest
				}
				status, header, raw := sendBody(t, row.name, method, target, token, row.contentType, row.body, row.chunked)
				checkAPIError(t, row.name, status, header, raw, want)
				if changed := changedTables(before, dbFingerprint(t, app)); len(changed) > 0 {
					t.Fatalf("%s: answered %d but wrote to %v", row.name, status, changed)
				}
			}

			// the control: the route's valid request succeeds
			contentType := "application/json"
			if route.form {
				contentType = "application/x-www-form-urlencoded"
			}
			var body []byte
			if route.valid != "" {
				body = []byte(route.valid)
			}
			status, _, raw := sendBody(t, "control", method, target, token, contentType, body, false)
			if status < 200 || status > 299 {
				t.Fatalf("control: status %d: %.300s", status, raw)
			}
			if changed := changedTables(before, dbFingerprint(t, app)); route.writes != (len(changed) > 0) {
				t.Fatalf("control: wrote to %v, want a write: %v", changed, route.writes)
			}
		})
	}
}

// TestNotificationsTestRateLimit: POST /api/notifications/test can queue an
// email per call, so a burst beyond the per-user limit gets a 429 with
// Retry-After and writes nothing; another user is not held back.
func TestNotificationsTestRateLimit(t *testing.T) {
	t.Parallel()
	app := testkit.NewRushApp(t)
	srv := testkit.StartServer(t, app)

	for i := range 3 {
		if status := testkit.ApiRequest(t, srv.URL, http.MethodPost, "/api/notifications/test", testkit.Tokens[testkit.Student], map[string]any{"priority": "low"}, nil); status != http.StatusOK {
			t.Fatalf("call %d of the burst: status %d", i+1, status)
		}
	}
	before := dbFingerprint(t, app)
	status, header, raw := sendBody(t, "over the limit", http.MethodPost, srv.URL+"/api/notifications/test", testkit.Tokens[testkit.Student],
		"application/json", []byte(`{"priority":"low"}`), false)
	checkAPIError(t, "over the limit", status, header, raw, http.StatusTooManyRequests)
	if !strings.Contains(string(raw), `"code":"rate_limited"`) {
		t.Errorf("429 without data.code rate_limited: %s", raw)
	}
	if retry := header.Get("Retry-After"); retry == "" || retry == "0" || len(retry) > 2 {
		t.Errorf("Retry-After %q, want a few seconds", retry)
	}
	if changed := changedTables(before, dbFingerprint(t, app)); len(changed) > 0 {
		t.Errorf("the refused call wrote to %v", changed)
	}
	if status := testkit.ApiRequest(t, srv.URL, http.MethodPost, "/api/notifications/test", testkit.Tokens[testkit.OtherStudent], nil, nil); status != http.StatusOK {
		t.Errorf("another user: status %d, want 200", status)
	}
}

// TestInvisibleTextRefused: a required name or a chat message with nothing
// visible in it (zero-width characters, bidi controls, spaces) is refused
// with a field error; bidi controls are removed from text that stays.
func TestInvisibleTextRefused(t *testing.T) {
	t.Parallel()
	app := testkit.NewRushApp(t)
	fixtures := seedBodyFixtures(t, app)
	srv := testkit.StartServer(t, app)
	start := time.Now().UTC().Add(48 * time.Hour).Format("2006-01-02 15:04:05.000Z")

	invisible := []string{"\u200B\u200C\u200D", "\u2060\uFEFF", "\u202E\u2066 \u2069", " \t\n", "\u3164"}
	type write struct {
		name, method, path, token, field string
		body                             func(text string) map[string]any
	}
	writes := []write{
		{"study group name", http.MethodPost, testkit.RecordsURL(collections.StudyGroups), testkit.Tokens[testkit.OtherStudent], collections.StudyGroupName,
			func(text string) map[string]any { return map[string]any{"name": text, "visibility": "public"} }},
		{"study group rename", http.MethodPatch, testkit.RecordsURL(collections.StudyGroups, testkit.IdPublicGroup), testkit.Tokens[testkit.Student], collections.StudyGroupName,
			func(text string) map[string]any { return map[string]any{"name": text} }},
		{"user name", http.MethodPatch, testkit.RecordsURL(collections.Users, testkit.IdStudent), testkit.Tokens[testkit.Student], collections.UserName,
			func(text string) map[string]any { return map[string]any{"name": text} }},
		{"session title", http.MethodPost, testkit.RecordsURL(collections.LiveSessions), testkit.Tokens[testkit.Instructor], collections.LiveSessionTitle,
			func(text string) map[string]any {
				return map[string]any{"instructor": testkit.IdInstructor, "title": text, "scheduledStart": start}
			}},
		{"chat message", http.MethodPost, testkit.RecordsURL(collections.ChatMessages), testkit.Tokens[testkit.Student], collections.ChatMessageBody,
			func(text string) map[string]any {
				return map[string]any{"room": fixtures.room, "sender": testkit.IdStudent, "body": text}
			}},
	}
	for _, w := range writes {
		for _, text := range invisible {
			before := dbFingerprint(t, app)
			var answer struct {
				Data map[string]struct {
					Code string `json:"code"`
				} `json:"data"`
			}
			status := testkit.ApiRequest(t, srv.URL, w.method, w.path, w.token, w.body(text), &answer)
			if status != http.StatusBadRequest || answer.Data[w.field].Code == "" {
				t.Errorf("%s %q: status %d, data %v; want 400 naming %s", w.name, text, status, answer.Data, w.field)
			}
			if changed := changedTables(before, dbFingerprint(t, app)); len(changed) > 0 {
				t.Errorf("%s %q: wrote to %v", w.name, text, changed)
			}
		}
		// visible text passes, without its bidi controls
		var saved map[string]any
		status := testkit.ApiRequest(t, srv.URL, w.method, w.path, w.token, w.body("\u202Ebidi\u202C \u2067text\u2069 \u200Bok"), &saved)
		if status != http.StatusOK || saved[w.field] != "bidi text \u200Bok" {
			t.Errorf("%s with visible text: status %d, %s = %q; want 200 and the bidi controls gone", w.name, status, w.field, saved[w.field])
		}
	}
}
