package records

import (
	"fmt"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// Proxied is what a typed record proxy is: a pointer to a struct that
// embeds core.BaseRecordProxy, such as *livesessions.LiveSession.
type Proxied[T any] interface {
	*T
	core.RecordProxy
}

// Proxy is record seen through the proxy *T.
func Proxy[T any, P Proxied[T]](record *core.Record) P {
	p := P(new(T))
	p.SetProxyRecord(record)
	return p
}

// NewProxy is a new, unsaved record of collection seen through *T.
func NewProxy[T any, P Proxied[T]](app core.App, collection string) (P, error) {
	c, err := app.FindCachedCollectionByNameOrId(collection)
	if err != nil {
		return nil, err
	}
	return Proxy[T, P](core.NewRecord(c)), nil
}

// FindProxy is the first record of collection matching where, seen
// through *T; its error wraps sql.ErrNoRows when there is none.
func FindProxy[T any, P Proxied[T]](app core.App, collection string, where dbx.Expression) (P, error) {
	p := P(new(T))
	if err := app.RecordQuery(collection).AndWhere(where).Limit(1).One(p); err != nil {
		return nil, fmt.Errorf("find %s: %w", collection, err)
	}
	return p, nil
}
