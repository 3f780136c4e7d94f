package calendar_test

import (
	"testing"
	// the zone database the server binary embeds, so zone tests do not
	// depend on the host's zoneinfo
	_ "time/tzdata"

	"studyhall/testkit"
)

func TestMain(m *testing.M) { testkit.Main(m) }
