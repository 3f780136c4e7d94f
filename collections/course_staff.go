package collections

// CourseStaff holds the teaching assistants of a course, one row per
// (course, user), managed by the course's instructor.
const CourseStaff = "course_staff"

// Fields of course_staff.
const (
	CourseStaffCourse = "course"
	CourseStaffUser   = "user"
	CourseStaffRole   = "role"
)

// Course staff roles.
const (
	// CourseStaffTA is a teaching assistant: they run and admit from every
	// office-hours queue of the course, see its students' queue entries
	// and notes, and do not edit the course.
	CourseStaffTA = "ta"
)

// CourseStaffRoles lists every course staff role, the first being the
// default.
var CourseStaffRoles = []string{CourseStaffTA}
