package testkit

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
	IdSessionScheduled = "lvsscheduled001" // idCourse, course visibility, in 2 h, 3 seats
	IdSessionLive      = "lvslive00000001" // idCourse, live for 10 min
	IdSessionPublic    = "lvspublic000001" // no course, public, in 2 h
	IdSessionFull      = "lvsfull00000001" // no course, public, live, 1 seat taken by idOtherStudent
	IdSessionEnded     = "lvsended0000001" // idCourse, ended
	IdSessionCancelled = "lvscancelled001" // idCourse, cancelled
	IdOtherSession     = "lvsother0000001" // idOtherCourse (idOtherInstructor), course visibility

	IdFullAttendee = "lsafull00000001" // idOtherStudent in idSessionFull
)

// SeedLiveSessions creates the live session fixtures, as Go code (not the
// records API) so that no notice goes out.
func SeedLiveSessions(t testing.TB, app core.App) {
	t.Helper()
	now := time.Now().UTC()
	sessions := []struct {
		id   string
		data map[string]any
	}{
		{IdSessionScheduled, map[string]any{"course": IdCourse, "capacity": 3}},
		{IdSessionLive, map[string]any{"course": IdCourse, "status": collections.LiveSessionLive, "startedAt": now.Add(-10 * time.Minute), "scheduledStart": now.Add(-10 * time.Minute)}},
		{IdSessionPublic, map[string]any{}},
		{IdSessionFull, map[string]any{"capacity": 1, "status": collections.LiveSessionLive, "startedAt": now.Add(-time.Minute)}},
		{IdSessionEnded, map[string]any{"course": IdCourse, "status": collections.LiveSessionEnded, "startedAt": now.Add(-2 * time.Hour), "endedAt": now.Add(-time.Hour)}},
		{IdSessionCancelled, map[string]any{"course": IdCourse, "status": collections.LiveSessionCancelled}},
		{IdOtherSession, map[string]any{"course": IdOtherCourse, "instructor": IdOtherInstructor}},
	}
	for _, s := range sessions {
		data := map[string]any{
			"instructor":     IdInstructor,
			"title":          "Session " + s.id,
			"scheduledStart": now.Add(2 * time.Hour),
			"meetingUrl":     "https://meet.example.com/" + s.id,
		}
		for k, v := range s.data {
			data[k] = v
		}
		if _, err := SaveRecord(app, collections.LiveSessions, s.id, data); err != nil {
			t.Fatal(err)
		}
	}
	SeatAttendee(t, app, IdFullAttendee, IdSessionFull, IdOtherStudent)
}

// SeatAttendee makes userId an active attendee of the session, the way
// the join route leaves it, without the route.
func SeatAttendee(t testing.TB, app core.App, id, sessionId, userId string) *core.Record {
	t.Helper()
	attendee, err := SaveRecord(app, collections.LiveSessionAttendees, id, map[string]any{
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

// NewRushSession saves a public session of idInstructor, an hour ahead,
// with the given seats: what the concurrency tests rush.
func NewRushSession(t testing.TB, app core.App, id string, capacity int) *core.Record {
	t.Helper()
	session, err := SaveRecord(app, collections.LiveSessions, id, map[string]any{
		"instructor": IdInstructor, "title": "Rush " + id, "capacity": capacity,
		"scheduledStart": time.Now().UTC().Add(time.Hour),
	})
	if err != nil {
		t.Fatal(err)
	}
	return session
}

// FindLiveSession reloads a session from the database.
func FindLiveSession(t testing.TB, app core.App, id string) *core.Record {
	t.Helper()
	session, err := app.FindRecordById(collections.LiveSessions, id)
	if err != nil {
		t.Fatal(err)
	}
	return session
}

// CountActiveAttendance counts the session's active attendance rows.
func CountActiveAttendance(t testing.TB, app core.App, sessionId string) int {
	t.Helper()
	return CountRecords(t, app, collections.LiveSessionAttendees, "session = '"+sessionId+"' && active = true")
}

// SessionURL is the path of a live session route.
func SessionURL(id, action string) string {
	return "/api/live-sessions/" + id + "/" + action
}

// rushUser is a user made for load tests, with its auth token.
type rushUser struct {
	Id, Token string
}

// InsertUsers creates n students straight in the database, skipping the
// password hashing and hooks of a normal sign-up (a thousand bcrypt hashes
// would take longer than the test), and returns them with auth tokens.
func InsertUsers(t testing.TB, app core.App, prefix string, n int) []rushUser {
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

// RushResult is what one concurrent join got back.
type RushResult struct {
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

// JoinRush sends one join per user at once, released together, and returns
// every answer.
func JoinRush(baseURL, sessionId string, users []rushUser) []RushResult {
	return SendRush(http.MethodPost, baseURL+SessionURL(sessionId, "join"), users)
}

// SendRush sends the same request once per user, all released together, and
// returns every answer with its latency.
func SendRush(method, url string, users []rushUser) []RushResult {
	results := make([]RushResult, len(users))
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
			results[i] = RushResult{Status: res.StatusCode, Code: body.Data.Code, Latency: time.Since(began), Err: decodeErr}
		}()
	}
	ready.Wait()
	close(start)
	done.Wait()
	return results
}

// TallyRush counts the results by "status code" ("200", "409 session_full").
func TallyRush(results []RushResult) map[string]int {
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

// SessionStartLater is a start time the create route accepts.
func SessionStartLater() string {
	return types.NowDateTime().Add(3 * time.Hour).String()
}
