package livesessions

import (
	"log/slog"
	"sync"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"studyhall/collections"
	"studyhall/epochcache"
)

// fullSessions remembers the live sessions found full, with who holds
// their seats, so that a rush of joins at a full session is answered from
// memory, and queues the joins of one session that may still take a seat,
// so that only as many reach the database's write lock as there are seats
// to give. A class of 1,000 racing for 100 seats otherwise queued all 1,000
// on the write lock, 900 of them only to be refused there.
//
// It decides nothing the database does not already say: an entry is made
// only from rows read after the session was seen full, and any committed
// change to the session or its attendance drops it (the record hooks below
// run after the commit; epochCache keeps a load overtaken by a change from
// being kept). The seat count itself stays guarded by the join
// transaction; this only spares the refusals.
type fullSessions struct {
	known *epochcache.Cache[*fullSession]

	mu     sync.Mutex // of queues and refused
	queues map[string]*joinQueue
	// refused counts the joins turned away per session since the last
	// logRefusals
	refused map[string]int
}

// joinQueue lets one join of a session at a time try for a seat; the
// database's write lock would serialise them anyway.
type joinQueue struct {
	sync.Mutex
	waiting int // joins holding or waiting for it; the queue goes at 0
}

// fullSession is a session as it was when found full.
type fullSession struct {
	// session is the record read with the seats; never handed out, so
	// never changed.
	session *LiveSession
	seated  map[string]struct{} // user ids of the active attendees
}

// fullSessionTTL bounds how long an entry is trusted without a write to
// drop it: only a change made by another process on the same database (a
// CLI command) can go unseen, and for no longer than this.
const fullSessionTTL = 5 * time.Second

// fullSessionsSize bounds the entries (epochCache.size).
const fullSessionsSize = 1024

func newFullSessions() *fullSessions {
	return &fullSessions{
		known:   epochcache.New[*fullSession](fullSessionsSize),
		queues:  map[string]*joinQueue{},
		refused: map[string]int{},
	}
}

// refuse counts a join turned away from a full session.
func (f *fullSessions) refuse(sessionId string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.refused[sessionId]++
}

// logRefusals writes one line per session that turned joins away since
// the last call, and starts the count again.
func (f *fullSessions) logRefusals(logger *slog.Logger) {
	f.mu.Lock()
	refused := f.refused
	f.refused = map[string]int{}
	f.mu.Unlock()
	for sessionId, n := range refused {
		logger.Info("livesessions: joins refused at a full session", "session", sessionId, "refused", n)
	}
}

// queue waits for the session's turn and returns its release.
func (f *fullSessions) queue(sessionId string) (release func()) {
	f.mu.Lock()
	q := f.queues[sessionId]
	if q == nil {
		q = &joinQueue{}
		f.queues[sessionId] = q
	}
	q.waiting++
	f.mu.Unlock()

	q.Lock()
	return func() {
		q.Unlock()
		f.mu.Lock()
		if q.waiting--; q.waiting == 0 {
			delete(f.queues, sessionId)
		}
		f.mu.Unlock()
	}
}

// bind drops a session's entry whenever it changes. A change of its
// attendance is one too: every write of attendance saves its session in
// the same transaction (the recount that keeps attendeeCount exact).
func (f *fullSessions) bind(app core.App) {
	forget := func(e *core.RecordEvent) error {
		f.known.Drop(e.Record.Id)
		return e.Next()
	}
	app.OnRecordAfterUpdateSuccess(collections.LiveSessions).BindFunc(forget)
	app.OnRecordAfterDeleteSuccess(collections.LiveSessions).BindFunc(forget)
	// a new view rule: the entries' records carry the old collection
	app.OnCollectionAfterUpdateSuccess(collections.LiveSessions).BindFunc(func(e *core.CollectionEvent) error {
		f.known.DropAll()
		return e.Next()
	})
}

// lookup is the session's entry if it is known full.
func (f *fullSessions) lookup(sessionId string) *fullSession {
	entry, _ := f.known.Get(sessionId, time.Now())
	return entry
}

// load reads the session and its seats and keeps them if it is full; nil
// if it is not (a seat is free, or it can no longer be joined). It is
// called in the session's turn (queue), so one load of a session runs at a
// time.
func (f *fullSessions) load(app core.App, sessionId string) (*fullSession, error) {
	epoch := f.known.CurrentEpoch()
	session, err := FindLiveSession(app, sessionId)
	if err != nil {
		return nil, err
	}
	userIds, err := activeAttendeeUsers(app, sessionId)
	if err != nil {
		return nil, err
	}
	if session.checkJoinable() != nil || len(userIds) < session.Capacity() {
		return nil, nil
	}
	entry := &fullSession{
		session: session,
		seated:  make(map[string]struct{}, len(userIds)),
	}
	for _, id := range userIds {
		entry.seated[id] = struct{}{}
	}
	f.known.Put(sessionId, entry, time.Now().Add(fullSessionTTL), epoch)
	return entry, nil
}

// has reports whether the user holds one of the seats.
func (s *fullSession) has(userId string) bool {
	_, ok := s.seated[userId]
	return ok
}
