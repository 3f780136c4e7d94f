package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"studyhall/collections"
)

// The notify scenario (issue 3): SPEC's "a course of 5,000 enrolled
// students persists all 5,000 notifications and delivers them to the
// 1,000 connected ones within 2 s", driven by the new_lesson trigger: the
// course's instructor publishes a lesson (PATCH lessons/{id}
// {"published": true}), and every enrolled student gets a notification.
// 1,000 of them hold a realtime connection subscribed to notifications/*.
func init() {
	registerScenario(Scenario{
		Name:    "notify",
		Summary: "publish a lesson in a course of 5,000 enrolled, 1,000 connected: rows written, events delivered",
		Run:     runNotify,
	})
}

var (
	notifyEnrolled  = flag.Int("notify-enrolled", 5000, "notify: students enrolled in the course")
	notifyConnected = flag.Int("notify-connected", 1000, "notify: enrolled students connected and subscribed to notifications/*")
	notifyLessons   = flag.Int("notify-lessons", 3, "notify: lessons published one after another")
)

// notifyGoal is SPEC's bound on persisting and delivering them all.
const notifyGoal = 2 * time.Second

func runNotify(ctx context.Context, env *Env) ([]*Table, error) {
	enrolled, connected, lessons := *notifyEnrolled, *notifyConnected, *notifyLessons
	if enrolled < 1 || connected < 0 || connected > enrolled || lessons < 1 {
		return nil, errors.New("-notify-enrolled must be positive, -notify-connected between 0 and it, -notify-lessons positive")
	}
	c := env.Client
	users, err := env.Users(ctx, enrolled)
	if err != nil {
		return nil, err
	}
	instructor, err := c.CreateInstructor(ctx, "notify")
	if err != nil {
		return nil, err
	}
	course, err := c.CreateRecord(ctx, c.SuperuserToken, collections.Courses, map[string]any{
		collections.CourseTitle:      "Bench course",
		collections.CourseInstructor: instructor.Id,
		collections.CoursePublished:  true,
	})
	if err != nil {
		return nil, fmt.Errorf("create course: %w", err)
	}
	lessonIds := make([]string, lessons)
	for l := range lessons {
		rec, err := c.CreateRecord(ctx, c.SuperuserToken, collections.Lessons, map[string]any{
			collections.LessonCourse:    course.Id,
			collections.LessonTitle:     fmt.Sprintf("Bench lesson %d", l+1),
			collections.LessonOrder:     l + 1,
			collections.LessonPublished: false,
		})
		if err != nil {
			return nil, fmt.Errorf("create lesson: %w", err)
		}
		lessonIds[l] = rec.Id
	}

	// enrol everyone, as the superuser (each enrollment notifies the
	// student and the instructor in its own transaction)
	start := time.Now()
	err = forEach(ctx, enrolled, env.Config.Workers, func(ctx context.Context, i int) error {
		_, err := c.CreateRecord(ctx, c.SuperuserToken, collections.Enrollments, map[string]any{
			collections.EnrollmentCourse:  course.Id,
			collections.EnrollmentStudent: users[i].Id,
			collections.EnrollmentStatus:  collections.EnrollmentActive,
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("enrol: %w", err)
	}
	log.Printf("notify: %d enrollments in %s", enrolled, time.Since(start).Round(time.Millisecond))

	// --- connect: students 0..connected-1
	lessonSeq := make(map[string]int, lessons)
	for l, id := range lessonIds {
		lessonSeq[id] = l
	}
	recv := newDeliveries(connected, lessons)
	var others atomic.Int64
	const topic = collections.Notifications + "/*"
	set, err := openSubscribers(ctx, env, "notify", subscriberSpec{
		N:      connected,
		Token:  func(i int) string { return users[i].Token },
		Topics: func(int) []string { return []string{topic} },
		Handle: func(i int, ev Event) {
			if ev.Name != topic {
				return
			}
			var msg struct {
				Action string `json:"action"`
				Record struct {
					User      string `json:"user"`
					Type      string `json:"type"`
					RelatedId string `json:"relatedId"`
				} `json:"record"`
			}
			if json.Unmarshal(ev.Data, &msg) != nil || msg.Action != "create" || msg.Record.Type != collections.TypeNewLesson {
				return
			}
			l, ok := lessonSeq[msg.Record.RelatedId]
			if !ok || msg.Record.User != users[i].Id {
				others.Add(1)
				return
			}
			recv.Add(i, l, ev.At)
		},
	})
	if err != nil {
		return nil, err
	}
	defer set.Close(env)
	if err := sleepUntil(ctx, time.Now().Add(caseSettle)); err != nil {
		return nil, err
	}

	table := &Table{
		Title: fmt.Sprintf("notify: a lesson published in a course of %d enrolled, %d connected", enrolled, connected),
		Header: []string{
			"lesson", "PATCH", "all rows exist after", "rows (distinct users)",
			"delivered/expected", "missing", "dup",
			"p50", "p90", "p99", "last delivered", "server CPU", "goal (rows and last delivery < 2 s)",
		},
	}
	sent := make([]time.Time, lessons)
	patches := make([]time.Duration, lessons)
	rowsAfter := make([]time.Duration, lessons)
	cpus := make([]time.Duration, lessons)
	for l, lessonId := range lessonIds {
		before := recv.Firsts()
		filter := fmt.Sprintf("%s = '%s' && %s = '%s'", collections.NotificationType, collections.TypeNewLesson,
			collections.NotificationRelatedId, lessonId)

		// poll the row count from the moment of the PATCH
		rowsDone := make(chan time.Duration, 1)
		pollCtx, stopPoll := context.WithCancel(ctx)
		cpuBefore := serverCPU(env)
		sent[l] = time.Now()
		go func() {
			defer close(rowsDone)
			for pollCtx.Err() == nil {
				count, err := c.CountRecords(pollCtx, collections.Notifications, filter)
				if err == nil && count >= enrolled {
					rowsDone <- time.Since(sent[l])
					return
				}
				_ = sleepUntil(pollCtx, time.Now().Add(20*time.Millisecond))
			}
		}()
		err := c.Do(ctx, http.MethodPatch, "/api/collections/"+collections.Lessons+"/records/"+lessonId, instructor.Token,
			map[string]any{collections.LessonPublished: true}, nil)
		patches[l] = time.Since(sent[l])
		if err != nil {
			stopPoll()
			return nil, fmt.Errorf("publish lesson %d: %w", l+1, err)
		}
		if _, err := waitUntil(ctx, time.Now().Add(env.Config.Drain), func() bool {
			return recv.Firsts()-before >= int64(connected)
		}); err != nil {
			stopPoll()
			return nil, err
		}
		cpus[l] = cpuDelta(env, cpuBefore)
		select {
		case d, ok := <-rowsDone:
			if ok {
				rowsAfter[l] = d
			} else {
				rowsAfter[l] = -1
			}
		case <-time.After(env.Config.Drain):
			rowsAfter[l] = -1
		}
		stopPoll()
		log.Printf("notify lesson %d: PATCH %s, rows after %s", l+1, formatMillis(patches[l]), formatMillis(rowsAfter[l]))
		if err := sleepUntil(ctx, time.Now().Add(graceAfterComplete+700*time.Millisecond)); err != nil {
			return nil, err
		}
	}
	held := set.Finish(env, "notify")

	// --- count: rows per user, deliveries per connected student
	enrolledIds := make(map[string]bool, enrolled)
	for _, u := range users {
		enrolledIds[u.Id] = true
	}
	for l, lessonId := range lessonIds {
		type row struct {
			User string `json:"user"`
		}
		rows, err := ListAll[row](ctx, c, collections.Notifications,
			fmt.Sprintf("%s = '%s' && %s = '%s'", collections.NotificationType, collections.TypeNewLesson,
				collections.NotificationRelatedId, lessonId), "user", enrolled/500+5)
		if err != nil {
			return []*Table{table}, fmt.Errorf("read notifications: %w", err)
		}
		perUser := map[string]int{}
		strangers := 0
		for _, r := range rows {
			perUser[r.User]++
			if !enrolledIds[r.User] {
				strangers++
			}
		}
		rowDups := len(rows) - len(perUser)

		latencies, missing, dups := recv.CountItem(l, sent[l], func(int) bool { return true })
		for i := range connected {
			if !recv.seen[i][l] {
				log.Printf("notify lesson %d: connected student %d (user %s) got nothing", l+1, i, users[i].Id)
			}
		}
		lat := Summarize(latencies)
		rowsOK := len(perUser) == enrolled && rowDups == 0 && strangers == 0
		if !rowsOK || missing > 0 || dups > 0 {
			env.Fail("notify lesson %d: %d rows for %d distinct users (%d duplicates, %d not enrolled), want %d; %d missing, %d duplicate deliveries of %d",
				l+1, len(rows), len(perUser), rowDups, strangers, enrolled, missing, dups, connected)
		}
		rowsCell := "not within the drain"
		if rowsAfter[l] >= 0 {
			rowsCell = formatMillis(rowsAfter[l])
		}
		table.Add(
			strconv.Itoa(l+1), formatMillis(patches[l]), rowsCell, fmt.Sprintf("%d (%d)", len(rows), len(perUser)),
			fmt.Sprintf("%d/%d", lat.Count, connected), strconv.Itoa(missing), strconv.Itoa(dups),
			formatMillis(lat.P50), formatMillis(lat.P90), formatMillis(lat.P99), formatMillis(lat.Max),
			formatCPU(cpus[l]),
			goalCell(rowsOK && missing == 0 && dups == 0 && rowsAfter[l] >= 0 && rowsAfter[l] < notifyGoal && lat.Max < notifyGoal),
		)
	}
	if o := others.Load(); o > 0 {
		env.Fail("notify: %d new_lesson events reached a student they were not for", o)
	}
	if held < connected {
		env.Fail("notify: %d/%d connections held", held, connected)
	}
	table.Notes = []string{
		"PATCH: the instructor's `PATCH /api/collections/lessons/records/{id}` `{\"published\":true}`; the new_lesson notifications are written in the same transaction, so the request's time includes writing all rows",
		"all rows exist after: from just before the PATCH until a superuser count of the lesson's new_lesson notifications (polled every 20 ms from the PATCH on) reached the enrolled count; rows (distinct users): the rows read back afterwards, which must be one per enrolled student",
		"latency: from just before the PATCH until a connected student has read the `create` event of its notification; last delivered = when the last connected student had it",
		"server CPU: the server process's CPU time from the PATCH until the last delivery (the row polling included)",
	}
	return []*Table{table}, nil
}
