// Package authcache puts a short-lived cache in front of PocketBase's
// auth token lookup.
package authcache

import (
	"strings"
	"time"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
	"github.com/pocketbase/pocketbase/tools/security"

	"studyhall/epochcache"
)

// TTL is how long a token's auth record is reused without being
// read again. Every change made through this server (a save or delete of
// the record, a change of its collection) drops it at once; the TTL only
// bounds how long a change made by another process (a CLI command on the
// same database) goes unseen.
const TTL = 30 * time.Second

// size bounds the cache.
const size = 20000

// Register puts a cache in front of PocketBase's loadAuthToken: a
// request with a token seen in the last TTL gets a copy of its auth
// record without a query. PocketBase's middleware skips a request whose
// auth is already set, so a miss here is looked up exactly as it would be
// (core.App.FindAuthRecordByToken) and the answer kept.
//
// Each signed-in request otherwise reads its user by id before anything
// else: under a burst (a class joining a session at once) that read was a
// fifth of the server's CPU (bench/README.md, capacity).
func Register(app core.App) {
	cache := newAuthCache()

	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		se.Router.Bind(&hook.Handler[*core.RequestEvent]{
			Id:       "studyhallAuthCache",
			Priority: apis.DefaultLoadAuthTokenMiddlewarePriority - 1,
			Func:     cache.load,
		})
		return se.Next()
	})

	// a token the server has just issued comes with its record: a class
	// that signs in (or refreshes its token on opening the app) before a
	// rush is already known when the rush comes
	app.OnRecordAuthRequest().BindFunc(func(e *core.RecordAuthRequestEvent) error {
		epoch := cache.CurrentEpoch()
		if err := e.Next(); err != nil {
			return err // MFA pending, or refused
		}
		if e.Token != "" && e.Record != nil {
			cache.keep(e.Token, e.Record.Fresh(), epoch, time.Now())
		}
		return nil
	})

	// drop what changed, once the change is committed
	forget := func(e *core.RecordEvent) error {
		if e.Record.Collection().IsAuth() {
			cache.forget(e.Record.Id)
		}
		return e.Next()
	}
	app.OnRecordAfterUpdateSuccess().BindFunc(forget)
	app.OnRecordAfterDeleteSuccess().BindFunc(forget)
	// a collection's token secret or the collection itself
	forgetAll := func(e *core.CollectionEvent) error {
		cache.DropAll()
		return e.Next()
	}
	app.OnCollectionAfterUpdateSuccess().BindFunc(forgetAll)
	app.OnCollectionAfterDeleteSuccess().BindFunc(forgetAll)
}

// authCache maps tokens to their auth records (each stored as a Fresh
// copy, handed out as another).
type authCache struct {
	*epochcache.Cache[*core.Record]
}

func newAuthCache() *authCache {
	return &authCache{epochcache.New[*core.Record](size)}
}

func (c *authCache) load(e *core.RequestEvent) error {
	if e.Auth != nil {
		return e.Next()
	}
	token := authToken(e)
	if token == "" {
		return e.Next()
	}
	now := time.Now()
	epoch := c.CurrentEpoch()
	if record, ok := c.Get(token, now); ok {
		// a copy: a handler may change its e.Auth
		e.Auth = record.Fresh()
		return e.Next()
	}

	record, err := e.App.FindAuthRecordByToken(token, core.TokenTypeAuth)
	if err != nil || record == nil {
		// not kept: PocketBase's own middleware tries the token again,
		// logs why it fails and goes on as a guest
		return e.Next()
	}
	e.Auth = record
	c.keep(token, record.Fresh(), epoch, now)
	return e.Next()
}

// authToken is the request's token as PocketBase reads it: the
// Authorization header, with or without "Bearer ".
func authToken(e *core.RequestEvent) string {
	token := e.Request.Header.Get("Authorization")
	if len(token) > 7 && strings.EqualFold(token[:7], "Bearer ") {
		return token[7:]
	}
	return token
}

// keep stores a record read at epoch, until the TTL or the token's own
// expiry, whichever comes first.
func (c *authCache) keep(token string, record *core.Record, epoch uint64, now time.Time) {
	expires := now.Add(TTL)
	if claims, err := security.ParseUnverifiedJWT(token); err == nil {
		if exp, err := claims.GetExpirationTime(); err == nil && exp != nil && exp.Before(expires) {
			expires = exp.Time
		}
	}
	c.Put(token, record, expires, epoch)
}

// forget drops every token of the record.
func (c *authCache) forget(recordId string) {
	c.DropIf(func(record *core.Record) bool { return record.Id == recordId })
}
