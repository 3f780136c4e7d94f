package notifications_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/pocketbase/pocketbase/tests"

	"studyhall/collections"
	"studyhall/testkit"
)

func TestNotificationsTypes(t *testing.T) {
	t.Parallel()
	testScenarios(t, []tests.ApiScenario{
		{
			Name:            "a guest cannot read the catalog",
			Method:          http.MethodGet,
			URL:             "/api/notifications/types",
			ExpectedStatus:  401,
			ExpectedContent: []string{`"status":401`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:            "a signed-in user reads the whole catalog, in its order, with labels and the mandatory kinds",
			Method:          http.MethodGet,
			URL:             "/api/notifications/types",
			Headers:         testkit.AuthHeader(testkit.Student),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"type":"lesson_completed"`, `"label":"Password changed"`},
			ExpectedEvents:  map[string]int{"*": 0},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				var got []struct {
					Type, Category, Priority, Label, Description string
					Mandatory, EmailOnly                         bool
				}
				if err := json.NewDecoder(res.Body).Decode(&got); err != nil {
					t.Fatal(err)
				}
				if len(got) != len(collections.NotificationCatalog) {
					t.Fatalf("%d types, want %d", len(got), len(collections.NotificationCatalog))
				}
				mandatory := map[string]bool{}
				for i, kind := range collections.NotificationCatalog {
					row := got[i]
					if row.Type != kind.Type || row.Category != kind.Category || row.Priority != kind.Priority ||
						row.Mandatory != kind.Mandatory || row.EmailOnly != kind.EmailOnly {
						t.Errorf("row %d: %+v, want %+v", i, row, kind)
					}
					if row.Label == "" || row.Description == "" {
						t.Errorf("%s: label %q, description %q: every type is named for people", row.Type, row.Label, row.Description)
					}
					if row.Mandatory {
						mandatory[row.Type] = true
					}
				}
				want := map[string]bool{collections.TypePasswordChanged: true, collections.TypePaymentReceipt: true,
					collections.TypeRefundConfirmation: true, collections.TypeAccountDeleted: true}
				if len(mandatory) != len(want) {
					t.Errorf("mandatory %v, want %v", mandatory, want)
				}
				for typ := range want {
					if !mandatory[typ] {
						t.Errorf("%s is not mandatory", typ)
					}
				}
			},
		},
	})
}
