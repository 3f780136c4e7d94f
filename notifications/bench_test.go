package notifications_test

import (
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
	"studyhall/testkit"
)

// BenchmarkPublishLessonFanout measures SPEC's notification service level
// end to end over real HTTP and SSE on loopback: an instructor publishes a
// lesson in a course of 5,000 enrolled students, 1,000 of them connected
// and subscribed to notifications. It reports the publisher's request time
// (all 5,000 rows are committed before it answers), and the time until the
// last connected student received their create event. Benchmarks do not
// run with `go test`; run it with
//
//	go test ./notifications/ -run '^$' -bench PublishLessonFanout -benchtime 3x
func BenchmarkPublishLessonFanout(b *testing.B) {
	const students, connected = 5000, 1000

	app := testkit.NewTestApp(b)
	defer app.Cleanup()
	app.Settings().RateLimits.Enabled = false

	ids := seedCourseStudents(b, app, testkit.IdCourse, students)
	srv := testkit.StartServer(b, app)

	type arrival struct {
		client int
		at     time.Time
	}
	arrivals := make(chan arrival, connected)
	clients := make([]*testkit.RealtimeClient, connected)
	var wg sync.WaitGroup
	for i := range connected {
		wg.Add(1)
		go func() {
			defer wg.Done()
			user, err := app.FindRecordById(collections.Users, ids[i])
			if err != nil {
				b.Error(err)
				return
			}
			token, err := user.NewAuthToken()
			if err != nil {
				b.Error(err)
				return
			}
			c := testkit.ConnectRealtime(b, srv.URL)
			c.Subscribe(b, token, "notifications/*")
			clients[i] = c
		}()
	}
	wg.Wait()
	if b.Failed() {
		return
	}

	lessons, err := app.FindCollectionByNameOrId(collections.Lessons)
	if err != nil {
		b.Fatal(err)
	}
	var requestTotal, deliveryTotal time.Duration
	b.ResetTimer()
	for n := range b.N {
		b.StopTimer()
		lessonId := fmt.Sprintf("lsnbench%07d", n)
		if _, err := testkit.SaveRecord(app, lessons.Name, lessonId, map[string]any{
			"course": testkit.IdCourse, "title": fmt.Sprintf("Bench lesson %d", n), "order": 100 + n,
		}); err != nil {
			b.Fatal(err)
		}
		for i, c := range clients {
			go func() {
				ev, ok := c.NextEvent(30 * time.Second)
				if ok && strings.Contains(string(ev.Data), lessonId) {
					arrivals <- arrival{i, time.Now()}
					return
				}
				arrivals <- arrival{-1, time.Now()}
			}()
		}
		b.StartTimer()

		start := time.Now()
		status := testkit.ApiRequest(b, srv.URL, http.MethodPatch, testkit.RecordsURL(collections.Lessons, lessonId),
			testkit.Tokens[testkit.Instructor], map[string]any{"published": true}, nil)
		requested := time.Since(start)
		if status != http.StatusOK {
			b.Fatalf("publish: status %d", status)
		}
		rows := testkit.CountRecords(b, app, collections.Notifications, "relatedId = '"+lessonId+"'")

		var last time.Time
		for range connected {
			a := <-arrivals
			if a.client < 0 {
				b.Fatal("a connected student did not receive their new_lesson event")
			}
			if a.at.After(last) {
				last = a.at
			}
		}
		b.StopTimer()
		if rows != students+1 { // the fixture student is enrolled too
			b.Fatalf("%d rows after the request, want %d", rows, students+1)
		}
		requestTotal += requested
		deliveryTotal += last.Sub(start)
		b.Logf("publish request %s, %d rows committed before it answered, last of %d SSE deliveries after %s",
			requested, rows, connected, last.Sub(start))
		b.StartTimer()
	}
	b.ReportMetric(float64(requestTotal.Milliseconds())/float64(b.N), "publish-ms/op")
	b.ReportMetric(float64(deliveryTotal.Milliseconds())/float64(b.N), "last-delivery-ms/op")
}

// seedCourseStudents adds n students enrolled in a course, with default
// preferences, in bulk SQL (bcrypt for 5,000 sign-ups would take minutes),
// and returns their ids.
func seedCourseStudents(b *testing.B, app core.App, courseId string, n int) []string {
	b.Helper()
	var hash string
	if err := app.DB().Select("password").From(collections.Users).
		Where(dbx.HashExp{"id": testkit.IdStudent}).Row(&hash); err != nil {
		b.Fatal(err)
	}
	now := types.NowDateTime().String()
	ids := make([]string, n)
	err := app.RunInTransaction(func(txApp core.App) error {
		for i := range n {
			id := fmt.Sprintf("benchstudent%03d", i)
			if i >= 1000 {
				id = fmt.Sprintf("benchstud%06d", i)
			}
			ids[i] = id
			rows := []struct {
				table string
				data  dbx.Params
			}{
				{collections.Users, dbx.Params{
					"id": id, "email": id + "@bench.test", "password": hash, "tokenKey": security.RandomString(50),
					"name": "Bench " + id, "role": collections.RoleStudent, "timezone": "UTC", "verified": true,
					"emailVisibility": false, "allowDirectMessages": true, "created": now, "updated": now,
				}},
				{collections.NotificationPreferences, dbx.Params{
					"id": "np" + id[2:], "user": id, "inAppEnabled": true, "emailEnabled": true, "emailDigest": "daily",
					"categories": "{}", "types": "{}", "quietHoursUrgent": true, "created": now, "updated": now,
				}},
				{collections.Enrollments, dbx.Params{
					"id": "en" + id[2:], "course": courseId, "student": id, "status": collections.EnrollmentActive,
					"created": now, "updated": now,
				}},
			}
			for _, row := range rows {
				if _, err := txApp.DB().Insert(row.table, row.data).Execute(); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return ids
}
