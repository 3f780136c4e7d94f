package request

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"golang.org/x/time/rate"
)

// UserLimiter is a per-user token bucket, on top of PocketBase's per-IP
// limiter: a classroom shares one address, but one user must not flood a
// room or the server.
type UserLimiter struct {
	every time.Duration
	burst int

	mu       sync.Mutex
	limiters map[string]*limiterEntry
}

type limiterEntry struct {
	limiter  *rate.Limiter
	lastUsed time.Time
}

// NewUserLimiter allows each user burst requests at once and one more
// every interval after that.
func NewUserLimiter(every time.Duration, burst int) *UserLimiter {
	return &UserLimiter{every: every, burst: burst, limiters: map[string]*limiterEntry{}}
}

// allow takes one token from userId's bucket; when there is none it
// answers false and how long until there is.
func (l *UserLimiter) allow(userId string) (time.Duration, bool) {
	now := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	entry, ok := l.limiters[userId]
	if !ok {
		l.prune(now)
		entry = &limiterEntry{limiter: rate.NewLimiter(rate.Every(l.every), l.burst)}
		l.limiters[userId] = entry
	}
	entry.lastUsed = now
	reservation := entry.limiter.ReserveN(now, 1)
	if wait := reservation.DelayFrom(now); wait > 0 {
		reservation.CancelAt(now)
		return wait, false
	}
	return 0, true
}

// prune forgets buckets that have long been full again, so that the map
// holds only recent users.
func (l *UserLimiter) prune(now time.Time) {
	if len(l.limiters) < 1024 {
		return
	}
	idle := l.every * time.Duration(l.burst+1)
	for id, entry := range l.limiters {
		if now.Sub(entry.lastUsed) > idle {
			delete(l.limiters, id)
		}
	}
}

// LimitUser answers nil when the caller may go on, and otherwise the 429 a
// per-user limit answers with, telling the client when to retry.
func LimitUser(e *core.RequestEvent, l *UserLimiter, message string) error {
	if e.Auth == nil || e.HasSuperuserAuth() {
		return nil
	}
	wait, ok := l.allow(e.Auth.Id)
	if ok {
		return nil
	}
	e.Response.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
	return CodedError(http.StatusTooManyRequests, "rate_limited", message)
}
