package lms

import "github.com/pocketbase/pocketbase/core"

// Register keeps the LMS core consistent: accounts, who may teach a
// course and assist in it, the server-kept times of progress, submissions
// and grades, and payment receipts. The LMS core has no routes of its own: clients use
// the records API under the collections' rules, and its notifications are
// the notifications package's triggers.
func Register(app core.App) {
	bindUsers(app)
	bindCourses(app)
	bindCourseStaff(app)
	bindEnrollments(app)
	bindLessonProgress(app)
	bindSubmissions(app)
	bindPayments(app)
}
