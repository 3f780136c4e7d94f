// Package testkit is what studyhall's test packages share: the fixture
// database every test app is cloned from, a real HTTP server with
// realtime (SSE) clients, a real SMTP server, and the rush helpers that
// prove concurrency claims.
package testkit

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"
	"github.com/pocketbase/pocketbase/tools/types"

	"studyhall/collections"
	"studyhall/hooks"
	_ "studyhall/migrations"
	"studyhall/stmtcache"
)

// Fixture ids: every test app starts as a clone of one data dir, made once
// per test run by TestMain with the real migrations and hooks.
const (
	IdStudent         = "stustudent00001" // enrolled in courseId, owns the progress, submission, payment
	IdOtherStudent    = "stustudent00002" // enrolled nowhere
	IdDroppedStudent  = "stustudent00003" // dropped out of courseId
	IdInstructor      = "insinstructor01" // teaches courseId and draftCourseId
	IdOtherInstructor = "insinstructor02" // teaches otherCourseId
	IdSuperuser       = "supsuperuser001"
	IdTA              = "tatassistant001" // a student, TA of courseId (IdCourseStaff)
	IdOtherTA         = "tatassistant002" // a student, TA of otherCourseId

	IdCourse      = "crscourse000001" // published, idInstructor
	IdDraftCourse = "crscourse000002" // draft, idInstructor
	IdOtherCourse = "crscourse000003" // published, idOtherInstructor

	IdEnrollment        = "enrenrollment01" // idStudent in idCourse
	IdDroppedEnrollment = "enrenrollment02" // idDroppedStudent in idCourse, dropped

	IdLesson      = "lsnlesson000001" // published, idCourse
	IdDraftLesson = "lsnlesson000002" // unpublished, idCourse
	IdLesson3     = "lsnlesson000003" // published, idCourse, no progress yet

	IdProgress = "prgprogress0001" // idStudent on idLesson

	IdAssessment      = "asmassessment01" // published, idCourse, max 10
	IdDraftAssessment = "asmassessment02" // unpublished, idCourse
	IdAssessment3     = "asmassessment03" // published, idCourse, nobody submitted

	IdSubmission = "subsubmission01" // idStudent on idAssessment
	IdPayment    = "paypayment00001" // idStudent for idCourse

	IdCourseStaff      = "cstcoursestaff1" // idTA on idCourse
	IdOtherCourseStaff = "cstcoursestaff2" // idOtherTA on idOtherCourse

	// IdRoom is the id a chat test gives the room it makes: IdStudent and
	// IdInstructor are in it, IdOtherStudent is not.
	IdRoom = "roomgroup000001"
)

// Actors of the access matrix.
const (
	Guest           = "guest"
	Student         = "student"
	OtherStudent    = "otherStudent"
	Instructor      = "instructor"
	OtherInstructor = "otherInstructor"
	Superuser       = "superuser"
)

// Teaching assistants, besides the matrix's actors: TA assists IdCourse,
// OtherTA IdOtherCourse. Their tokens are in Tokens by these names too.
const (
	TA      = "ta"
	OtherTA = "otherTA"
)

// Actors lists every actor in the order the matrix is read.
var Actors = []string{Guest, Student, OtherStudent, Instructor, OtherInstructor, Superuser}

var (
	baseDataDir string
	// tokens are auth tokens by actor (none for guests) plus by user id.
	Tokens = map[string]string{}
)

// Main runs a test package's tests on the fixtures: call it from the
// package's TestMain.
func Main(m *testing.M) {
	dir, err := os.MkdirTemp("", "studyhall_testdata_")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	baseDataDir = dir
	if err := buildFixtures(dir); err != nil {
		fmt.Fprintln(os.Stderr, "fixtures:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// NewTestApp is a fresh copy of the fixture database with every studyhall
// hook registered, as `studyhall serve` has it.
func NewTestApp(t testing.TB) *tests.TestApp {
	t.Helper()
	// the production driver and pool, statement cache included
	app, err := tests.NewTestAppWithConfig(core.BaseAppConfig{
		DataDir:          baseDataDir,
		EncryptionEnv:    "pb_test_env",
		DBConnect:        stmtcache.Connect,
		DataMaxOpenConns: stmtcache.MaxConns,
		DataMaxIdleConns: stmtcache.MaxConns,
	})
	if err != nil {
		t.Fatal(err)
	}
	hooks.Register(app)
	return app
}

// NewRushApp is a test app, cleaned up with the test, with PocketBase's
// per-IP rate limiter off: every request of a test that sends many at once
// comes from 127.0.0.1.
func NewRushApp(t testing.TB) *tests.TestApp {
	t.Helper()
	app := NewTestApp(t)
	t.Cleanup(app.Cleanup)
	app.Settings().RateLimits.Enabled = false
	return app
}

// AuthHeader is the Authorization header of actor, or none for a guest.
func AuthHeader(actor string) map[string]string {
	token, ok := Tokens[actor]
	if !ok {
		return nil
	}
	return map[string]string{"Authorization": token}
}

func buildFixtures(dir string) error {
	app := core.NewBaseApp(core.BaseAppConfig{DataDir: dir, EncryptionEnv: "pb_test_env"})
	if err := app.Bootstrap(); err != nil {
		return err
	}
	defer app.ResetBootstrapState()
	if err := app.RunAllMigrations(); err != nil {
		return err
	}
	hooks.Register(app)

	su, err := SaveRecord(app, core.CollectionNameSuperusers, IdSuperuser, map[string]any{
		"email": "root@studyhall.test", "password": "password123",
	})
	if err != nil {
		return err
	}
	if Tokens[Superuser], err = su.NewAuthToken(); err != nil {
		return err
	}

	users := []struct{ id, actor, name, role, tz string }{
		{IdStudent, Student, "Sam Student", collections.RoleStudent, "America/New_York"},
		{IdOtherStudent, OtherStudent, "Olive Other", collections.RoleStudent, "Europe/Berlin"},
		{IdDroppedStudent, "", "Dora Dropped", collections.RoleStudent, "UTC"},
		{IdInstructor, Instructor, "Ada Instructor", collections.RoleInstructor, "Europe/London"},
		{IdOtherInstructor, OtherInstructor, "Otto Instructor", collections.RoleInstructor, "Asia/Tokyo"},
		// names that no user search of the other tests matches
		{IdTA, TA, "Tom Helper", collections.RoleStudent, "Europe/London"},
		{IdOtherTA, OtherTA, "Kay Moe", collections.RoleStudent, "UTC"},
	}
	for _, u := range users {
		record, err := SaveRecord(app, collections.Users, u.id, map[string]any{
			"email":                             strings.ToLower(strings.ReplaceAll(u.name, " ", ".")) + "@studyhall.test",
			"password":                          "password123",
			collections.UserName:                u.name,
			collections.UserRole:                u.role,
			collections.UserTimezone:            u.tz,
			collections.UserAllowDirectMessages: true,
			"verified":                          true,
		})
		if err != nil {
			return err
		}
		token, err := record.NewAuthToken()
		if err != nil {
			return err
		}
		Tokens[u.id] = token
		if u.actor != "" {
			Tokens[u.actor] = token
		}
	}

	now := time.Now().UTC()
	fixtures := []struct {
		collection, id string
		data           map[string]any
	}{
		{collections.Courses, IdCourse, map[string]any{"title": "Algebra I", "instructor": IdInstructor, "published": true}},
		{collections.Courses, IdDraftCourse, map[string]any{"title": "Geometry (draft)", "instructor": IdInstructor, "published": false}},
		{collections.Courses, IdOtherCourse, map[string]any{"title": "Chemistry", "instructor": IdOtherInstructor, "published": true}},
		{collections.Enrollments, IdEnrollment, map[string]any{"course": IdCourse, "student": IdStudent}},
		{collections.Enrollments, IdDroppedEnrollment, map[string]any{"course": IdCourse, "student": IdDroppedStudent, "status": collections.EnrollmentDropped}},
		{collections.Lessons, IdLesson, map[string]any{"course": IdCourse, "title": "Functions", "order": 1, "published": true, "hasVideo": true}},
		{collections.Lessons, IdDraftLesson, map[string]any{"course": IdCourse, "title": "Unfinished", "order": 2}},
		{collections.Lessons, IdLesson3, map[string]any{"course": IdCourse, "title": "Quadratics", "order": 3, "published": true}},
		{collections.LessonProgress, IdProgress, map[string]any{"lesson": IdLesson, "student": IdStudent}},
		{collections.Assessments, IdAssessment, map[string]any{"course": IdCourse, "title": "Quiz 1", "published": true, "maxScore": 10, "dueAt": types.NowDateTime().Add(72 * time.Hour)}},
		{collections.Assessments, IdDraftAssessment, map[string]any{"course": IdCourse, "title": "Quiz 2 (draft)", "maxScore": 10}},
		{collections.Assessments, IdAssessment3, map[string]any{"course": IdCourse, "title": "Quiz 3", "published": true, "maxScore": 10}},
		{collections.Submissions, IdSubmission, map[string]any{"assessment": IdAssessment, "student": IdStudent, "content": "x = 2", "submittedAt": now}},
		{collections.Payments, IdPayment, map[string]any{"user": IdStudent, "course": IdCourse, "amount": 49, "currency": "EUR", "status": collections.PaymentSucceeded}},
		{collections.CourseStaff, IdCourseStaff, map[string]any{"course": IdCourse, "user": IdTA}},
		{collections.CourseStaff, IdOtherCourseStaff, map[string]any{"course": IdOtherCourse, "user": IdOtherTA}},
	}
	for _, f := range fixtures {
		if _, err := SaveRecord(app, f.collection, f.id, f.data); err != nil {
			return err
		}
	}
	return nil
}

// SaveRecord creates a record with a fixed id through app.Save, so every
// model hook runs as it would for a real write.
func SaveRecord(app core.App, collection, id string, data map[string]any) (*core.Record, error) {
	c, err := app.FindCollectionByNameOrId(collection)
	if err != nil {
		return nil, err
	}
	record := core.NewRecord(c)
	record.Id = id
	for k, v := range data {
		switch k {
		case "password":
			record.SetPassword(v.(string))
		default:
			record.Set(k, v)
		}
	}
	if err := app.Save(record); err != nil {
		return nil, fmt.Errorf("save %s %s: %w", collection, id, err)
	}
	return record, nil
}

// RecordsURL is the records API path of a collection, or of one record.
func RecordsURL(collection string, id ...string) string {
	url := "/api/collections/" + collection + "/records"
	if len(id) > 0 {
		url += "/" + id[0]
	}
	return url
}

// CountRecords counts the rows of collection matching filter.
func CountRecords(t testing.TB, app core.App, collection, filter string) int {
	t.Helper()
	records, err := app.FindRecordsByFilter(collection, filter, "", 0, 0)
	if err != nil {
		t.Fatalf("count %s: %v", collection, err)
	}
	return len(records)
}

// JsonString is v as JSON, for asserting on parts of a decoded body.
func JsonString(t testing.TB, v any) string {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}
