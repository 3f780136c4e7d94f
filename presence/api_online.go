package presence

import (
	"database/sql"
	"errors"
	"net/http"

	"github.com/pocketbase/pocketbase/core"

	"studyhall/collections"
	"studyhall/records"
	"studyhall/request"
)

// onlineUser is what GET /api/presence/online tells of a user.
type onlineUser struct {
	Id       string `json:"id"`
	Name     string `json:"name"`
	Avatar   string `json:"avatar"`
	Status   string `json:"status"`
	Activity string `json:"activity"`
}

// presenceOnline is GET /api/presence/online?course=ID: users who are not
// offline, optionally only the course's instructor and current students,
// for a caller who can see that course.
func presenceOnline(e *core.RequestEvent) error {
	query := e.App.DB().Select("u.id", "u.name", "u.avatar", "p.status", "p.activity").
		From(collections.Presence+" p").
		InnerJoin(collections.Users+" u", records.Exp("u.id = p.user")).
		Where(records.Exp("p.status != {:offline}", map[string]any{"offline": Offline})).
		OrderBy("u.name ASC").
		Limit(500)

	if courseId := e.Request.URL.Query().Get("course"); courseId != "" {
		course, err := request.FindVisible(e, e.App, collections.Courses, courseId)
		if err != nil {
			return err
		}
		query.AndWhere(records.Exp(
			"u.id = {:instructor} OR u.id IN (SELECT student FROM "+collections.Enrollments+
				" WHERE course = {:course} AND status != {:dropped})",
			map[string]any{"instructor": course.GetString(collections.CourseInstructor), "course": course.Id, "dropped": collections.EnrollmentDropped},
		))
	}

	items := []onlineUser{}
	if err := query.All(&items); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return e.InternalServerError("", err)
	}
	return e.JSON(http.StatusOK, map[string]any{"items": items})
}
