package hooks_test

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
	idStudent         = "stustudent00001" // enrolled in courseId, owns the progress, submission, payment
	idOtherStudent    = "stustudent00002" // enrolled nowhere
	idDroppedStudent  = "stustudent00003" // dropped out of courseId
	idInstructor      = "insinstructor01" // teaches courseId and draftCourseId
	idOtherInstructor = "insinstructor02" // teaches otherCourseId
	idSuperuser       = "supsuperuser001"

	idCourse      = "crscourse000001" // published, idInstructor
	idDraftCourse = "crscourse000002" // draft, idInstructor
	idOtherCourse = "crscourse000003" // published, idOtherInstructor

	idEnrollment        = "enrenrollment01" // idStudent in idCourse
	idDroppedEnrollment = "enrenrollment02" // idDroppedStudent in idCourse, dropped

	idLesson      = "lsnlesson000001" // published, idCourse
	idDraftLesson = "lsnlesson000002" // unpublished, idCourse
	idLesson3     = "lsnlesson000003" // published, idCourse, no progress yet

	idProgress = "prgprogress0001" // idStudent on idLesson

	idAssessment      = "asmassessment01" // published, idCourse, max 10
	idDraftAssessment = "asmassessment02" // unpublished, idCourse
	idAssessment3     = "asmassessment03" // published, idCourse, nobody submitted

	idSubmission = "subsubmission01" // idStudent on idAssessment
	idPayment    = "paypayment00001" // idStudent for idCourse
)

// Actors of the access matrix.
const (
	guest           = "guest"
	student         = "student"
	otherStudent    = "otherStudent"
	instructor      = "instructor"
	otherInstructor = "otherInstructor"
	superuser       = "superuser"
)

// actors lists every actor in the order the matrix is read.
var actors = []string{guest, student, otherStudent, instructor, otherInstructor, superuser}

var (
	baseDataDir string
	// tokens are auth tokens by actor (none for guests) plus by user id.
	tokens = map[string]string{}
)

func TestMain(m *testing.M) {
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

// newTestApp is a fresh copy of the fixture database with every studyhall
// hook registered, as `studyhall serve` has it.
func newTestApp(t testing.TB) *tests.TestApp {
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

// newRushApp is a test app, cleaned up with the test, with PocketBase's
// per-IP rate limiter off: every request of a test that sends many at once
// comes from 127.0.0.1.
func newRushApp(t testing.TB) *tests.TestApp {
	t.Helper()
	app := newTestApp(t)
	t.Cleanup(app.Cleanup)
	app.Settings().RateLimits.Enabled = false
	return app
}

// authHeader is the Authorization header of actor, or none for a guest.
func authHeader(actor string) map[string]string {
	token, ok := tokens[actor]
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

	su, err := saveRecord(app, core.CollectionNameSuperusers, idSuperuser, map[string]any{
		"email": "root@studyhall.test", "password": "password123",
	})
	if err != nil {
		return err
	}
	if tokens[superuser], err = su.NewAuthToken(); err != nil {
		return err
	}

	users := []struct{ id, actor, name, role, tz string }{
		{idStudent, student, "Sam Student", collections.RoleStudent, "America/New_York"},
		{idOtherStudent, otherStudent, "Olive Other", collections.RoleStudent, "Europe/Berlin"},
		{idDroppedStudent, "", "Dora Dropped", collections.RoleStudent, "UTC"},
		{idInstructor, instructor, "Ada Instructor", collections.RoleInstructor, "Europe/London"},
		{idOtherInstructor, otherInstructor, "Otto Instructor", collections.RoleInstructor, "Asia/Tokyo"},
	}
	for _, u := range users {
		record, err := saveRecord(app, collections.Users, u.id, map[string]any{
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
		tokens[u.id] = token
		if u.actor != "" {
			tokens[u.actor] = token
		}
	}

	now := time.Now().UTC()
	fixtures := []struct {
		collection, id string
		data           map[string]any
	}{
		{collections.Courses, idCourse, map[string]any{"title": "Algebra I", "instructor": idInstructor, "published": true}},
		{collections.Courses, idDraftCourse, map[string]any{"title": "Geometry (draft)", "instructor": idInstructor, "published": false}},
		{collections.Courses, idOtherCourse, map[string]any{"title": "Chemistry", "instructor": idOtherInstructor, "published": true}},
		{collections.Enrollments, idEnrollment, map[string]any{"course": idCourse, "student": idStudent}},
		{collections.Enrollments, idDroppedEnrollment, map[string]any{"course": idCourse, "student": idDroppedStudent, "status": collections.EnrollmentDropped}},
		{collections.Lessons, idLesson, map[string]any{"course": idCourse, "title": "Functions", "order": 1, "published": true, "hasVideo": true}},
		{collections.Lessons, idDraftLesson, map[string]any{"course": idCourse, "title": "Unfinished", "order": 2}},
		{collections.Lessons, idLesson3, map[string]any{"course": idCourse, "title": "Quadratics", "order": 3, "published": true}},
		{collections.LessonProgress, idProgress, map[string]any{"lesson": idLesson, "student": idStudent}},
		{collections.Assessments, idAssessment, map[string]any{"course": idCourse, "title": "Quiz 1", "published": true, "maxScore": 10, "dueAt": types.NowDateTime().Add(72 * time.Hour)}},
		{collections.Assessments, idDraftAssessment, map[string]any{"course": idCourse, "title": "Quiz 2 (draft)", "maxScore": 10}},
		{collections.Assessments, idAssessment3, map[string]any{"course": idCourse, "title": "Quiz 3", "published": true, "maxScore": 10}},
		{collections.Submissions, idSubmission, map[string]any{"assessment": idAssessment, "student": idStudent, "content": "x = 2", "submittedAt": now}},
		{collections.Payments, idPayment, map[string]any{"user": idStudent, "course": idCourse, "amount": 49, "currency": "EUR", "status": collections.PaymentSucceeded}},
	}
	for _, f := range fixtures {
		if _, err := saveRecord(app, f.collection, f.id, f.data); err != nil {
			return err
		}
	}
	return nil
}

// saveRecord creates a record with a fixed id through app.Save, so every
// model hook runs as it would for a real write.
func saveRecord(app core.App, collection, id string, data map[string]any) (*core.Record, error) {
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

// recordsURL is the records API path of a collection, or of one record.
func recordsURL(collection string, id ...string) string {
	url := "/api/collections/" + collection + "/records"
	if len(id) > 0 {
		url += "/" + id[0]
	}
	return url
}

// countRecords counts the rows of collection matching filter.
func countRecords(t testing.TB, app core.App, collection, filter string) int {
	t.Helper()
	records, err := app.FindRecordsByFilter(collection, filter, "", 0, 0)
	if err != nil {
		t.Fatalf("count %s: %v", collection, err)
	}
	return len(records)
}

// jsonString is v as JSON, for asserting on parts of a decoded body.
func jsonString(t testing.TB, v any) string {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}
