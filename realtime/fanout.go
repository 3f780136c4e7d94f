// Package realtime delivers studyhall's own realtime events: record events
// addressed to a set of users, written in exactly PocketBase's record-event
// shape so the JS SDK's collection(...).subscribe(...) works unchanged.
//
// PocketBase's own record broadcast checks the collection's list rule with
// one SQL query per subscriber per event; for a collection whose records
// each belong to one user (notifications, later chat) that is wasted work:
// the owner is known. A collection handed to the fan-out with Own has its
// subscriptions kept aside by the fan-out, so PocketBase's broadcast finds
// no subscriber for it, and its events are sent by the fan-out only to the
// clients authenticated as their user.
//
// Everything goes through the Fanout interface, so that an external broker
// (NATS, Centrifugo) can take delivery over later without touching the
// domains.
package realtime

import (
	"encoding/json"
	"log/slog"
	"net/url"
	"slices"
	"strings"
	"sync"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
	"github.com/pocketbase/pocketbase/tools/picker"
	"github.com/pocketbase/pocketbase/tools/subscriptions"

	"studyhall/collections"
)

// Record event actions, as PocketBase names them.
const (
	ActionCreate = "create"
	ActionUpdate = "update"
	ActionDelete = "delete"
)

// Everyone, as an Event's UserId, addresses every client signed in as a
// user (presence, which every signed-in user may see).
const Everyone = "*"

// Event is one record event for one user, or for every signed-in user.
type Event struct {
	// UserId is the only user (of the users collection) whose clients
	// receive the event, or Everyone.
	UserId string
	// Action is ActionCreate, ActionUpdate or ActionDelete.
	Action string
	Record *core.Record
}

// Fanout delivers record events to the realtime clients of their users.
// Publish must not block on slow clients and must keep, per client, the
// order of the events it is given.
type Fanout interface {
	Publish(events ...Event)
	// PublishTopic sends payload to the subscribers of a custom topic
	// (such as chat/ROOM), whose subscriptions the domain vetted.
	PublishTopic(topic string, payload any)
	// HasTopicSubscriber reports whether userId listens to topic now.
	HasTopicSubscriber(topic, userId string) bool
}

const (
	storeKey = "studyhall.realtime.fanout"
	// subsKey is the client store key of the subscriptions kept aside.
	subsKey = "studyhall.realtime.subscriptions"
)

// Get returns the app's fan-out, creating and binding the in-process one on
// first use.
func Get(app core.App) Fanout {
	return app.Store().GetOrSet(storeKey, func() any {
		return newInProcess(app)
	}).(Fanout)
}

// Own hands the record events of the named collections to the fan-out:
// their realtime subscriptions are kept aside by the fan-out instead of
// PocketBase's broker, so PocketBase's per-subscriber broadcast skips them,
// and the domain publishes their events through Get(app).Publish.
func Own(app core.App, collectionNames ...string) {
	f, ok := Get(app).(*InProcess)
	if !ok {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, name := range collectionNames {
		f.owned[name] = true
	}
}

// InProcess is the Fanout of a single studyhall process, sending through
// PocketBase's subscriptions broker.
type InProcess struct {
	app core.App

	mu     sync.Mutex
	owned  map[string]bool
	queues map[string]*clientQueue

	topics topicDispatcher

	// subscribers are the clients with kept-aside subscriptions, so that
	// a publish walks them and not every connection of the server
	subscribers map[string]subscriptions.Client
}

type clientQueue struct {
	messages []subscriptions.Message
}

// subscription is one kept-aside subscription of a client.
type subscription struct {
	raw        string // the name the client listens on
	collection string
	recordId   string // "" for the whole collection
	fields     string // the fields option, if any
}

func newInProcess(app core.App) *InProcess {
	f := &InProcess{
		app:    app,
		owned:  map[string]bool{},
		queues: map[string]*clientQueue{},

		subscribers: map[string]subscriptions.Client{},
	}
	app.OnRealtimeSubscribeRequest().Bind(&hook.Handler[*core.RealtimeSubscribeRequestEvent]{
		Func:     f.divertSubscriptions,
		Priority: -100,
	})
	f.bindTopicIndex()
	bindStreams(app)
	return f
}

// divertSubscriptions keeps the subscriptions of owned collections on the
// client's store, out of PocketBase's sight. Each subscribe request
// replaces all of a client's subscriptions, as PocketBase's does.
func (f *InProcess) divertSubscriptions(e *core.RealtimeSubscribeRequestEvent) error {
	var kept []subscription
	rest := make([]string, 0, len(e.Subscriptions))
	for _, raw := range e.Subscriptions {
		if sub, ok := f.parse(raw); ok {
			kept = append(kept, sub)
			continue
		}
		rest = append(rest, raw)
	}
	e.Subscriptions = rest
	if len(kept) > 0 {
		e.Client.Set(subsKey, kept)
		f.mu.Lock()
		f.subscribers[e.Client.Id()] = e.Client
		f.mu.Unlock()
	} else {
		e.Client.Unset(subsKey)
		f.mu.Lock()
		delete(f.subscribers, e.Client.Id())
		f.mu.Unlock()
	}
	return e.Next()
}

// parse recognises "<collection>", "<collection>/*" and
// "<collection>/<id>" of an owned collection, each with optional
// ?options=..., as the JS SDK writes them.
func (f *InProcess) parse(raw string) (subscription, bool) {
	topic, query, _ := strings.Cut(raw, "?")
	collection, recordId, _ := strings.Cut(topic, "/")
	f.mu.Lock()
	owned := f.owned[collection]
	f.mu.Unlock()
	if !owned || strings.Contains(recordId, "/") {
		return subscription{}, false
	}
	if recordId == "*" {
		recordId = ""
	}
	sub := subscription{raw: raw, collection: collection, recordId: recordId}
	if query != "" {
		if values, err := url.ParseQuery(query); err == nil {
			var options struct {
				Query map[string]any `json:"query"`
			}
			if json.Unmarshal([]byte(values.Get("options")), &options) == nil {
				if fields, ok := options.Query["fields"].(string); ok {
					sub.fields = fields
				}
			}
		}
	}
	return sub, true
}

// Publish implements Fanout: each event goes to every client authenticated
// as its user with a matching subscription, named by that subscription,
// with {"action":...,"record":...} as data.
func (f *InProcess) Publish(events ...Event) {
	if len(events) == 0 {
		return
	}
	byUser := make(map[string][]int, len(events))
	for i, event := range events {
		if event.UserId != "" && event.Record != nil {
			byUser[event.UserId] = append(byUser[event.UserId], i)
		}
	}
	// one payload per (event, fields), shared by its recipients; keyed by
	// the event's record and action rather than by id, so that events of
	// one record shown differently to different users (a copy without
	// some field) go out in one call
	type payloadKey struct {
		record         *core.Record
		action, fields string
	}
	payloads := map[payloadKey][]byte{}

	for _, client := range f.subscriberSnapshot() {
		subs, _ := client.Get(subsKey).([]subscription)
		if len(subs) == 0 {
			continue
		}
		auth, _ := client.Get(apis.RealtimeClientAuthKey).(*core.Record)
		if auth == nil || auth.Collection() == nil || auth.Collection().Name != collections.Users {
			continue
		}
		indexes := byUser[auth.Id]
		if everyone := byUser[Everyone]; len(everyone) > 0 {
			// in publish order, whoever they are addressed to
			indexes = append(slices.Clip(indexes), everyone...)
			slices.Sort(indexes)
		}
		if len(indexes) == 0 {
			continue
		}
		var messages []subscriptions.Message
		for _, i := range indexes {
			event := events[i]
			for _, sub := range subs {
				if sub.collection != event.Record.Collection().Name ||
					(sub.recordId != "" && sub.recordId != event.Record.Id) {
					continue
				}
				key := payloadKey{event.Record, event.Action, sub.fields}
				data, ok := payloads[key]
				if !ok {
					data = f.payload(event, sub.fields)
					payloads[key] = data
				}
				if data != nil {
					messages = append(messages, subscriptions.Message{Name: sub.raw, Data: data})
				}
			}
		}
		f.enqueue(client, messages)
	}
}

// subscriberSnapshot is the clients with kept-aside subscriptions, less
// those whose connection has closed (forgotten here as they are met).
func (f *InProcess) subscriberSnapshot() []subscriptions.Client {
	f.mu.Lock()
	defer f.mu.Unlock()
	clients := make([]subscriptions.Client, 0, len(f.subscribers))
	for id, client := range f.subscribers {
		if client.IsDiscarded() {
			delete(f.subscribers, id)
			continue
		}
		clients = append(clients, client)
	}
	return clients
}

func (f *InProcess) payload(event Event, fields string) []byte {
	// the record as given: a publisher may have hidden fields on its copy
	var record any = event.Record
	if fields != "" {
		if picked, err := picker.Pick(record, fields); err == nil {
			record = picked
		}
	}
	data, err := json.Marshal(map[string]any{"action": event.Action, "record": record})
	if err != nil {
		f.app.Logger().Warn("realtime: marshal record event",
			slog.String("id", event.Record.Id), slog.String("error", err.Error()))
		return nil
	}
	return data
}

// enqueue hands messages to the client in order without blocking the
// publisher. A connection run by serveStream queues them itself; for any
// other client they go on a queue of the fan-out's and a goroutine per
// busy client sends them, so a slow client holds up only itself and each
// client sees events in publish order.
func (f *InProcess) enqueue(client subscriptions.Client, messages []subscriptions.Message) {
	if len(messages) == 0 {
		return
	}
	if stream, ok := client.(*streamClient); ok {
		stream.push(messages...)
		return
	}
	f.mu.Lock()
	queue, busy := f.queues[client.Id()]
	if !busy {
		queue = &clientQueue{}
		f.queues[client.Id()] = queue
	}
	queue.messages = append(queue.messages, messages...)
	f.mu.Unlock()
	if busy {
		return
	}
	go func() {
		for {
			f.mu.Lock()
			batch := queue.messages
			queue.messages = nil
			if len(batch) == 0 {
				delete(f.queues, client.Id())
				f.mu.Unlock()
				return
			}
			f.mu.Unlock()
			for _, message := range batch {
				if client.IsDiscarded() {
					break
				}
				client.Send(message)
			}
		}
	}()
}
