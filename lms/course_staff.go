package lms

import (
	"fmt"

	"github.com/pocketbase/dbx"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"

	"studyhall/collections"
)

// Course staff: the teaching assistants of a course, added and removed by
// its instructor through the records API (rules in migration 1764101300).
// What a TA may do lives where it is done: the read rules of courses and
// office_hours_queue name them, and the office-hours routes ask
// IsCourseTA.

func bindCourseStaff(app core.App) {
	// role may be left out: a TA is the only kind of staff so far
	app.OnRecordCreate(collections.CourseStaff).BindFunc(func(e *core.RecordEvent) error {
		if e.Record.GetString(collections.CourseStaffRole) == "" {
			e.Record.Set(collections.CourseStaffRole, collections.CourseStaffTA)
		}
		return e.Next()
	})

	// the course's own instructor is never its TA
	app.OnRecordValidate(collections.CourseStaff).BindFunc(func(e *core.RecordEvent) error {
		course, err := FindCourse(e.App, e.Record.GetString(collections.CourseStaffCourse))
		if err == nil && course.Instructor() == e.Record.GetString(collections.CourseStaffUser) {
			return validation.Errors{collections.CourseStaffUser: validation.NewError(
				"validation_staff_is_instructor", "The course's instructor cannot also be its teaching assistant.")}
		}
		return e.Next()
	})
}

// IsCourseTA reports whether userId is on the staff of the course (a TA).
// An empty courseId or userId is nobody's course.
func IsCourseTA(app core.App, courseId, userId string) (bool, error) {
	if courseId == "" || userId == "" {
		return false, nil
	}
	var ids []string
	err := app.DB().Select(collections.FieldId).
		From(collections.CourseStaff).
		Where(dbx.HashExp{collections.CourseStaffCourse: courseId, collections.CourseStaffUser: userId}).
		Limit(1).
		Column(&ids)
	if err != nil {
		return false, fmt.Errorf("staff of course %s: %w", courseId, err)
	}
	return len(ids) > 0, nil
}

// CourseTAIds lists the users on the staff of the course, in no order.
func CourseTAIds(app core.App, courseId string) ([]string, error) {
	if courseId == "" {
		return nil, nil
	}
	var ids []string
	err := app.DB().Select(collections.CourseStaffUser).
		From(collections.CourseStaff).
		Where(dbx.HashExp{collections.CourseStaffCourse: courseId}).
		Column(&ids)
	if err != nil {
		return nil, fmt.Errorf("staff of course %s: %w", courseId, err)
	}
	return ids, nil
}
