package lms_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/tests"

	"studyhall/collections"
	"studyhall/testkit"
)

// TestUserVisibility: another user sees a name, an avatar and a role;
// the user sees their own email and settings.
func TestUserVisibility(t *testing.T) {
	t.Parallel()
	testScenarios(t, []tests.ApiScenario{
		{
			Name:               "a signed-in user sees another user's name and avatar only",
			Method:             http.MethodGet,
			URL:                testkit.RecordsURL(collections.Users, testkit.IdStudent),
			Headers:            testkit.AuthHeader(testkit.OtherStudent),
			ExpectedStatus:     200,
			ExpectedContent:    []string{`"name":"Sam Student"`, `"avatar":""`, `"role":"student"`},
			NotExpectedContent: []string{`"email"`, `"timezone"`, `"allowDirectMessages"`},
			ExpectedEvents:     map[string]int{"OnRecordViewRequest": 1},
		},
		{
			Name:            "a user sees their own email and settings",
			Method:          http.MethodGet,
			URL:             testkit.RecordsURL(collections.Users, testkit.IdStudent),
			Headers:         testkit.AuthHeader(testkit.Student),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"email":"sam.student@studyhall.test"`, `"timezone":"America/New_York"`, `"allowDirectMessages":true`},
			ExpectedEvents:  map[string]int{"OnRecordViewRequest": 1},
		},
	})
}

// TestUserInput: what a sign-up or a profile edit may set, and that bad
// input is a 400 with a field error.
func TestUserInput(t *testing.T) {
	t.Parallel()
	testScenarios(t, []tests.ApiScenario{
		{
			Name:            "a sign-up with an invalid time zone",
			Method:          http.MethodPost,
			URL:             testkit.RecordsURL(collections.Users),
			Body:            strings.NewReader(`{"email":"tz@studyhall.test","password":"password123","passwordConfirm":"password123","name":"Tz","timezone":"Mars/Olympus_Mons"}`),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"timezone":{"code":"validation_invalid_timezone"`},
			ExpectedEvents:  map[string]int{"OnRecordAfterCreateSuccess": 0},
		},
		{
			Name:            "the server's own clock is not a time zone",
			Method:          http.MethodPatch,
			URL:             testkit.RecordsURL(collections.Users, testkit.IdStudent),
			Body:            strings.NewReader(`{"timezone":"Local"}`),
			Headers:         testkit.AuthHeader(testkit.Student),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"timezone":{"code":"validation_invalid_timezone"`},
			ExpectedEvents:  map[string]int{"OnRecordAfterUpdateSuccess": 0},
		},
		{
			Name:            "a sign-up without a name",
			Method:          http.MethodPost,
			URL:             testkit.RecordsURL(collections.Users),
			Body:            strings.NewReader(`{"email":"noname@studyhall.test","password":"password123","passwordConfirm":"password123"}`),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"name":{"code":"validation_required"`},
			ExpectedEvents:  map[string]int{"OnRecordAfterCreateSuccess": 0},
		},
		{
			Name:            "a sign-up as an instructor",
			Method:          http.MethodPost,
			URL:             testkit.RecordsURL(collections.Users),
			Body:            strings.NewReader(`{"email":"teach@studyhall.test","password":"password123","passwordConfirm":"password123","name":"T","role":"instructor"}`),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"role":{"code":"validation_server_field"`},
			ExpectedEvents:  map[string]int{"OnRecordCreate": 0},
		},
		{
			Name:            "a student promoting themselves",
			Method:          http.MethodPatch,
			URL:             testkit.RecordsURL(collections.Users, testkit.IdStudent),
			Body:            strings.NewReader(`{"role":"instructor"}`),
			Headers:         testkit.AuthHeader(testkit.Student),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"role":{"code":"validation_server_field"`},
			ExpectedEvents:  map[string]int{"OnRecordUpdate": 0},
		},
		{
			Name:            "a superuser makes a student an instructor",
			Method:          http.MethodPatch,
			URL:             testkit.RecordsURL(collections.Users, testkit.IdStudent),
			Body:            strings.NewReader(`{"role":"instructor"}`),
			Headers:         testkit.AuthHeader(testkit.Superuser),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"role":"instructor"`},
			ExpectedEvents:  map[string]int{"OnRecordAfterUpdateSuccess": 1},
		},
		{
			Name:            "an unknown role",
			Method:          http.MethodPatch,
			URL:             testkit.RecordsURL(collections.Users, testkit.IdStudent),
			Body:            strings.NewReader(`{"role":"dean"}`),
			Headers:         testkit.AuthHeader(testkit.Superuser),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"role":{"code":"validation_invalid_value"`},
			ExpectedEvents:  map[string]int{"OnRecordAfterUpdateSuccess": 0},
		},
		// emailVisibility cannot be turned on: it is the server's
		{
			Name:               "a user cannot expose their email",
			Method:             http.MethodPatch,
			URL:                testkit.RecordsURL(collections.Users, testkit.IdStudent),
			Body:               strings.NewReader(`{"emailVisibility":true}`),
			Headers:            testkit.AuthHeader(testkit.Student),
			ExpectedStatus:     400,
			ExpectedContent:    []string{`"emailVisibility":{"code":"validation_server_field"`},
			NotExpectedContent: []string{`"emailVisibility":true`},
			ExpectedEvents:     map[string]int{"OnRecordAfterUpdateSuccess": 0},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				user, err := app.FindRecordById(collections.Users, testkit.IdStudent)
				if err != nil || user.GetBool(collections.UserEmailVisibility) {
					t.Errorf("emailVisibility turned on (%v)", err)
				}
			},
		},
	})
}
