package notifications_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"studyhall/collections"
	"studyhall/testkit"
)

// Each LMS notice is fired the way a user (or the dashboard, or the job)
// fires it, and the test checks who got what, with which priority, and who
// did not.

func TestTriggersSystem(t *testing.T) {
	t.Parallel()

	scenarios := []tests.ApiScenario{
		{
			Name:    "a payment sends a receipt, even to a user who turned everything off",
			Method:  http.MethodPost,
			URL:     testkit.RecordsURL(collections.Payments),
			Headers: testkit.AuthHeader(testkit.Superuser),
			Body:    strings.NewReader(`{"user":"` + testkit.IdOtherStudent + `","course":"` + testkit.IdOtherCourse + `","amount":25,"currency":"EUR","status":"succeeded"}`),
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
				setPreferences(t, app, testkit.IdOtherStudent, map[string]any{
					"inAppEnabled": false, "emailEnabled": false,
					"categories": map[string]any{"system": map[string]any{"inApp": false, "email": false}},
				})
			},
			ExpectedStatus:  200,
			ExpectedContent: []string{`"status":"succeeded"`},
			ExpectedEvents:  map[string]int{"OnRecordAfterCreateSuccess": 1},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				payment, err := app.FindFirstRecordByData(collections.Payments, "user", testkit.IdOtherStudent)
				if err != nil {
					t.Fatal(err)
				}
				n := expectNotified(t, app, testkit.IdOtherStudent, collections.TypePaymentReceipt, collections.PriorityHigh, payment.Id)
				if n.GetString("emailMode") != collections.EmailModeImmediate || !strings.Contains(n.GetString("title"), "25.00 EUR") {
					t.Errorf("receipt %v", n.PublicExport())
				}
				expectNotNotified(t, app, collections.TypePaymentReceipt, payment.Id, testkit.IdOtherInstructor, testkit.IdStudent)
			},
		},
		{
			Name:            "a refund is confirmed to the payer",
			Method:          http.MethodPatch,
			URL:             testkit.RecordsURL(collections.Payments, testkit.IdPayment),
			Headers:         testkit.AuthHeader(testkit.Superuser),
			Body:            strings.NewReader(`{"status":"refunded"}`),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"status":"refunded"`},
			ExpectedEvents:  map[string]int{"OnRecordAfterUpdateSuccess": 1},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				expectNotified(t, app, testkit.IdStudent, collections.TypeRefundConfirmation, collections.PriorityHigh, testkit.IdPayment)
				expectNotNotified(t, app, collections.TypeRefundConfirmation, testkit.IdPayment, testkit.IdInstructor)
			},
		},
		{
			Name:            "a password change tells the user, urgently",
			Method:          http.MethodPatch,
			URL:             testkit.RecordsURL(collections.Users, testkit.IdOtherStudent),
			Headers:         testkit.AuthHeader(testkit.OtherStudent),
			Body:            strings.NewReader(`{"oldPassword":"password123","password":"new-password-456","passwordConfirm":"new-password-456"}`),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"id":"` + testkit.IdOtherStudent + `"`},
			ExpectedEvents:  map[string]int{"OnRecordAfterUpdateSuccess": 1},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				n := expectNotified(t, app, testkit.IdOtherStudent, collections.TypePasswordChanged, collections.PriorityUrgent)
				if n.GetString("emailMode") != collections.EmailModeImmediate {
					t.Errorf("emailMode %q", n.GetString("emailMode"))
				}
				expectNotNotified(t, app, collections.TypePasswordChanged, "", testkit.IdStudent)
			},
		},
		{
			Name:            "a profile edit is not a password change",
			Method:          http.MethodPatch,
			URL:             testkit.RecordsURL(collections.Users, testkit.IdOtherStudent),
			Headers:         testkit.AuthHeader(testkit.OtherStudent),
			Body:            strings.NewReader(`{"name":"Olive O."}`),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"name":"Olive O."`},
			ExpectedEvents:  map[string]int{"OnRecordAfterUpdateSuccess": 1},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				expectNotNotified(t, app, collections.TypePasswordChanged, "", testkit.IdOtherStudent)
			},
		},
		{
			Name:           "deleting an account leaves an email-only notice with the address",
			Method:         http.MethodDelete,
			URL:            testkit.RecordsURL(collections.Users, testkit.IdOtherStudent),
			Headers:        testkit.AuthHeader(testkit.OtherStudent),
			ExpectedStatus: 204,
			ExpectedEvents: map[string]int{"OnRecordAfterDeleteSuccess": 1},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				notices, err := app.FindAllRecords(collections.NotificationEmails)
				if err != nil {
					t.Fatal(err)
				}
				if len(notices) != 1 {
					t.Fatalf("%d email notices, want 1", len(notices))
				}
				notice := notices[0]
				if notice.GetString("email") != "olive.other@studyhall.test" || notice.GetString("type") != collections.TypeAccountDeleted ||
					notice.GetString("emailMode") != collections.EmailModeImmediate || notice.GetString("priority") != collections.PriorityUrgent ||
					notice.GetString("user") != "" {
					t.Errorf("notice %v", notice.PublicExport())
				}
				if n := testkit.CountRecords(t, app, collections.Notifications, "type = 'account_deleted'"); n != 0 {
					t.Errorf("%d in-app account_deleted notifications", n)
				}
				for _, c := range []string{collections.Notifications, collections.NotificationPreferences} {
					if n := testkit.CountRecords(t, app, c, "user = '"+testkit.IdOtherStudent+"'"); n != 0 {
						t.Errorf("%d %s rows left", n, c)
					}
				}
			},
		},
	}
	for _, s := range scenarios {
		s.TestAppFactory = appFactory
		s.Test(t)
	}
}
