package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"studyhall/collections"
)

// The day scenario (issue 15): the ceiling of one process. Active users
// do what a school day brings, in its proportions (see dayMix), while the
// number of active users steps up until one of SPEC's service levels
// breaks. Every active user holds one realtime connection subscribed as
// the web app's page it is on subscribes, and the load is open-loop: each
// user's requests fire on their own clock, whatever the answers take, so
// a slow server shows as latency instead of slowing the load down.
func init() {
	registerScenario(Scenario{
		Name:    "day",
		Summary: "a school day's mix of traffic, stepping active users up until a SPEC service level breaks",
		Run:     runDay,
	})
}

var (
	daySteps    = flag.String("day-steps", "100,200,400,800,1200,1600,2400,3200,4800,6400", "day: comma-separated numbers of active users, rounded up to whole classes of 25")
	dayMeasure  = flag.Duration("day-measure", 2*time.Minute, "day: measured time per step")
	dayWarmup   = flag.Duration("day-warmup", 20*time.Second, "day: load before each step's measurement")
	dayAllSteps = flag.Bool("day-all-steps", false, "day: run every step, also after a level broke")
)

// A class: one instructor and dayClass students, each course with its
// chat room, a live session in progress and the instructor's office hours
// open all day.
const (
	dayClass        = 24
	dayClassSize    = dayClass + 1
	daySessionSeats = 30
)

// Pages: where a user is, which fixes what its connection subscribes to
// and what it does besides what everyone does. Students of a class are
// spread over them in the proportions of dayPageOf.
const (
	pageChat          = "chat"
	pageSession       = "session"
	pageDashboard     = "dashboard"
	pageOfficeHours   = "office hours"
	pageNotifications = "notifications"
	pageInstructor    = "instructor"
)

// dayPageOf is the page of a class's j-th student (0..23): 8 in the
// course chat, 6 in the live session, 6 on the dashboard, 2 in the office
// hours queue, 2 reading their notifications.
func dayPageOf(j int) string {
	switch {
	case j < 8:
		return pageChat
	case j < 14:
		return pageSession
	case j < 20:
		return pageDashboard
	case j < 22:
		return pageOfficeHours
	default:
		return pageNotifications
	}
}

// dayMix is how often each user does what; every interval starts at a
// random phase per user and step.
var dayMix = struct {
	heartbeat, unreadBadge, pageLoad, presence    time.Duration
	chatSend, sessionToggle, queueJoin, notifRead time.Duration
	admit, publish                                time.Duration
}{
	heartbeat:     60 * time.Second, // the web app's presence.js
	unreadBadge:   30 * time.Second, // the web app's chat badge (main.js)
	pageLoad:      2 * time.Minute,  // a navigation or reload
	presence:      30 * time.Minute, // busy, later online again
	chatSend:      2 * time.Minute,  // chat page: one message
	sessionToggle: 2 * time.Minute,  // session page: join, later leave
	queueJoin:     3 * time.Minute,  // office hours page: queue when not queued
	notifRead:     2 * time.Minute,  // notifications page: mark the latest read
	admit:         time.Minute,      // instructor: complete the visit, admit the next
	publish:       3 * time.Minute,  // instructor: publish a lesson
}

// SPEC's service levels, as the day scenario checks them.
const (
	dayGoalChatPost     = 50 * time.Millisecond  // sender's POST p99
	dayGoalChatDelivery = 100 * time.Millisecond // message to room subscribers p99
	dayGoalJoin         = 250 * time.Millisecond // join p99
	dayGoalNotify       = 2 * time.Second        // every enrolled student notified (max)
	dayGoalAdmit        = time.Second            // every waiting student's new position (max)
	dayGoalPresence     = 3 * time.Second        // a status change to every subscriber (max)
)

// Operation names, the rows of the per-operation table.
const (
	opHeartbeat     = "heartbeat"
	opUnreadBadge   = "chat unread badge"
	opChatSend      = "chat: send"
	opJoin          = "session: join"
	opLeave         = "session: leave"
	opQueueJoin     = "office hours: queue join"
	opAdmit         = "office hours: admit"
	opComplete      = "office hours: complete"
	opPublish       = "lesson: publish"
	opPresence      = "presence: status"
	opNotifRead     = "notification: read"
	opPagePrefix    = "page: "
	kindChat        = "chat message → room"
	kindLesson      = "new lesson → class"
	kindAdmit       = "admit → queue"
	kindPresence    = "presence → everyone"
	dayQuestionText = "bench question"
)

var dayOpOrder = []string{
	opHeartbeat, opUnreadBadge,
	opPagePrefix + pageDashboard, opPagePrefix + pageChat, opPagePrefix + pageSession,
	opPagePrefix + pageOfficeHours, opPagePrefix + pageNotifications, opPagePrefix + pageInstructor,
	opChatSend, opJoin, opLeave, opQueueJoin, opAdmit, opComplete, opPublish, opPresence, opNotifRead,
}

var dayCase atomic.Int64

func runDay(ctx context.Context, env *Env) ([]*Table, error) {
	steps, err := parseCounts(*daySteps)
	if err != nil {
		return nil, fmt.Errorf("-day-steps: %w", err)
	}
	if *dayMeasure < 10*time.Second || *dayWarmup < 0 {
		return nil, errors.New("-day-measure must be at least 10s and -day-warmup not negative")
	}
	d := &day{
		env:   env,
		tag:   fmt.Sprintf("day%d-%d", dayCase.Add(1), time.Now().Unix()%1_000_000),
		ops:   map[string]*dayOpStats{},
		kinds: map[string]*dayKind{},
	}
	for _, name := range []string{kindChat, kindLesson, kindAdmit, kindPresence} {
		d.kinds[name] = &dayKind{name: name, items: map[string]*dayItem{}, countDups: name != kindAdmit}
	}
	defer d.closeConns()

	procs := env.Server.Getenv("GOMAXPROCS")
	if procs == "" {
		procs = "Go's default"
	}
	summary := &Table{
		Title: fmt.Sprintf("day: a school day's mix, active users stepped up (server GOMAXPROCS %s)", procs),
		Header: []string{
			"active users", "load before → after", "operations / requests per s", "chat POST p99", "chat delivery p99", "join p99",
			"lesson → class (max)", "admit → queue (max)", "presence → all (max)", "slowest page p99",
			"server CPU", "bench CPU", "server RSS", "SQLite rows/s (ins + upd)", "log rows/s", "errors / lost", "SPEC levels",
		},
	}
	perOp := &Table{Title: "day: p99 per operation (count in the measured window)", Header: []string{"operation"}}
	opRows := map[string][]string{}
	for _, want := range steps {
		courses := (want + dayClassSize - 1) / dayClassSize
		if courses <= len(d.courses) {
			continue
		}
		n := courses * dayClassSize
		if err := d.grow(ctx, courses); err != nil {
			return []*Table{summary, perOp}, fmt.Errorf("day: set up %d users: %w", n, err)
		}
		res, err := d.step(ctx)
		if err != nil {
			return []*Table{summary, perOp}, fmt.Errorf("day: step of %d users: %w", n, err)
		}
		summary.Add(res.row...)
		perOp.Header = append(perOp.Header, strconv.Itoa(n)+" users")
		for _, name := range append(slices.Clone(dayOpOrder), d.kindOrder()...) {
			opRows[name] = append(opRows[name], res.cells[name])
		}
		if !res.ok && !*dayAllSteps {
			log.Printf("day: a service level broke at %d active users; stopping", n)
			break
		}
	}
	for _, name := range append(slices.Clone(dayOpOrder), d.kindOrder()...) {
		perOp.Add(append([]string{name}, opRows[name]...)...)
	}
	if err := d.checkStored(ctx); err != nil {
		return []*Table{summary, perOp}, err
	}

	summary.Notes = []string{
		fmt.Sprintf("a class is 1 instructor and %d students with a published course, a course chat room, a live session in progress (%d seats) and the instructor's office hours open all day; the students are spread over the web app's pages: 8 in the course chat (`chat/{room}`), 6 in the live session (`live_sessions/{id}`), 6 on the dashboard (`live_sessions/*`), 2 in the office hours queue (`office_hours_queue/*`), 2 on their notifications; every connection also has the shell's `presence/*` and `notifications/*`", dayClass, daySessionSeats),
		"everyone: a heartbeat every 60 s and the chat badge (`GET /api/chat/unread`) every 30 s as the web app sends them, a page load every 2 min (the page's reads, see the README), a presence change every 30 min (busy, then online again); chat page: a message every 2 min; session page: join, 2 min later leave; office hours page: join the queue every 3 min when not in it; notifications page: mark the latest notification read every 2 min; instructor: every minute complete the current visit and admit the next, every 3 min publish a lesson",
		fmt.Sprintf("each step: connect the new classes, %s of load, then %s measured; open-loop, each request fired on its user's own clock; latency is the request's time at the client, delivery from just before the causing request until a subscriber has read the event", *dayWarmup, *dayMeasure),
		"SPEC levels: chat POST p99 < 50 ms and delivery p99 < 100 ms, join p99 < 250 ms, a lesson's notifications to every enrolled student within 2 s, an admit's new positions to every waiting student within 1 s, a presence change to every subscriber within 3 s; and nothing lost, duplicated, misdelivered or refused",
		"operations / requests per s: an operation is one row of the per-operation table (a page load is 2–4 requests), both over the measured window",
		"server CPU: user+system time over the measured window (200% = both cores); bench CPU: the same for the bench process, which shares the cores; server RSS at the end of the window",
		"SQLite rows/s: rows of every collection created in the window plus rows created before and updated in it (each counted once however often it changed: a lower bound of the row writes), from the records' `created`/`updated` times; log rows/s: PocketBase's request log rows (`_logs` in auxiliary.db) created in the window",
	}
	perOp.Notes = []string{
		"p99 of each request kind; a page is the time for all its reads one after another (dashboard: sessions, enrollments, the course's online users, bell count; chat: rooms, last 50 messages, mark read, bell count; session: the session, its attendees, bell count; office hours: open slots, own entries, bell count; notifications: last 50, bell count; instructor: own courses, own queue, bell count)",
		"delivery rows: p99 of every (event, subscriber) pair, and the worst event's last delivery in brackets",
	}
	return []*Table{summary, perOp}, nil
}

// ---------------------------------------------------------------------------
// the population

type day struct {
	env     *Env
	tag     string
	courses []*dayCourse
	users   []*dayUser // by connection index
	sets    []*subscriberSet

	seq atomic.Int64 // chat, lesson and presence sequence numbers

	// the measured window of the current step
	winMu             sync.RWMutex
	winStart, winEnd  time.Time
	opsMu             sync.Mutex
	ops               map[string]*dayOpStats
	kinds             map[string]*dayKind
	leaks, flaps      atomic.Int64
	leakSample        atomic.Value
	sentChat, lessons atomic.Int64 // successful sends over the run
	// sends that failed at the client and may still have been stored
	failedChat, failedLessons atomic.Int64
	lessonIds                 sync.Map // title → lesson id, successful publishes
	inflight                  sync.WaitGroup
}

type dayCourse struct {
	idx               int
	id, room, session string
	slot              string
	instructor        *dayUser
	students          []*dayUser
	qmu               sync.Mutex
	waiting           []dayEntry
	admitted          *dayEntry
	order             atomic.Int64
	sessionMu         sync.Mutex
	joined            map[string]bool // user id → active attendee (bench's model)
	// unsure is set when a join, leave or queue request failed at the
	// client: the server may have done it, so the model may be off
	unsure              atomic.Bool
	chatUsers, allUsers []int
}

type dayEntry struct {
	id   string
	user *dayUser
}

type dayUser struct {
	User
	idx    int
	course *dayCourse
	page   string

	mu         sync.Mutex // the session state
	joined     bool
	presenceMu sync.Mutex
	busy       bool
	queued     atomic.Bool
	lastNotif  atomic.Value // string: the newest notification id received
}

func (u *dayUser) topics(d *day) []string {
	t := []string{collections.Presence + "/*", collections.Notifications + "/*"}
	switch u.page {
	case pageChat:
		t = append(t, "chat/"+u.course.room)
	case pageSession:
		t = append(t, collections.LiveSessions+"/"+u.course.session)
	case pageDashboard:
		t = append(t, collections.LiveSessions+"/*")
	case pageOfficeHours:
		t = append(t, collections.OfficeHoursQueue+"/*")
	case pageInstructor:
		t = append(t, collections.LiveSessions+"/*", collections.OfficeHoursQueue+"/*")
	}
	return t
}

// grow sets up classes up to courses and connects their users.
func (d *day) grow(ctx context.Context, courses int) error {
	env, c := d.env, d.env.Client
	first := len(d.courses)
	added := courses - first
	start := time.Now()
	students, err := env.Users(ctx, courses*dayClass)
	if err != nil {
		return err
	}
	newCourses := make([]*dayCourse, added)
	err = forEach(ctx, added, max(1, env.Config.Workers/8), func(ctx context.Context, k int) error {
		ci := first + k
		instructor, err := c.CreateInstructor(ctx, fmt.Sprintf("%s-%d", d.tag, ci))
		if err != nil {
			return err
		}
		course := &dayCourse{idx: ci, joined: map[string]bool{}}
		course.instructor = &dayUser{User: instructor, course: course, page: pageInstructor}
		for j := range dayClass {
			course.students = append(course.students, &dayUser{User: students[ci*dayClass+j], course: course, page: dayPageOf(j)})
		}
		if err := d.setUpCourse(ctx, course); err != nil {
			return fmt.Errorf("class %d: %w", ci, err)
		}
		newCourses[k] = course
		return nil
	})
	if err != nil {
		return err
	}
	for _, course := range newCourses {
		d.courses = append(d.courses, course)
		for _, u := range append([]*dayUser{course.instructor}, course.students...) {
			u.idx = len(d.users)
			d.users = append(d.users, u)
			course.allUsers = append(course.allUsers, u.idx)
			if u.page == pageChat {
				course.chatUsers = append(course.chatUsers, u.idx)
			}
		}
	}
	log.Printf("day: %d classes set up in %s", added, time.Since(start).Round(time.Millisecond))

	// connect: the connections already open leave presence/* meanwhile,
	// so that the newcomers' going online is not delivered to them (the
	// login storm is not part of the mix); the newcomers subscribe to an
	// idle topic first, then everyone takes its page's topics
	start = time.Now()
	old := len(d.users) - added*dayClassSize
	if err := d.resubscribe(ctx, 0, old, func(u *dayUser) []string { return []string{presenceIdleTopic} }); err != nil {
		return err
	}
	newUsers := d.users[old:]
	set, err := openSubscribers(ctx, env, fmt.Sprintf("day %d", len(d.users)), subscriberSpec{
		N:      len(newUsers),
		Token:  func(i int) string { return newUsers[i].Token },
		Topics: func(int) []string { return []string{presenceIdleTopic} },
		Handle: func(i int, ev Event) { d.handle(newUsers[i], ev) },
	})
	if err != nil {
		return err
	}
	d.sets = append(d.sets, set)
	// let the online changes settle before everyone listens again
	if err := sleepUntil(ctx, time.Now().Add(3*time.Second)); err != nil {
		return err
	}
	if err := d.resubscribe(ctx, 0, len(d.users), func(u *dayUser) []string { return u.topics(d) }); err != nil {
		return err
	}
	log.Printf("day: %d connections, %d new, subscribed in %s", len(d.users), len(newUsers), time.Since(start).Round(time.Millisecond))
	return nil
}

func (d *day) resubscribe(ctx context.Context, from, to int, topics func(u *dayUser) []string) error {
	// the sets hold the connections in order of d.users
	var conns []*RealtimeConn
	for _, s := range d.sets {
		conns = append(conns, s.conns...)
	}
	return forEach(ctx, to-from, d.env.Config.Workers, func(ctx context.Context, k int) error {
		u := d.users[from+k]
		if err := conns[from+k].Subscribe(ctx, u.Token, topics(u)...); err != nil {
			return fmt.Errorf("connection %d resubscribe: %w", from+k, err)
		}
		return nil
	})
}

func (d *day) closeConns() {
	for _, s := range d.sets {
		s.Close(d.env)
	}
}

// setUpCourse creates a class's course, enrollments, chat room, live
// session (started) and office hours.
func (d *day) setUpCourse(ctx context.Context, course *dayCourse) error {
	c := d.env.Client
	instructor := course.instructor
	rec, err := c.CreateRecord(ctx, c.SuperuserToken, collections.Courses, map[string]any{
		collections.CourseTitle:      fmt.Sprintf("Bench day class %d", course.idx),
		collections.CourseInstructor: instructor.Id,
		collections.CoursePublished:  true,
	})
	if err != nil {
		return fmt.Errorf("create course: %w", err)
	}
	course.id = rec.Id
	participants := []string{instructor.Id}
	for _, s := range course.students {
		participants = append(participants, s.Id)
		if _, err := c.CreateRecord(ctx, c.SuperuserToken, collections.Enrollments, map[string]any{
			collections.EnrollmentCourse:  course.id,
			collections.EnrollmentStudent: s.Id,
			collections.EnrollmentStatus:  collections.EnrollmentActive,
		}); err != nil {
			return fmt.Errorf("enrol: %w", err)
		}
	}
	room, err := c.CreateRecord(ctx, c.SuperuserToken, collections.ChatRooms, map[string]any{
		collections.ChatRoomName:         fmt.Sprintf("Bench day class %d", course.idx),
		collections.ChatRoomType:         collections.ChatRoomTypeCourse,
		collections.ChatRoomCourse:       course.id,
		collections.ChatRoomParticipants: participants,
		collections.ChatRoomCreatedBy:    instructor.Id,
	})
	if err != nil {
		return fmt.Errorf("create chat room: %w", err)
	}
	course.room = room.Id
	session, err := c.CreateRecord(ctx, c.SuperuserToken, collections.LiveSessions, map[string]any{
		collections.LiveSessionInstructor:      instructor.Id,
		collections.LiveSessionCourse:          course.id,
		collections.LiveSessionTitle:           fmt.Sprintf("Bench day class %d", course.idx),
		collections.LiveSessionScheduledStart:  time.Now().UTC().Add(time.Hour).Format("2006-01-02 15:04:05.000Z"),
		collections.LiveSessionDurationMinutes: 8 * 60,
		collections.LiveSessionCapacity:        daySessionSeats,
		collections.LiveSessionVisibility:      collections.LiveSessionVisibilityCourse,
		collections.LiveSessionStatus:          collections.LiveSessionScheduled,
	})
	if err != nil {
		return fmt.Errorf("create live session: %w", err)
	}
	course.session = session.Id
	if err := c.Do(ctx, http.MethodPost, "/api/live-sessions/"+session.Id+"/start", instructor.Token, map[string]any{}, nil); err != nil {
		return fmt.Errorf("start live session: %w", err)
	}
	now := time.Now().UTC()
	slot, err := c.CreateRecord(ctx, c.SuperuserToken, collections.OfficeHours, map[string]any{
		collections.OfficeHoursInstructor: instructor.Id,
		collections.OfficeHoursCourse:     course.id,
		collections.OfficeHoursDayOfWeek:  int(now.Weekday()),
		collections.OfficeHoursStartTime:  "00:00",
		collections.OfficeHoursEndTime:    "23:59",
		collections.OfficeHoursTimezone:   "UTC",
		collections.OfficeHoursActive:     true,
	})
	if err != nil {
		return fmt.Errorf("create office hours: %w", err)
	}
	course.slot = slot.Id
	return nil
}

// ---------------------------------------------------------------------------
// one step

type dayStepResult struct {
	row   []string
	cells map[string]string
	ok    bool
}

func (d *day) step(ctx context.Context) (*dayStepResult, error) {
	env := d.env
	n := len(d.users)
	loadBefore := loadAverage()
	d.resetStats()

	warmStart := time.Now()
	measureStart := warmStart.Add(*dayWarmup)
	measureEnd := measureStart.Add(*dayMeasure)
	d.winMu.Lock()
	d.winStart, d.winEnd = measureStart, measureEnd
	d.winMu.Unlock()

	loadCtx, stopLoad := context.WithDeadline(ctx, measureEnd)
	defer stopLoad()
	var clocks sync.WaitGroup
	for _, u := range d.users {
		d.schedule(loadCtx, &clocks, u)
	}
	log.Printf("day: %d active users, warming up for %s", n, *dayWarmup)
	if err := sleepUntil(ctx, measureStart); err != nil {
		return nil, err
	}
	cpu0, bench0 := serverCPU(env), benchCPU()
	log.Printf("day: %d active users, measuring for %s", n, *dayMeasure)
	if err := sleepUntil(ctx, measureEnd); err != nil {
		return nil, err
	}
	serverUsed, benchUsed := cpuDelta(env, cpu0), benchCPUSince(bench0)
	rss, _ := env.Server.RSS()
	stopLoad()
	clocks.Wait()
	d.inflight.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	// the last deliveries
	if _, err := waitUntil(ctx, time.Now().Add(env.Config.Drain), d.allDelivered); err != nil {
		return nil, err
	}
	if err := sleepUntil(ctx, time.Now().Add(graceAfterComplete)); err != nil {
		return nil, err
	}
	loadAfter := loadAverage()

	held := 0
	for _, s := range d.sets {
		h, streamErr := s.Held()
		held += h
		if streamErr != nil {
			log.Printf("day: a stream ended: %v", streamErr)
		}
	}
	rows, logRows, err := d.countWrites(ctx, measureStart, measureEnd)
	if err != nil {
		log.Printf("day: counting rows: %v", err)
	}

	// --- the step's numbers
	res := &dayStepResult{cells: map[string]string{}, ok: true}
	window := measureEnd.Sub(measureStart)
	var requests, httpN, errorsN int
	firstErr := ""
	slowestPage := time.Duration(-1)
	for _, name := range dayOpOrder {
		st := d.ops[name]
		if st == nil {
			res.cells[name] = "—"
			continue
		}
		sum := Summarize(st.times)
		requests += st.requests
		httpN += st.http
		errorsN += st.errors
		if st.firstErr != "" && firstErr == "" {
			firstErr = st.firstErr
		}
		cell := "—"
		if sum.Count > 0 {
			cell = fmt.Sprintf("%s (%d)", formatMillis(sum.P99), sum.Count)
		}
		if st.errors > 0 {
			cell += fmt.Sprintf(", %d errors", st.errors)
		}
		res.cells[name] = cell
		if strings.HasPrefix(name, opPagePrefix) {
			slowestPage = max(slowestPage, sum.P99)
		}
	}
	p99Of := func(name string) time.Duration {
		if st := d.ops[name]; st != nil && len(st.times) > 0 {
			return Summarize(st.times).P99
		}
		return -1
	}
	errorsOf := func(name string) int {
		if st := d.ops[name]; st != nil {
			return st.errors
		}
		return 0
	}
	ms := func(v time.Duration) string {
		if v < 0 {
			return "—"
		}
		return formatMillis(v)
	}
	worstOf := func(kr dayKindResult) time.Duration {
		if kr.items == 0 {
			return -1
		}
		return kr.worst
	}
	p99Kind := func(kr dayKindResult) time.Duration {
		if kr.items == 0 {
			return -1
		}
		return kr.lat.P99
	}
	var lost int
	kindCell := map[string]dayKindResult{}
	for _, name := range d.kindOrder() {
		kr := d.kinds[name].evaluate()
		kindCell[name] = kr
		lost += kr.missing + kr.dups + kr.strays + kr.wrong
		res.cells[name] = "— (0 events)"
		if kr.items > 0 {
			res.cells[name] = fmt.Sprintf("%s (%d events, %d deliveries; last %s)", formatMillis(kr.lat.P99), kr.items, kr.lat.Count, formatMillis(kr.worst))
		}
		if kr.missing+kr.dups+kr.strays+kr.wrong > 0 {
			res.cells[name] += fmt.Sprintf(", %d missing, %d dup, %d stray, %d wrong", kr.missing, kr.dups, kr.strays, kr.wrong)
			env.Fail("day %d users: %s: %d missing, %d duplicate, %d misdelivered, %d wrong deliveries", n, name, kr.missing, kr.dups, kr.strays, kr.wrong)
		}
	}
	lost += int(d.leaks.Load() + d.flaps.Load())
	if errorsN > 0 {
		env.Fail("day %d users: %d requests failed (first: %s)", n, errorsN, firstErr)
	}
	if l := d.leaks.Load(); l > 0 {
		env.Fail("day %d users: %d events reached a user they were not for (e.g. %v)", n, l, d.leakSample.Load())
	}
	if f := d.flaps.Load(); f > 0 {
		env.Fail("day %d users: %d presence events showed a connected user offline or away", n, f)
	}
	if held < n {
		env.Fail("day %d users: %d/%d connections held", n, held, n)
		lost += n - held
	}

	levels := []struct {
		name string
		ok   bool
	}{
		{"chat POST", p99Of(opChatSend) < dayGoalChatPost && errorsOf(opChatSend) == 0},
		{"chat delivery", kindCell[kindChat].lat.P99 < dayGoalChatDelivery},
		{"join", p99Of(opJoin) < dayGoalJoin && errorsOf(opJoin) == 0},
		{"lesson", kindCell[kindLesson].worst < dayGoalNotify},
		{"admit", kindCell[kindAdmit].worst < dayGoalAdmit},
		{"presence", kindCell[kindPresence].worst < dayGoalPresence},
		{"nothing lost or refused", errorsN == 0 && lost == 0},
	}
	var broken []string
	for _, l := range levels {
		if !l.ok {
			broken = append(broken, l.name)
		}
	}
	verdict := "all met"
	if len(broken) > 0 {
		res.ok = false
		verdict = "broken: " + strings.Join(broken, ", ")
	}
	pct := func(used time.Duration) string {
		if used < 0 {
			return "n/a"
		}
		return fmt.Sprintf("%.0f%%", 100*used.Seconds()/window.Seconds())
	}
	perSec := func(v int) string {
		if v < 0 {
			return "n/a"
		}
		return fmt.Sprintf("%.1f", float64(v)/window.Seconds())
	}
	ins, upd := rows[0], rows[1]
	rowsCell := "n/a"
	if ins >= 0 && upd >= 0 {
		rowsCell = fmt.Sprintf("%.1f (%s + %s)", float64(ins+upd)/window.Seconds(), perSec(ins), perSec(upd))
	}
	res.row = []string{
		strconv.Itoa(n), loadBefore + " → " + loadAfter, fmt.Sprintf("%.1f / %.1f", float64(requests)/window.Seconds(), float64(httpN)/window.Seconds()),
		ms(p99Of(opChatSend)), ms(p99Kind(kindCell[kindChat])), ms(p99Of(opJoin)),
		ms(worstOf(kindCell[kindLesson])), ms(worstOf(kindCell[kindAdmit])), ms(worstOf(kindCell[kindPresence])),
		ms(slowestPage), pct(serverUsed), pct(benchUsed), formatMiB(rss), rowsCell, perSec(logRows),
		fmt.Sprintf("%d / %d", errorsN, lost), verdict,
	}
	log.Printf("day: %d users: %s", n, strings.Join(res.row, " | "))
	return res, nil
}

func (d *day) kindOrder() []string {
	return []string{kindChat, kindLesson, kindAdmit, kindPresence}
}

func (d *day) resetStats() {
	d.opsMu.Lock()
	d.ops = map[string]*dayOpStats{}
	d.opsMu.Unlock()
	for _, k := range d.kinds {
		k.mu.Lock()
		k.items = map[string]*dayItem{}
		k.groups = nil
		k.mu.Unlock()
	}
	d.leaks.Store(0)
	d.flaps.Store(0)
}

// measured reports whether something fired at t belongs to the measured
// window.
func (d *day) measured(t time.Time) bool {
	d.winMu.RLock()
	defer d.winMu.RUnlock()
	return !t.Before(d.winStart) && t.Before(d.winEnd)
}

// ---------------------------------------------------------------------------
// the load: each user's clocks

// schedule starts u's clocks for the step; they stop with ctx.
func (d *day) schedule(ctx context.Context, clocks *sync.WaitGroup, u *dayUser) {
	every := func(interval time.Duration, fn func(ctx context.Context, fired time.Time)) {
		clocks.Go(func() {
			next := time.Now().Add(rand.N(interval))
			for sleepUntil(ctx, next) == nil {
				fired := next
				next = next.Add(interval)
				d.inflight.Go(func() { fn(context.WithoutCancel(ctx), fired) })
			}
		})
	}
	every(dayMix.heartbeat, func(ctx context.Context, fired time.Time) {
		var row struct {
			Status string `json:"status"`
		}
		err := d.call(ctx, opHeartbeat, fired, u, http.MethodPost, "/api/presence/heartbeat", map[string]any{"active": true}, &row)
		if err == nil && (row.Status == "offline" || row.Status == "away") {
			d.record(opHeartbeat, fired, 0, fmt.Errorf("heartbeat answered %q for a connected, active user", row.Status), 0)
		}
	})
	every(dayMix.unreadBadge, func(ctx context.Context, fired time.Time) {
		_ = d.call(ctx, opUnreadBadge, fired, u, http.MethodGet, "/api/chat/unread", nil, nil)
	})
	every(dayMix.pageLoad, func(ctx context.Context, fired time.Time) { d.pageLoad(ctx, fired, u) })
	every(dayMix.presence, func(ctx context.Context, fired time.Time) { d.changePresence(ctx, fired, u) })
	switch u.page {
	case pageChat:
		every(dayMix.chatSend, func(ctx context.Context, fired time.Time) { d.sendChat(ctx, fired, u) })
	case pageSession:
		every(dayMix.sessionToggle, func(ctx context.Context, fired time.Time) { d.toggleSession(ctx, fired, u) })
	case pageOfficeHours:
		every(dayMix.queueJoin, func(ctx context.Context, fired time.Time) { d.joinQueue(ctx, fired, u) })
	case pageNotifications:
		every(dayMix.notifRead, func(ctx context.Context, fired time.Time) {
			id, _ := u.lastNotif.Load().(string)
			if id != "" {
				_ = d.call(ctx, opNotifRead, fired, u, http.MethodPost, "/api/notifications/"+id+"/read", map[string]any{}, nil)
			}
		})
	case pageInstructor:
		every(dayMix.admit, func(ctx context.Context, fired time.Time) { d.admitNext(ctx, fired, u) })
		every(dayMix.publish, func(ctx context.Context, fired time.Time) { d.publishLesson(ctx, fired, u) })
	}
}

// call does one request as u and records it under op.
func (d *day) call(ctx context.Context, op string, fired time.Time, u *dayUser, method, path string, in, out any) error {
	t0 := time.Now()
	err := d.env.Client.Do(ctx, method, path, u.Token, in, out)
	d.record(op, fired, time.Since(t0), err, 1)
	return err
}

// record adds one operation's outcome to op's statistics when it fired in
// the measured window; requests is how many HTTP requests it made, 0 for
// a check of an answer already counted (which adds only an error).
func (d *day) record(op string, fired time.Time, took time.Duration, err error, requests int) {
	counted := requests > 0
	if !d.measured(fired) {
		if err != nil {
			log.Printf("day: %s (before the window): %v", op, err)
		}
		return
	}
	d.opsMu.Lock()
	defer d.opsMu.Unlock()
	st := d.ops[op]
	if st == nil {
		st = &dayOpStats{}
		d.ops[op] = st
	}
	if counted {
		st.requests++
		st.http += requests
	}
	if err != nil {
		st.errors++
		if st.firstErr == "" {
			st.firstErr = op + ": " + err.Error()
		}
		return
	}
	if counted {
		st.times = append(st.times, took)
	}
}

type dayOpStats struct {
	times    []time.Duration
	requests int // operations
	http     int // HTTP requests they made
	errors   int
	firstErr string
}

// pageLoad reads what u's page shows, one request after another.
func (d *day) pageLoad(ctx context.Context, fired time.Time, u *dayUser) {
	course := u.course
	q := func(v url.Values) string { return "?" + v.Encode() }
	records := func(collection string) string { return "/api/collections/" + collection + "/records" }
	var paths []string
	switch u.page {
	case pageDashboard:
		paths = []string{
			records(collections.LiveSessions) + q(url.Values{"page": {"1"}, "perPage": {"6"}, "filter": {`status = "live" || status = "scheduled"`}, "sort": {"-status,scheduledStart"}, "expand": {"course"}}),
			records(collections.Enrollments) + q(url.Values{"perPage": {"500"}, "skipTotal": {"1"}, "filter": {fmt.Sprintf(`student = "%s" && status != "dropped"`, u.Id)}, "fields": {"course"}}),
			"/api/presence/online" + q(url.Values{"course": {course.id}}),
		}
	case pageChat:
		paths = []string{
			records(collections.ChatRooms) + q(url.Values{"perPage": {"500"}, "skipTotal": {"1"}, "sort": {"-lastMessageAt,-created"}}),
			records(collections.ChatMessages) + q(url.Values{"page": {"1"}, "perPage": {"50"}, "filter": {fmt.Sprintf(`room = "%s"`, course.room)}, "sort": {"-created,-id"}, "expand": {"sender"}}),
			"POST /api/chat/rooms/" + course.room + "/read",
		}
	case pageSession:
		paths = []string{
			records(collections.LiveSessions) + "/" + course.session + q(url.Values{"expand": {"course"}}),
			"/api/live-sessions/" + course.session + "/attendees",
		}
	case pageOfficeHours:
		paths = []string{
			records(collections.OfficeHours) + q(url.Values{"perPage": {"500"}, "skipTotal": {"1"}, "filter": {"active = true"}, "expand": {"instructor,course"}, "sort": {"dayOfWeek,startTime"}}),
			records(collections.OfficeHoursQueue) + q(url.Values{"page": {"1"}, "perPage": {"20"}, "filter": {fmt.Sprintf(`student = "%s"`, u.Id)}, "sort": {"-created"}, "expand": {"instructor"}}),
		}
	case pageNotifications:
		paths = []string{
			records(collections.Notifications) + q(url.Values{"page": {"1"}, "perPage": {"50"}, "filter": {`archivedAt = ""`}, "sort": {"-created"}}),
		}
	case pageInstructor:
		paths = []string{
			records(collections.Courses) + q(url.Values{"perPage": {"500"}, "skipTotal": {"1"}, "filter": {fmt.Sprintf(`instructor = "%s"`, u.Id)}, "fields": {"id"}}),
			records(collections.OfficeHoursQueue) + q(url.Values{"perPage": {"500"}, "skipTotal": {"1"}, "filter": {fmt.Sprintf(`instructor = "%s" && (status = "waiting" || status = "admitted")`, u.Id)}, "sort": {"position"}}),
		}
	}
	paths = append(paths, "/api/notifications/unread-count")
	t0 := time.Now()
	for k, p := range paths {
		method := http.MethodGet
		var body any
		if rest, ok := strings.CutPrefix(p, "POST "); ok {
			method, p, body = http.MethodPost, rest, map[string]any{}
		}
		if err := d.env.Client.Do(ctx, method, p, u.Token, body, nil); err != nil {
			d.record(opPagePrefix+u.page, fired, 0, err, k+1)
			return
		}
	}
	d.record(opPagePrefix+u.page, fired, time.Since(t0), nil, len(paths))
}

// sendChat posts one message to u's course room.
func (d *day) sendChat(ctx context.Context, fired time.Time, u *dayUser) {
	body := fmt.Sprintf("%s#%d", d.tag, d.seq.Add(1))
	item := d.kinds[kindChat].add(body, d.measured(fired), u.course.chatUsers, 0, "")
	_, err := d.env.Client.CreateRecord(ctx, u.Token, collections.ChatMessages, map[string]any{
		collections.ChatMessageRoom:   u.course.room,
		collections.ChatMessageSender: u.Id,
		collections.ChatMessageBody:   body,
	})
	d.record(opChatSend, fired, time.Since(item.sent), err, 1)
	if err != nil {
		item.fail()
		d.failedChat.Add(1) // it may still have been stored
		return
	}
	d.sentChat.Add(1)
}

// toggleSession joins u to its class's live session, or leaves it.
func (d *day) toggleSession(ctx context.Context, fired time.Time, u *dayUser) {
	if !u.mu.TryLock() {
		return // the previous join or leave still runs
	}
	defer u.mu.Unlock()
	op, verb := opJoin, "join"
	if u.joined {
		op, verb = opLeave, "leave"
	}
	var rec struct {
		Active bool `json:"active"`
	}
	err := d.call(ctx, op, fired, u, http.MethodPost, "/api/live-sessions/"+u.course.session+"/"+verb, map[string]any{}, &rec)
	if err != nil {
		u.course.unsure.Store(true) // it may still have happened
		return
	}
	if rec.Active != !u.joined {
		d.record(op, fired, 0, fmt.Errorf("the attendee record says active=%v after %s", rec.Active, verb), 0)
	}
	u.joined = !u.joined
	u.course.sessionMu.Lock()
	u.course.joined[u.Id] = u.joined
	u.course.sessionMu.Unlock()
}

// joinQueue puts u in its instructor's queue when it is not in it.
func (d *day) joinQueue(ctx context.Context, fired time.Time, u *dayUser) {
	course := u.course
	course.qmu.Lock()
	defer course.qmu.Unlock()
	if u.queued.Load() {
		return
	}
	var entry struct {
		Id       string `json:"id"`
		Position int    `json:"position"`
		Status   string `json:"status"`
	}
	err := d.call(ctx, opQueueJoin, fired, u, http.MethodPost, "/api/office-hours/"+course.slot+"/queue",
		map[string]any{"question": dayQuestionText}, &entry)
	if err != nil {
		course.unsure.Store(true)
		return
	}
	if entry.Status != collections.QueueWaiting || entry.Position != len(course.waiting)+1 {
		d.record(opQueueJoin, fired, 0, fmt.Errorf("joined as %s at position %d, want waiting at %d", entry.Status, entry.Position, len(course.waiting)+1), 0)
	}
	course.waiting = append(course.waiting, dayEntry{id: entry.Id, user: u})
	u.queued.Store(true)
}

// admitNext completes the current visit of u's queue and admits the
// first waiting student; every other waiting student must see its new
// position.
func (d *day) admitNext(ctx context.Context, fired time.Time, u *dayUser) {
	course := u.course
	course.qmu.Lock()
	defer course.qmu.Unlock()
	if course.admitted != nil {
		err := d.call(ctx, opComplete, fired, u, http.MethodPost, "/api/office-hours/queue/"+course.admitted.id+"/complete", map[string]any{}, nil)
		if err != nil {
			course.unsure.Store(true)
			return
		}
		course.admitted.user.queued.Store(false)
		course.admitted = nil
	}
	if len(course.waiting) == 0 {
		return
	}
	first := course.waiting[0]
	kind := d.kinds[kindAdmit]
	measured := d.measured(fired)
	items := []*dayItem{kind.add(first.id+"@"+collections.QueueAdmitted, measured, []int{first.user.idx}, 0, "")}
	for k, e := range course.waiting[1:] {
		items = append(items, kind.add(fmt.Sprintf("%s@%d", e.id, k+1), measured, []int{e.user.idx}, 0, ""))
	}
	kind.group(items)
	err := d.call(ctx, opAdmit, fired, u, http.MethodPost, "/api/office-hours/queue/"+first.id+"/admit", map[string]any{}, nil)
	if err != nil {
		for _, it := range items {
			it.fail()
		}
		course.unsure.Store(true)
		return
	}
	course.waiting = course.waiting[1:]
	course.admitted = &first
}

// publishLesson has u publish a lesson in its course: a new_lesson
// notification for every enrolled student.
func (d *day) publishLesson(ctx context.Context, fired time.Time, u *dayUser) {
	course := u.course
	seq := d.seq.Add(1)
	title := fmt.Sprintf("%s-lesson-%d", d.tag, seq)
	var students []int
	for _, s := range course.students {
		students = append(students, s.idx)
	}
	item := d.kinds[kindLesson].add(title, d.measured(fired), students, 0, "")
	rec, err := d.env.Client.CreateRecord(ctx, u.Token, collections.Lessons, map[string]any{
		collections.LessonCourse:    course.id,
		collections.LessonTitle:     title,
		collections.LessonOrder:     course.order.Add(1),
		collections.LessonPublished: true,
	})
	d.record(opPublish, fired, time.Since(item.sent), err, 1)
	if err != nil {
		item.fail()
		d.failedLessons.Add(1)
		return
	}
	d.lessons.Add(1)
	d.lessonIds.Store(title, rec.Id)
}

// changePresence makes u busy, or online again, with a tagged activity.
func (d *day) changePresence(ctx context.Context, fired time.Time, u *dayUser) {
	u.presenceMu.Lock()
	defer u.presenceMu.Unlock()
	status := "busy"
	if u.busy {
		status = "online"
	}
	activity := fmt.Sprintf("%s#%d", d.tag, d.seq.Add(1))
	item := d.kinds[kindPresence].add(activity, d.measured(fired), nil, len(d.users), status)
	err := d.call(ctx, opPresence, fired, u, http.MethodPut, "/api/presence/status", map[string]any{"status": status, "activity": activity}, nil)
	if err != nil {
		item.fail()
		return
	}
	u.busy = !u.busy
}

// ---------------------------------------------------------------------------
// deliveries

// handle reads one event of u's connection, on that connection's own
// goroutine.
func (d *day) handle(u *dayUser, ev Event) {
	switch {
	case ev.Name == collections.Presence+"/*":
		var msg struct {
			Record struct {
				User     string `json:"user"`
				Status   string `json:"status"`
				Activity string `json:"activity"`
			} `json:"record"`
		}
		if json.Unmarshal(ev.Data, &msg) != nil {
			return
		}
		if strings.HasPrefix(msg.Record.Activity, d.tag+"#") {
			d.kinds[kindPresence].arrive(msg.Record.Activity, u.idx, ev.At, msg.Record.Status)
			return
		}
		if msg.Record.Status == "offline" || msg.Record.Status == "away" {
			d.flaps.Add(1)
			log.Printf("day: connection %d saw user %s %s", u.idx, msg.Record.User, msg.Record.Status)
		}
	case ev.Name == collections.Notifications+"/*":
		var msg struct {
			Action string `json:"action"`
			Record struct {
				Id    string `json:"id"`
				User  string `json:"user"`
				Type  string `json:"type"`
				Title string `json:"title"`
			} `json:"record"`
		}
		if json.Unmarshal(ev.Data, &msg) != nil {
			return
		}
		if msg.Record.User != u.Id {
			d.leak(u, ev)
			return
		}
		if msg.Action != "create" {
			return
		}
		u.lastNotif.Store(msg.Record.Id)
		if msg.Record.Type == collections.TypeNewLesson {
			title, _ := strings.CutPrefix(msg.Record.Title, "New lesson: ")
			d.kinds[kindLesson].arrive(title, u.idx, ev.At, "")
		}
	case ev.Name == "chat/"+u.course.room:
		if seq, ok := eventBody(ev.Data); ok && strings.HasPrefix(seq, d.tag+"#") {
			d.kinds[kindChat].arrive(seq, u.idx, ev.At, "")
		}
	case strings.HasPrefix(ev.Name, "chat/"):
		d.leak(u, ev)
	case ev.Name == collections.OfficeHoursQueue+"/*":
		var msg struct {
			Action string `json:"action"`
			Record struct {
				Id       string `json:"id"`
				Student  string `json:"student"`
				Status   string `json:"status"`
				Position int    `json:"position"`
			} `json:"record"`
		}
		if json.Unmarshal(ev.Data, &msg) != nil || u.page == pageInstructor {
			return
		}
		if msg.Record.Student != u.Id {
			d.leak(u, ev)
			return
		}
		if msg.Action != "update" {
			return
		}
		key := fmt.Sprintf("%s@%d", msg.Record.Id, msg.Record.Position)
		if msg.Record.Status == collections.QueueAdmitted {
			key = msg.Record.Id + "@" + collections.QueueAdmitted
		}
		d.kinds[kindAdmit].arrive(key, u.idx, ev.At, "")
	}
}

func (d *day) leak(u *dayUser, ev Event) {
	d.leaks.Add(1)
	d.leakSample.CompareAndSwap(nil, fmt.Sprintf("connection %d (%s page) got %s %.200s", u.idx, u.page, ev.Name, ev.Data))
}

// eventBody is the body of a chat record event.
func eventBody(data []byte) (string, bool) {
	var msg struct {
		Action string `json:"action"`
		Record struct {
			Body string `json:"body"`
		} `json:"record"`
	}
	if json.Unmarshal(data, &msg) != nil || msg.Action != "create" {
		return "", false
	}
	return msg.Record.Body, true
}

// dayKind tracks one kind of realtime delivery: each item (a message, a
// lesson's notifications, an admit's position updates, a status change)
// is registered with its receivers just before the request that causes
// it, and every arrival is counted.
type dayKind struct {
	name      string
	countDups bool
	mu        sync.Mutex
	items     map[string]*dayItem
	groups    [][]*dayItem // items that count as one event (an admit)
}

type dayItem struct {
	sent     time.Time
	measured bool
	failed   atomic.Bool
	members  []int // connection indices that must receive it
	all      int   // or, when > 0, connections 0..all-1
	want     string
	mu       sync.Mutex
	counts   []uint16
	first    []time.Duration
	strays   int
	wrong    int
}

// add registers the item key, to be received by the connections members
// or, when all > 0, by connections 0..all-1, with the status want if it is
// not empty. The caller sends the causing request right after.
func (k *dayKind) add(key string, measured bool, members []int, all int, want string) *dayItem {
	it := &dayItem{measured: measured, members: members, all: all, want: want}
	it.counts = make([]uint16, it.size())
	it.first = make([]time.Duration, it.size())
	k.mu.Lock()
	k.items[key] = it
	k.groups = append(k.groups, []*dayItem{it})
	k.mu.Unlock()
	it.mu.Lock()
	it.sent = time.Now()
	it.mu.Unlock()
	return it
}

// group makes items one event, whose worst delivery counts against a
// level stated for "every receiver" (an admit's position updates).
func (k *dayKind) group(items []*dayItem) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.groups = slices.DeleteFunc(k.groups, func(g []*dayItem) bool { return len(g) == 1 && slices.Contains(items, g[0]) })
	k.groups = append(k.groups, items)
}

func (it *dayItem) fail() { it.failed.Store(true) }

func (it *dayItem) size() int {
	if it.all > 0 {
		return it.all
	}
	return len(it.members)
}

func (it *dayItem) slot(conn int) int {
	if it.all > 0 {
		if conn < it.all {
			return conn
		}
		return -1
	}
	return slices.Index(it.members, conn)
}

// arrive counts one delivery of key at connection conn.
func (k *dayKind) arrive(key string, conn int, at time.Time, status string) {
	k.mu.Lock()
	it := k.items[key]
	k.mu.Unlock()
	if it == nil {
		return
	}
	it.mu.Lock()
	defer it.mu.Unlock()
	s := it.slot(conn)
	if s < 0 {
		it.strays++
		return
	}
	if it.want != "" && status != it.want {
		it.wrong++
		return
	}
	it.counts[s]++
	if it.counts[s] == 1 {
		it.first[s] = at.Sub(it.sent)
	}
}

// complete reports whether every receiver of every measured item has it.
func (k *dayKind) complete() bool {
	k.mu.Lock()
	items := make([]*dayItem, 0, len(k.items))
	for _, it := range k.items {
		items = append(items, it)
	}
	k.mu.Unlock()
	for _, it := range items {
		if !it.measured || it.failed.Load() {
			continue
		}
		it.mu.Lock()
		done := !slices.Contains(it.counts, 0)
		it.mu.Unlock()
		if !done {
			return false
		}
	}
	return true
}

func (d *day) allDelivered() bool {
	for _, k := range d.kinds {
		if !k.complete() {
			return false
		}
	}
	return true
}

type dayKindResult struct {
	lat                          Summary
	items                        int
	worst                        time.Duration // the worst event's last delivery
	missing, dups, strays, wrong int
}

// evaluate counts the measured items once the load has stopped.
func (k *dayKind) evaluate() dayKindResult {
	k.mu.Lock()
	defer k.mu.Unlock()
	var r dayKindResult
	var lat []time.Duration
	for _, group := range k.groups {
		var worst time.Duration
		counted := false
		for _, it := range group {
			if !it.measured || it.failed.Load() {
				continue
			}
			counted = true
			it.mu.Lock()
			r.strays += it.strays
			r.wrong += it.wrong
			for s := range it.size() {
				c := it.counts[s]
				switch {
				case c == 0:
					r.missing++
				default:
					lat = append(lat, it.first[s])
					worst = max(worst, it.first[s])
					if k.countDups {
						r.dups += int(c) - 1
					}
				}
			}
			it.mu.Unlock()
		}
		if counted {
			r.items++
			r.worst = max(r.worst, worst)
		}
	}
	k.groups = nil
	r.lat = Summarize(lat)
	return r
}

// ---------------------------------------------------------------------------
// writes and the stored state

// countWrites counts, over [from, to), the rows of every collection
// created, and the rows created before and updated in it, and
// PocketBase's request log rows; -1 where it could not.
func (d *day) countWrites(ctx context.Context, from, to time.Time) (rows [2]int, logRows int, err error) {
	c := d.env.Client
	rows, logRows = [2]int{-1, -1}, -1
	var list struct {
		Items []struct {
			Name   string `json:"name"`
			Type   string `json:"type"`
			Fields []struct {
				Name string `json:"name"`
				Type string `json:"type"`
			} `json:"fields"`
		} `json:"items"`
	}
	if err := c.Superuser(ctx, http.MethodGet, "/api/collections?perPage=500", nil, &list); err != nil {
		return rows, logRows, err
	}
	const layout = "2006-01-02 15:04:05.000Z"
	f, t := from.UTC().Format(layout), to.UTC().Format(layout)
	var ins, upd int
	for _, col := range list.Items {
		if col.Type == "view" {
			continue
		}
		has := map[string]bool{}
		for _, field := range col.Fields {
			if field.Type == "autodate" {
				has[field.Name] = true
			}
		}
		if has[collections.FieldCreated] {
			n, err := c.CountRecords(ctx, col.Name, fmt.Sprintf("created >= '%s' && created < '%s'", f, t))
			if err != nil {
				return rows, logRows, fmt.Errorf("count %s: %w", col.Name, err)
			}
			ins += n
			if has[collections.FieldUpdated] {
				n, err := c.CountRecords(ctx, col.Name, fmt.Sprintf("created < '%s' && updated >= '%s' && updated < '%s'", f, f, t))
				if err != nil {
					return rows, logRows, fmt.Errorf("count %s: %w", col.Name, err)
				}
				upd += n
			}
		}
	}
	rows = [2]int{ins, upd}
	var logs struct {
		TotalItems int `json:"totalItems"`
	}
	query := url.Values{"perPage": {"1"}, "filter": {fmt.Sprintf("created >= '%s' && created < '%s'", f, t)}}
	if err := c.Superuser(ctx, http.MethodGet, "/api/logs?"+query.Encode(), nil, &logs); err != nil {
		return rows, logRows, fmt.Errorf("count logs: %w", err)
	}
	return rows, logs.TotalItems, nil
}

// checkStored compares what the server stored with the bench's model
// after the last step: seats, queues, messages, lesson notifications.
func (d *day) checkStored(ctx context.Context) error {
	env, c := d.env, d.env.Client
	type sessionRow struct {
		Id            string `json:"id"`
		AttendeeCount int    `json:"attendeeCount"`
	}
	type attendeeRow struct {
		Session string `json:"session"`
		User    string `json:"user"`
	}
	type queueRow struct {
		Id          string `json:"id"`
		OfficeHours string `json:"officeHours"`
		Position    int    `json:"position"`
		Status      string `json:"status"`
	}
	pages := len(d.users)/500 + 5
	sessions, err := ListAll[sessionRow](ctx, c, collections.LiveSessions, "title ~ 'Bench day class'", "id,attendeeCount", pages)
	if err != nil {
		return fmt.Errorf("read sessions: %w", err)
	}
	attendees, err := ListAll[attendeeRow](ctx, c, collections.LiveSessionAttendees, "active = true", "session,user", pages)
	if err != nil {
		return fmt.Errorf("read attendees: %w", err)
	}
	active := map[string]map[string]bool{}
	for _, a := range attendees {
		if active[a.Session] == nil {
			active[a.Session] = map[string]bool{}
		}
		active[a.Session][a.User] = true
	}
	countOf := map[string]int{}
	for _, s := range sessions {
		countOf[s.Id] = s.AttendeeCount
	}
	badSeats, unsure := 0, 0
	for _, course := range d.courses {
		if course.unsure.Load() {
			unsure++
			continue
		}
		want := 0
		for id, in := range course.joined {
			if in {
				want++
				if !active[course.session][id] {
					badSeats++
				}
			}
		}
		if len(active[course.session]) != want || countOf[course.session] != want || want > daySessionSeats {
			badSeats++
		}
	}
	if badSeats > 0 {
		env.Fail("day: %d live sessions whose attendeeCount, active attendee rows and the joins the bench made disagree", badSeats)
	}

	queue, err := ListAll[queueRow](ctx, c, collections.OfficeHoursQueue, "status = 'waiting'", "id,officeHours,position,status", pages)
	if err != nil {
		return fmt.Errorf("read queues: %w", err)
	}
	posOf := map[string]int{}
	perSlot := map[string]int{}
	for _, q := range queue {
		posOf[q.Id] = q.Position
		perSlot[q.OfficeHours]++
	}
	badQueues := 0
	for _, course := range d.courses {
		if course.unsure.Load() {
			continue
		}
		if perSlot[course.slot] != len(course.waiting) {
			badQueues++
			continue
		}
		for k, e := range course.waiting {
			if posOf[e.id] != k+1 {
				badQueues++
				break
			}
		}
	}
	if badQueues > 0 {
		env.Fail("day: %d office hours queues whose stored positions are not 1..N in the bench's join order", badQueues)
	}

	stored, err := c.CountRecords(ctx, collections.ChatMessages, fmt.Sprintf("body ~ '%s#'", d.tag))
	if err != nil {
		return fmt.Errorf("count messages: %w", err)
	}
	if ok, failed := d.sentChat.Load(), d.failedChat.Load(); int64(stored) < ok || int64(stored) > ok+failed {
		env.Fail("day: %d chat messages stored, %d POSTs answered 2xx and %d failed", stored, ok, failed)
	}

	type notifRow struct {
		User      string `json:"user"`
		RelatedId string `json:"relatedId"`
	}
	notes, err := ListAll[notifRow](ctx, c, collections.Notifications,
		fmt.Sprintf("type = '%s' && title ~ '%s-lesson-'", collections.TypeNewLesson, d.tag), "user,relatedId", int(d.lessons.Load())*dayClass/500+5)
	if err != nil {
		return fmt.Errorf("read lesson notifications: %w", err)
	}
	perLesson := map[string]map[string]int{}
	for _, n := range notes {
		if perLesson[n.RelatedId] == nil {
			perLesson[n.RelatedId] = map[string]int{}
		}
		perLesson[n.RelatedId][n.User]++
	}
	badLessons := 0
	d.lessonIds.Range(func(_, id any) bool {
		users := perLesson[id.(string)]
		if len(users) != dayClass {
			badLessons++
			return true
		}
		for _, count := range users {
			if count != 1 {
				badLessons++
				break
			}
		}
		return true
	})
	if ok, failed := int(d.lessons.Load()), int(d.failedLessons.Load()); badLessons > 0 || len(perLesson) < ok || len(perLesson) > ok+failed {
		env.Fail("day: %d of %d published lessons without exactly one new_lesson notification per enrolled student (%d lessons have rows)", badLessons, d.lessons.Load(), len(perLesson))
	}
	log.Printf("day: stored state checked: %d sessions and queues (%d left out: a request of theirs failed at the client), %d waiting entries, %d messages, %d lessons",
		len(d.courses), unsure, len(queue), stored, d.lessons.Load())
	return nil
}
