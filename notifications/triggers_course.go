package notifications

import (
	"github.com/pocketbase/pocketbase/core"

	"studyhall/collections"
)

// The notices of courses: enrollment_confirmed and new_enrollment,
// course_published, new_lesson.

func notifyEnrollment(app core.App, enrollment *core.Record) error {
	course, err := app.FindRecordById(collections.Courses, enrollment.GetString(collections.EnrollmentCourse))
	if err != nil {
		return err
	}
	studentId := enrollment.GetString(collections.EnrollmentStudent)
	title := course.GetString(collections.CourseTitle)
	data := map[string]any{"courseId": course.Id, "enrollmentId": enrollment.Id}
	err = send(app, Notification{
		Type:              collections.TypeEnrollmentConfirmed,
		Recipients:        []string{studentId},
		Title:             "You are enrolled in " + title,
		Message:           "Welcome to " + title + ". Your first lesson is waiting.",
		Data:              data,
		ActionURL:         "/courses/" + course.Id,
		ActionText:        "Open the course",
		DedupeKey:         Key(collections.TypeEnrollmentConfirmed, enrollment.Id),
		RelatedCollection: collections.Enrollments,
		RelatedId:         enrollment.Id,
	})
	if err != nil {
		return err
	}
	studentName := userName(app, studentId)
	return send(app, Notification{
		Type:              collections.TypeNewEnrollment,
		Recipients:        []string{course.GetString(collections.CourseInstructor)},
		Title:             "New student in " + title,
		Message:           studentName + " enrolled in " + title + ".",
		Data:              data,
		ActionURL:         "/courses/" + course.Id + "/students/" + studentId,
		ActionText:        "See the student",
		DedupeKey:         Key(collections.TypeNewEnrollment, enrollment.Id),
		RelatedCollection: collections.Enrollments,
		RelatedId:         enrollment.Id,
	})
}

func notifyCoursePublished(app core.App, course, before *core.Record) error {
	if !became(course, before, collections.CoursePublished) {
		return nil
	}
	students, err := ActiveStudents(app, course.Id)
	if err != nil {
		return err
	}
	title := course.GetString(collections.CourseTitle)
	return send(app, Notification{
		Type:              collections.TypeCoursePublished,
		Recipients:        append([]string{course.GetString(collections.CourseInstructor)}, students...),
		Title:             title + " is published",
		Message:           title + " is now open to students.",
		Data:              map[string]any{"courseId": course.Id},
		ActionURL:         "/courses/" + course.Id,
		ActionText:        "Open the course",
		DedupeKey:         Key(collections.TypeCoursePublished, course.Id),
		RelatedCollection: collections.Courses,
		RelatedId:         course.Id,
	})
}

func notifyNewLesson(app core.App, lesson, before *core.Record) error {
	if !became(lesson, before, collections.LessonPublished) {
		return nil
	}
	course, err := publishedCourse(app, lesson.GetString(collections.LessonCourse))
	if err != nil || course == nil {
		return err
	}
	students, err := ActiveStudents(app, course.Id)
	if err != nil {
		return err
	}
	return send(app, Notification{
		Type:              collections.TypeNewLesson,
		Recipients:        students,
		Title:             "New lesson: " + lesson.GetString(collections.LessonTitle),
		Message:           "A new lesson is available in " + course.GetString(collections.CourseTitle) + ".",
		Data:              map[string]any{"courseId": course.Id, "lessonId": lesson.Id},
		ActionURL:         "/courses/" + course.Id + "/lessons/" + lesson.Id,
		ActionText:        "Start the lesson",
		DedupeKey:         Key(collections.TypeNewLesson, lesson.Id),
		RelatedCollection: collections.Lessons,
		RelatedId:         lesson.Id,
	})
}
