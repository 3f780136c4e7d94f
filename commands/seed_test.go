package commands_test

import (
	"bytes"
	"strings"
	"testing"

	"studyhall/collections"
	"studyhall/commands"
	"studyhall/testkit"
)

// TestSeedDemoIsIdempotent: seed --demo twice leaves one set of demo data,
// whose logins work and which students can use.
func TestSeedDemoIsIdempotent(t *testing.T) {
	t.Parallel()

	app := testkit.NewTestApp(t)
	defer app.Cleanup()

	first, err := commands.SeedDemo(app)
	if err != nil {
		t.Fatal(err)
	}
	second, err := commands.SeedDemo(app)
	if err != nil {
		t.Fatal(err)
	}
	if first.Course.Id != second.Course.Id || first.Instructor.Id != second.Instructor.Id {
		t.Fatal("a second seed made new records")
	}

	counts := map[string]int{
		collections.Courses:     testkit.CountRecords(t, app, collections.Courses, "instructor = '"+first.Instructor.Id+"'"),
		collections.Lessons:     testkit.CountRecords(t, app, collections.Lessons, "course = '"+first.Course.Id+"'"),
		collections.Enrollments: testkit.CountRecords(t, app, collections.Enrollments, "course = '"+first.Course.Id+"' && status = 'active'"),
	}
	demoUsers := testkit.CountRecords(t, app, collections.Users, "email ~ 'student' && email ~ '@studyhall.test' && id != '"+testkit.IdStudent+"' && id != '"+testkit.IdOtherStudent+"' && id != '"+testkit.IdDroppedStudent+"'")
	if demoUsers != len(first.Students) || len(first.Students) < 3 {
		t.Errorf("demo students = %d, want %d (at least 3)", demoUsers, len(first.Students))
	}
	if counts[collections.Courses] != 1 || counts[collections.Lessons] != len(first.Lessons) || counts[collections.Enrollments] != len(first.Students) {
		t.Errorf("after two seeds: %v", counts)
	}

	for _, u := range append([]string{first.Instructor.Email()}, first.Students[0].Email()) {
		record, err := app.FindAuthRecordByEmail(collections.Users, u)
		if err != nil || !record.ValidatePassword(commands.DemoPassword) {
			t.Errorf("demo login %s does not work", u)
		}
	}
	if first.Instructor.GetString(collections.UserRole) != collections.RoleInstructor {
		t.Error("the demo instructor is not an instructor")
	}
	su, err := app.FindAuthRecordByEmail("_superusers", commands.DemoSuperuserEmail)
	if err != nil || !su.ValidatePassword(commands.DemoPassword) {
		t.Error("the demo dashboard login does not work")
	}

	var out bytes.Buffer
	first.PrintLogins(&out)
	for _, want := range []string{commands.DemoPassword, commands.DemoSuperuserEmail, first.Instructor.Email(), first.Students[0].Email()} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("printed logins lack %q:\n%s", want, out.String())
		}
	}
}
