package notifications

import (
	"fmt"
	"strconv"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"studyhall/collections"
	"studyhall/records"
)

// The notices of assessments: assessment_created, assessment_submitted,
// assessment_graded, and the minute job of assessment_due_soon.

func notifyAssessmentCreated(app core.App, assessment, before *core.Record) error {
	if !became(assessment, before, collections.AssessmentPublished) {
		return nil
	}
	course, err := publishedCourse(app, assessment.GetString(collections.AssessmentCourse))
	if err != nil || course == nil {
		return err
	}
	students, err := ActiveStudents(app, course.Id)
	if err != nil {
		return err
	}
	data := map[string]any{"courseId": course.Id, "assessmentId": assessment.Id}
	if dueAt := assessment.GetDateTime(collections.AssessmentDueAt); !dueAt.IsZero() {
		data["dueAt"] = dueAt.String()
	}
	return send(app, Notification{
		Type:              collections.TypeAssessmentCreated,
		Recipients:        students,
		Title:             "New assessment: " + assessment.GetString(collections.AssessmentTitle),
		Message:           "A new assessment is open in " + course.GetString(collections.CourseTitle) + ".",
		Data:              data,
		ActionURL:         "/courses/" + course.Id + "/assessments/" + assessment.Id,
		ActionText:        "Open the assessment",
		DedupeKey:         Key(collections.TypeAssessmentCreated, assessment.Id),
		RelatedCollection: collections.Assessments,
		RelatedId:         assessment.Id,
	})
}

func notifySubmission(app core.App, submission, before *core.Record) error {
	assessment, err := app.FindRecordById(collections.Assessments, submission.GetString(collections.SubmissionAssessment))
	if err != nil {
		return err
	}
	course, err := app.FindRecordById(collections.Courses, assessment.GetString(collections.AssessmentCourse))
	if err != nil {
		return err
	}
	studentId := submission.GetString(collections.SubmissionStudent)
	assessmentTitle := assessment.GetString(collections.AssessmentTitle)
	data := map[string]any{"courseId": course.Id, "assessmentId": assessment.Id, "submissionId": submission.Id}

	if before == nil {
		err := send(app, Notification{
			Type:              collections.TypeAssessmentSubmitted,
			Recipients:        []string{course.GetString(collections.CourseInstructor)},
			Title:             "New submission for " + assessmentTitle,
			Message:           userName(app, studentId) + " submitted " + assessmentTitle + ".",
			Data:              data,
			ActionURL:         "/courses/" + course.Id + "/assessments/" + assessment.Id + "/submissions/" + submission.Id,
			ActionText:        "Grade it",
			DedupeKey:         Key(collections.TypeAssessmentSubmitted, submission.Id),
			RelatedCollection: collections.Submissions,
			RelatedId:         submission.Id,
		})
		if err != nil {
			return err
		}
	}

	gradedAt := submission.GetDateTime(collections.SubmissionGradedAt)
	if before == nil || gradedAt.IsZero() || gradedAt.Equal(before.GetDateTime(collections.SubmissionGradedAt)) {
		return nil
	}
	score := submission.GetFloat(collections.SubmissionScore)
	data["score"] = score
	message := fmt.Sprintf("Your score: %s", strconv.FormatFloat(score, 'f', -1, 64))
	if maxScore := assessment.GetFloat(collections.AssessmentMaxScore); maxScore > 0 {
		data["maxScore"] = maxScore
		message += " of " + strconv.FormatFloat(maxScore, 'f', -1, 64)
	}
	return send(app, Notification{
		Type:              collections.TypeAssessmentGraded,
		Recipients:        []string{studentId},
		Title:             assessmentTitle + " was graded",
		Message:           message + ".",
		Data:              data,
		ActionURL:         "/courses/" + course.Id + "/assessments/" + assessment.Id,
		ActionText:        "See the feedback",
		DedupeKey:         Key(collections.TypeAssessmentGraded, submission.Id, gradedAt.String()),
		RelatedCollection: collections.Submissions,
		RelatedId:         submission.Id,
	})
}

// dueSoonWindow is how long before dueAt assessment_due_soon fires.
const dueSoonWindow = 48 * time.Hour

// SendAssessmentsDueSoon notifies, once per assessment, each active
// student who has not submitted a published assessment of a published
// course due within 48 hours of now; it is a minute job. The notification
// expires at the due time.
func SendAssessmentsDueSoon(app core.App, now time.Time) error {
	type due struct {
		Id     string `db:"id"`
		Title  string `db:"title"`
		DueAt  string `db:"dueAt"`
		Course string `db:"course"`
	}
	var assessments []due
	err := app.DB().NewQuery(`SELECT a.id AS id, a.title AS title, a.dueAt AS dueAt, a.course AS course
		FROM ` + collections.Assessments + ` a JOIN ` + collections.Courses + ` c ON c.id = a.course
		WHERE a.published = TRUE AND c.published = TRUE AND a.dueAt > {:now} AND a.dueAt <= {:until}`).
		Bind(dbx.Params{
			"now":   records.FormatTime(now),
			"until": records.FormatTime(now.Add(dueSoonWindow)),
		}).All(&assessments)
	if err != nil {
		return fmt.Errorf("find assessments due soon: %w", err)
	}
	for _, a := range assessments {
		// those already reminded are left out here, so that the minute job
		// costs one query per due assessment once everyone has been told
		dedupeKey := Key(collections.TypeAssessmentDueSoon, a.Id)
		var students []string
		err := app.DB().NewQuery(`SELECT e.student FROM ` + collections.Enrollments + ` e
			WHERE e.course = {:course} AND e.status != {:dropped}
			AND NOT EXISTS (SELECT 1 FROM ` + collections.Submissions + ` s
				WHERE s.assessment = {:assessment} AND s.student = e.student AND s.submittedAt != '')
			AND NOT EXISTS (SELECT 1 FROM ` + collections.Notifications + ` n
				WHERE n.user = e.student AND n.dedupeKey = {:dedupeKey})
			AND NOT EXISTS (SELECT 1 FROM ` + collections.NotificationHolds + ` h
				WHERE h.user = e.student AND h.dedupeKey = {:dedupeKey})
			AND NOT EXISTS (SELECT 1 FROM ` + collections.NotificationEmails + ` m
				WHERE m.user = e.student AND m.dedupeKey = {:dedupeKey})`).
			Bind(dbx.Params{
				"course": a.Course, "dropped": collections.EnrollmentDropped,
				"assessment": a.Id, "dedupeKey": dedupeKey,
			}).
			Column(&students)
		if err != nil {
			return fmt.Errorf("find students of %s: %w", a.Id, err)
		}
		if len(students) == 0 {
			continue
		}
		dueAt, _ := time.Parse(types.DefaultDateLayout, a.DueAt)
		err = send(app, Notification{
			Type:              collections.TypeAssessmentDueSoon,
			Recipients:        students,
			Title:             a.Title + " is due soon",
			Message:           "Submit it before " + dueAt.UTC().Format("Mon 2 Jan 15:04 MST") + ".",
			Data:              map[string]any{"courseId": a.Course, "assessmentId": a.Id, "dueAt": a.DueAt},
			ActionURL:         "/courses/" + a.Course + "/assessments/" + a.Id,
			ActionText:        "Submit now",
			DedupeKey:         dedupeKey,
			RelatedCollection: collections.Assessments,
			RelatedId:         a.Id,
			ExpiresAt:         dueAt,
		})
		if err != nil {
			return err
		}
	}
	return nil
}
