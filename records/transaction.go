package records

import "github.com/pocketbase/pocketbase/core"

// InTransaction runs before, the rest of a hook chain (next) and after in
// one transaction, so that the record and whatever before and after write
// commit or roll back together; before and after may be nil. While it runs
// *app is the txApp, as PocketBase's own hooks do, and the original is put
// back afterwards. A record hook calls it as
//
//	InTransaction(&e.App, e.Next, nil, after)
func InTransaction(app *core.App, next func() error, before, after func(txApp core.App) error) error {
	original := *app
	err := original.RunInTransaction(func(txApp core.App) error {
		*app = txApp
		if before != nil {
			if err := before(txApp); err != nil {
				return err
			}
		}
		if err := next(); err != nil {
			return err
		}
		if after != nil {
			return after(txApp)
		}
		return nil
	})
	*app = original
	return err
}
