// Package commands holds studyhall's own CLI commands, added to
// PocketBase's root command beside serve, migrate and superuser.
package commands

import (
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/pocketbase/pocketbase/core"
	"github.com/spf13/cobra"

	"studyhall/collections"
)

// DemoPassword is the password of every demo account.
const DemoPassword = "studyhall-demo"

// DemoSuperuserEmail is the demo dashboard login that seed --demo creates.
const DemoSuperuserEmail = "admin@studyhall.test"

// NewSeedCommand returns `studyhall seed --demo`.
func NewSeedCommand(app core.App) *cobra.Command {
	var demo bool
	cmd := &cobra.Command{
		Use:   "seed",
		Short: "Fills the database with demo data (idempotent)",
		Long: "Creates, or finds when already there, a demo instructor, students, a published course\n" +
			"with lessons and enrollments, and a demo dashboard superuser; then prints the logins.\n" +
			"Meant for local development and demos, never for a production database.",
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			if !demo {
				return errors.New("nothing to seed: pass --demo to create the demo data")
			}
			if err := app.RunAllMigrations(); err != nil {
				return fmt.Errorf("apply migrations: %w", err)
			}
			demoData, err := SeedDemo(app)
			if err != nil {
				return err
			}
			demoData.PrintLogins(cmd.OutOrStdout())
			return nil
		},
	}
	cmd.Flags().BoolVar(&demo, "demo", false, "create the demo data")
	return cmd
}

// Demo is what SeedDemo made or found.
type Demo struct {
	Instructor *core.Record
	Students   []*core.Record
	Course     *core.Record
	Lessons    []*core.Record
}

type demoUser struct {
	email, name, role, timezone string
}

var demoInstructor = demoUser{"instructor@studyhall.test", "Ada Lovelace", collections.RoleInstructor, "Europe/London"}

var demoStudents = []demoUser{
	{"student@studyhall.test", "Sam Student", collections.RoleStudent, "America/New_York"},
	{"student2@studyhall.test", "Noor Haddad", collections.RoleStudent, "Asia/Dubai"},
	{"student3@studyhall.test", "Kenji Sato", collections.RoleStudent, "Asia/Tokyo"},
}

var demoLessons = []struct {
	title    string
	hasVideo bool
}{
	{"What is a function?", true},
	{"Linear functions", true},
	{"Quadratics", false},
	{"Systems of equations", true},
}

// SeedDemo creates the demo data, or finds what an earlier run created, in
// one transaction.
func SeedDemo(app core.App) (*Demo, error) {
	demo := &Demo{}
	err := app.RunInTransaction(func(txApp core.App) error {
		if err := ensureSuperuser(txApp, DemoSuperuserEmail); err != nil {
			return err
		}

		var err error
		if demo.Instructor, err = ensureUser(txApp, demoInstructor); err != nil {
			return err
		}
		for _, s := range demoStudents {
			student, err := ensureUser(txApp, s)
			if err != nil {
				return err
			}
			demo.Students = append(demo.Students, student)
		}

		if demo.Course, err = ensureRecord(txApp, collections.Courses, map[string]any{
			collections.CourseTitle:      "Algebra I",
			collections.CourseInstructor: demo.Instructor.Id,
		}, map[string]any{
			collections.CourseDescription: "Functions, equations and graphs, from the ground up.",
			collections.CoursePublished:   true,
		}); err != nil {
			return err
		}

		for i, l := range demoLessons {
			lesson, err := ensureRecord(txApp, collections.Lessons, map[string]any{
				collections.LessonCourse: demo.Course.Id,
				collections.LessonTitle:  l.title,
			}, map[string]any{
				collections.LessonOrder:     i + 1,
				collections.LessonPublished: true,
				collections.LessonHasVideo:  l.hasVideo,
				collections.LessonContent:   "Read the notes, then try the exercises at the end.",
			})
			if err != nil {
				return err
			}
			demo.Lessons = append(demo.Lessons, lesson)
		}

		for _, student := range demo.Students {
			if _, err := ensureRecord(txApp, collections.Enrollments, map[string]any{
				collections.EnrollmentCourse:  demo.Course.Id,
				collections.EnrollmentStudent: student.Id,
			}, map[string]any{
				collections.EnrollmentStatus: collections.EnrollmentActive,
			}); err != nil {
				return err
			}
		}
		if err := seedStudyGroups(txApp, demo); err != nil {
			return err
		}
		if err := seedOfficeHours(txApp, demo); err != nil {
			return err
		}
		if err := seedSessions(txApp, demo); err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("seed demo data: %w", err)
	}
	return demo, nil
}

// PrintLogins writes the demo logins for a person to try the app with.
func (d *Demo) PrintLogins(w io.Writer) {
	fmt.Fprintln(w, "Demo data is ready. Every demo password is "+DemoPassword+".")
	fmt.Fprintf(w, "  dashboard (/_/)  %s (superuser)\n", DemoSuperuserEmail)
	fmt.Fprintf(w, "  instructor       %s (%s)\n", d.Instructor.Email(), d.Instructor.GetString(collections.UserName))
	for _, s := range d.Students {
		fmt.Fprintf(w, "  student          %s (%s)\n", s.Email(), s.GetString(collections.UserName))
	}
	fmt.Fprintf(w, "  course           %q with %d lessons\n", d.Course.GetString(collections.CourseTitle), len(d.Lessons))
	d.printSessions(w)
}

func ensureSuperuser(app core.App, email string) error {
	if _, err := app.FindAuthRecordByEmail(core.CollectionNameSuperusers, email); err == nil {
		return nil
	}
	superusers, err := app.FindCollectionByNameOrId(core.CollectionNameSuperusers)
	if err != nil {
		return err
	}
	su := core.NewRecord(superusers)
	su.SetEmail(email)
	su.SetPassword(DemoPassword)
	return app.Save(su)
}

func ensureUser(app core.App, u demoUser) (*core.Record, error) {
	if existing, err := app.FindAuthRecordByEmail(collections.Users, u.email); err == nil {
		return existing, nil
	}
	users, err := app.FindCollectionByNameOrId(collections.Users)
	if err != nil {
		return nil, err
	}
	record := core.NewRecord(users)
	record.SetEmail(u.email)
	record.SetPassword(DemoPassword)
	record.SetVerified(true)
	record.Set(collections.UserName, u.name)
	record.Set(collections.UserRole, u.role)
	record.Set(collections.UserTimezone, u.timezone)
	record.Set(collections.UserAllowDirectMessages, true)
	if err := app.Save(record); err != nil {
		return nil, fmt.Errorf("create %s: %w", u.email, err)
	}
	return record, nil
}

// ensureRecord finds the record of collection whose fields equal key, or
// creates it with key and rest.
func ensureRecord(app core.App, collection string, key, rest map[string]any) (*core.Record, error) {
	found, err := app.FindFirstRecordByFilter(collection, filterFor(key), key)
	if err == nil {
		return found, nil
	}
	c, err := app.FindCollectionByNameOrId(collection)
	if err != nil {
		return nil, err
	}
	record := core.NewRecord(c)
	for k, v := range key {
		record.Set(k, v)
	}
	for k, v := range rest {
		record.Set(k, v)
	}
	if err := app.Save(record); err != nil {
		return nil, fmt.Errorf("create %s: %w", collection, err)
	}
	return record, nil
}

// filterFor is "a = {:a} && b = {:b}" for the keys of key, in a stable order.
func filterFor(key map[string]any) string {
	names := make([]string, 0, len(key))
	for k := range key {
		names = append(names, k)
	}
	slices.Sort(names)
	filter := ""
	for i, k := range names {
		if i > 0 {
			filter += " && "
		}
		filter += k + " = {:" + k + "}"
	}
	return filter
}
