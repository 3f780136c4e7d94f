package hooks_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/security"
	"github.com/pocketbase/pocketbase/tools/types"

	"studyhall/collections"
)

// Live session fixtures, made by seedLiveSessions in a test's own app.
const (
	idSessionScheduled = "lvsscheduled001" // idCourse, course visibility, in 2 h, 3 seats
	idSessionLive      = "lvslive00000001" // idCourse, live for 10 min
	idSessionPublic    = "lvspublic000001" // no course, public, in 2 h
	idSessionFull      = "lvsfull00000001" // no course, public, live, 1 seat taken by idOtherStudent
	idSessionEnded     = "lvsended0000001" // idCourse, ended
	idSessionCancelled = "lvscancelled001" // idCourse, cancelled
	idOtherSession     = "lvsother0000001" // idOtherCourse (idOtherInstructor), course visibility

	idFullAttendee = "lsafull00000001" // idOtherStudent in idSessionFull
)

// seedLiveSessions creates the live session fixtures, as Go code (not the
// records API) so that no notice goes out.
func seedLiveSessions(t testing.TB, app core.App) {
	t.Helper()
	now := time.Now().UTC()
	sessions := []struct {
		id   string
		data map[string]any
	}{
		{idSessionScheduled, map[string]any{"course": idCourse, "capacity": 3}},
		{idSessionLive, map[string]any{"course": idCourse, "status": collections.LiveSessionLive, "startedAt": now.Add(-10 * time.Minute), "scheduledStart": now.Add(-10 * time.Minute)}},
		{idSessionPublic, map[string]any{}},
		{idSessionFull, map[string]any{"capacity": 1, "status": collections.LiveSessionLive, "startedAt": now.Add(-time.Minute)}},
		{idSessionEnded, map[string]any{"course": idCourse, "status": collections.LiveSessionEnded, "startedAt": now.Add(-2 * time.Hour), "endedAt": now.Add(-time.Hour)}},
		{idSessionCancelled, map[string]any{"course": idCourse, "status": collections.LiveSessionCancelled}},
		{idOtherSession, map[string]any{"course": idOtherCourse, "instructor": idOtherInstructor}},
	}
	for _, s := range sessions {
		data := map[string]any{
			"instructor":     idInstructor,
			"title":          "Session " + s.id,
			"scheduledStart": now.Add(2 * time.Hour),
			"meetingUrl":     "https://meet.example.com/" + s.id,
		}
		for k, v := range s.data {
			data[k] = v
		}
		if _, err := saveRecord(app, collections.LiveSessions, s.id, data); err != nil {
			t.Fatal(err)
		}
	}
	seatAttendee(t, app, idFullAttendee, idSessionFull, idOtherStudent)
}

// seatAttendee makes userId an active attendee of the session, the way
// the join route leaves it, without the route.
func seatAttendee(t testing.TB, app core.App, id, sessionId, userId string) *core.Record {
	t.Helper()
	attendee, err := saveRecord(app, collections.LiveSessionAttendees, id, map[string]any{
		"session": sessionId, "user": userId, "active": true, "joinedAt": time.Now().UTC(),
	})
	if err != nil {
		t.Fatal(err)
	}
	session, err := app.FindRecordById(collections.LiveSessions, sessionId)
	if err != nil {
		t.Fatal(err)
	}
	if err := app.Save(session); err != nil { // recounts attendeeCount
		t.Fatal(err)
	}
	return attendee
}

// newRushSession saves a public session of idInstructor, an hour ahead,
// with the given seats: what the concurrency tests rush.
func newRushSession(t testing.TB, app core.App, id string, capacity int) *core.Record {
	t.Helper()
	session, err := saveRecord(app, collections.LiveSessions, id, map[string]any{
		"instructor": idInstructor, "title": "Rush " + id, "capacity": capacity,
		"scheduledStart": time.Now().UTC().Add(time.Hour),
	})
	if err != nil {
		t.Fatal(err)
	}
	return session
}

// findLiveSession reloads a session from the database.
func findLiveSession(t testing.TB, app core.App, id string) *core.Record {
	t.Helper()
	session, err := app.FindRecordById(collections.LiveSessions, id)
	if err != nil {
		t.Fatal(err)
	}
	return session
}

// countActiveAttendance counts the session's active attendance rows.
func countActiveAttendance(t testing.TB, app core.App, sessionId string) int {
	t.Helper()
	return countRecords(t, app, collections.LiveSessionAttendees, "session = '"+sessionId+"' && active = true")
}

// sessionURL is the path of a live session route.
func sessionURL(id, action string) string {
	return "/api/live-sessions/" + id + "/" + action
}

// rushUser is a user made for load tests, with its auth token.
type rushUser struct {
	Id, Token string
}

// insertUsers creates n students straight in the database, skipping the
// password hashing and hooks of a normal sign-up (a thousand bcrypt hashes
// would take longer than the test), and returns them with auth tokens.
func insertUsers(t testing.TB, app core.App, prefix string, n int) []rushUser {
	t.Helper()
	users := make([]rushUser, n)
	now := types.NowDateTime().String()
	err := app.RunInTransaction(func(txApp core.App) error {
		for i := range users {
			id := fmt.Sprintf("%s%0*d", prefix, 15-len(prefix), i)
			_, err := txApp.DB().Insert(collections.Users, dbx.Params{
				collections.FieldId:                 id,
				collections.UserEmail:               id + "@load.test",
				"password":                          "not-a-real-hash",
				"tokenKey":                          security.RandomString(50),
				"verified":                          true,
				collections.UserName:                "Load " + id,
				collections.UserRole:                collections.RoleStudent,
				collections.UserTimezone:            collections.DefaultTimezone,
				collections.UserAllowDirectMessages: true,
				collections.FieldCreated:            now,
				collections.FieldUpdated:            now,
			}).Execute()
			if err != nil {
				return err
			}
			users[i].Id = id
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for i := range users {
		record, err := app.FindRecordById(collections.Users, users[i].Id)
		if err != nil {
			t.Fatal(err)
		}
		if users[i].Token, err = record.NewAuthToken(); err != nil {
			t.Fatal(err)
		}
	}
	return users
}

// rushResult is what one concurrent join got back.
type rushResult struct {
	Status  int
	Code    string
	Latency time.Duration
	Err     error
}

// rushClient keeps as many connections to the test server open as there
// are concurrent joiners.
var rushClient = &http.Client{
	Transport: &http.Transport{MaxIdleConnsPerHost: 2000, MaxConnsPerHost: 0},
	Timeout:   60 * time.Second,
}

// joinRush sends one join per user at once, released together, and returns
// every answer.
func joinRush(baseURL, sessionId string, users []rushUser) []rushResult {
	return sendRush(http.MethodPost, baseURL+sessionURL(sessionId, "join"), users)
}

// sendRush sends the same request once per user, all released together, and
// returns every answer with its latency.
func sendRush(method, url string, users []rushUser) []rushResult {
	results := make([]rushResult, len(users))
	var ready, done sync.WaitGroup
	start := make(chan struct{})
	ready.Add(len(users))
	done.Add(len(users))
	for i, u := range users {
		go func() {
			defer done.Done()
			req, err := http.NewRequest(method, url, nil)
			if err != nil {
				results[i].Err = err
				ready.Done()
				return
			}
			req.Header.Set("Authorization", u.Token)
			ready.Done()
			<-start
			began := time.Now()
			res, err := rushClient.Do(req)
			if err != nil {
				results[i].Err = err
				return
			}
			defer res.Body.Close()
			var body struct {
				Data struct {
					Code string `json:"code"`
				} `json:"data"`
			}
			decodeErr := json.NewDecoder(res.Body).Decode(&body)
			results[i] = rushResult{Status: res.StatusCode, Code: body.Data.Code, Latency: time.Since(began), Err: decodeErr}
		}()
	}
	ready.Wait()
	close(start)
	done.Wait()
	return results
}

// tallyRush counts the results by "status code" ("200", "409 session_full").
func tallyRush(results []rushResult) map[string]int {
	counts := map[string]int{}
	for _, r := range results {
		if r.Err != nil {
			counts["error: "+r.Err.Error()]++
			continue
		}
		key := fmt.Sprint(r.Status)
		if r.Code != "" {
			key += " " + r.Code
		}
		counts[strings.TrimSpace(key)]++
	}
	return counts
}
