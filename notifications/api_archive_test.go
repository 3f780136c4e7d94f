package notifications_test

import (
	"net/http"
	"testing"

	"github.com/pocketbase/pocketbase/tests"

	"studyhall/testkit"
)

func TestNotificationArchive(t *testing.T) {
	t.Parallel()
	testScenarios(t, []tests.ApiScenario{
		{
			Name:            "archiving also reads",
			Method:          http.MethodPost,
			URL:             "/api/notifications/{id}/archive",
			Headers:         testkit.AuthHeader(testkit.Student),
			BeforeTestFunc:  seedOne,
			ExpectedStatus:  200,
			ExpectedContent: []string{`"archivedAt":"2`, `"readAt":"2`},
			ExpectedEvents:  map[string]int{"OnRecordAfterUpdateSuccess": 1},
		},
	})
}
