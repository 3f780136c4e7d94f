package chat

import (
	"net/http"
	"sync"
	"time"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"

	"studyhall/collections"
	"studyhall/realtime"
	"studyhall/request"
)

// typingTimeout is how long a "typing: true" lasts unless refreshed.
const typingTimeout = 6 * time.Second

// typingForm is the body of POST /api/chat/rooms/{id}/typing.
type typingForm struct {
	Typing *bool `json:"typing"`
}

// Validate implements validation.Validatable.
func (f *typingForm) Validate() error {
	return validation.ValidateStruct(f, validation.Field(&f.Typing, validation.NotNil))
}

// chatTyping is POST /api/chat/rooms/{id}/typing {"typing": true|false}.
func chatTyping(e *core.RequestEvent, indicators *typingIndicators, limiter *request.UserLimiter) error {
	room, err := findVisibleRoom(e, e.Request.PathValue("id"))
	if err != nil {
		return err
	}
	if err := request.LimitUser(e, limiter, "Too many typing updates; send one every few seconds at most."); err != nil {
		return err
	}
	form := new(typingForm)
	if err := request.BindForm(e, form); err != nil {
		return err
	}
	if *form.Typing {
		indicators.start(room.Id, e.Auth.Id, e.Auth.GetString(collections.UserName))
	} else {
		indicators.stop(room.Id, e.Auth.Id)
	}
	return e.NoContent(http.StatusNoContent)
}

// typingIndicators sends typing events and, for every "typing: true" not
// refreshed within typingTimeout, the "typing: false" the client did not.
type typingIndicators struct {
	app    core.App
	mu     sync.Mutex
	timers map[string]*time.Timer // by room + user
	names  map[string]string
}

func newTypingIndicators(app core.App) *typingIndicators {
	return &typingIndicators{app: app, timers: map[string]*time.Timer{}, names: map[string]string{}}
}

func (t *typingIndicators) start(roomId, userId, name string) {
	key := roomId + "/" + userId
	t.mu.Lock()
	if timer, ok := t.timers[key]; ok {
		timer.Stop()
	}
	t.names[key] = name
	t.timers[key] = time.AfterFunc(typingTimeout, func() { t.stop(roomId, userId) })
	t.mu.Unlock()
	t.send(roomId, userId, name, true)
}

// stop ends an indicator; it does nothing for one that is not on.
func (t *typingIndicators) stop(roomId, userId string) {
	key := roomId + "/" + userId
	t.mu.Lock()
	timer, on := t.timers[key]
	name := t.names[key]
	if on {
		timer.Stop()
		delete(t.timers, key)
		delete(t.names, key)
	}
	t.mu.Unlock()
	if on {
		t.send(roomId, userId, name, false)
	}
}

func (t *typingIndicators) send(roomId, userId, name string, typing bool) {
	realtime.Get(t.app).PublishTopic(chatTypingTopic(roomId), map[string]any{"userId": userId, "name": name, "typing": typing})
}
