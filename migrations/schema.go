// Package migrations is the only place the schema lives: one file per
// change, each registering one up and one down function. The API rules are
// written out in full in each file so that a reader sees the security model
// of a collection in one place.
package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"studyhall/collections"
)

// rule turns a filter expression into an API rule; "" lets everyone through.
func rule(expr string) *string {
	return types.Pointer(expr)
}

// superusersOnly is a locked rule: only superusers pass it.
var superusersOnly *string

// enrolledIn is the rule fragment "the caller has a current enrollment in
// the course at coursePath". The three conditions name the same joined
// enrollments row, so they must all hold for one enrollment.
func enrolledIn(coursePath string) string {
	return collections.EnrolledIn(coursePath)
}

// addTimestamps adds the created and updated autodate fields that every
// studyhall collection carries.
func addTimestamps(c *core.Collection) {
	c.Fields.Add(
		&core.AutodateField{Name: "created", OnCreate: true},
		&core.AutodateField{Name: "updated", OnCreate: true, OnUpdate: true},
	)
}

// relation is a single relation to the collection with the given id.
func relation(name, collectionId string, required, cascade bool) *core.RelationField {
	return &core.RelationField{
		Name:          name,
		CollectionId:  collectionId,
		Required:      required,
		CascadeDelete: cascade,
		MaxSelect:     1,
	}
}

// deleteCollections is the down step of a migration that created them.
func deleteCollections(app core.App, names ...string) error {
	for _, name := range names {
		c, err := app.FindCollectionByNameOrId(name)
		if err != nil {
			continue // already gone
		}
		if err := app.Delete(c); err != nil {
			return err
		}
	}
	return nil
}
