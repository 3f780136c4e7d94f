package realtime

import (
	"encoding/json"
	"strings"
	"sync"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
	"github.com/pocketbase/pocketbase/tools/subscriptions"
)

// topicMessage is one event for the subscribers of a custom topic.
type topicMessage struct {
	topic string
	data  []byte
}

// topicDispatcher hands topic events, in publish order, to the client
// queues; one goroutine, so the writer's request only marshals and queues.
//
// It keeps an index from each topic to the clients subscribed to it (with
// the names they used), built from the subscribe requests once every
// domain hook has filtered them, so that a publish costs its subscribers
// and not every connection of the server.
type topicDispatcher struct {
	once  sync.Once
	queue chan topicMessage

	mu sync.Mutex
	// byTopic maps a topic to its clients, each with the subscription
	// names (with or without the SDK's ?options=) it listens on.
	byTopic map[string]map[string]*topicListener
	// byClient is the topics each client is indexed under.
	byClient map[string][]string
}

type topicListener struct {
	client subscriptions.Client
	names  []string
}

// bindTopicIndex keeps the index in step with subscribe requests. It looks
// at the subscriptions after the whole chain has run, so a topic a domain
// refused is never indexed.
func (f *InProcess) bindTopicIndex() {
	f.topics.byTopic = map[string]map[string]*topicListener{}
	f.topics.byClient = map[string][]string{}
	f.app.OnRealtimeSubscribeRequest().Bind(&hook.Handler[*core.RealtimeSubscribeRequestEvent]{
		Func: func(e *core.RealtimeSubscribeRequestEvent) error {
			if err := e.Next(); err != nil {
				return err
			}
			f.indexClient(e.Client, e.Subscriptions)
			return nil
		},
		Priority: -200, // outermost: its e.Next() returns after every other handler
	})
}

// indexClient replaces the client's entries with names.
func (f *InProcess) indexClient(client subscriptions.Client, names []string) {
	t := &f.topics
	t.mu.Lock()
	defer t.mu.Unlock()
	f.unindexLocked(client.Id())
	var topics []string
	for _, name := range names {
		topic := subscriptionTopic(name)
		listeners := t.byTopic[topic]
		if listeners == nil {
			listeners = map[string]*topicListener{}
			t.byTopic[topic] = listeners
		}
		listener := listeners[client.Id()]
		if listener == nil {
			listener = &topicListener{client: client}
			listeners[client.Id()] = listener
			topics = append(topics, topic)
		}
		listener.names = append(listener.names, name)
	}
	if len(topics) > 0 {
		t.byClient[client.Id()] = topics
	}
}

func (f *InProcess) unindexLocked(clientId string) {
	t := &f.topics
	for _, topic := range t.byClient[clientId] {
		delete(t.byTopic[topic], clientId)
		if len(t.byTopic[topic]) == 0 {
			delete(t.byTopic, topic)
		}
	}
	delete(t.byClient, clientId)
}

// listeners is a snapshot of topic's live listeners; closed connections
// are forgotten as they are met.
func (f *InProcess) listeners(topic string) []topicListener {
	t := &f.topics
	t.mu.Lock()
	defer t.mu.Unlock()
	var live []topicListener
	var closed []string
	for id, listener := range t.byTopic[topic] {
		if listener.client.IsDiscarded() {
			closed = append(closed, id)
			continue
		}
		live = append(live, *listener)
	}
	for _, id := range closed {
		f.unindexLocked(id)
	}
	return live
}

// PublishTopic implements Fanout: payload, marshalled once, goes to every
// client subscribed to topic (with or without the JS SDK's ?options=),
// named by that client's subscription. Who may subscribe to a topic is the
// domain's to decide when the subscription is made.
func (f *InProcess) PublishTopic(topic string, payload any) {
	data, err := json.Marshal(payload)
	if err != nil {
		f.app.Logger().Warn("realtime: marshal topic event", "topic", topic, "error", err)
		return
	}
	f.topics.once.Do(func() {
		f.topics.queue = make(chan topicMessage, 4096)
		go f.dispatchTopics()
	})
	f.topics.queue <- topicMessage{topic: topic, data: data}
}

func (f *InProcess) dispatchTopics() {
	var messages []subscriptions.Message // reused: enqueue copies
	for m := range f.topics.queue {
		for _, listener := range f.listeners(m.topic) {
			messages = messages[:0]
			for _, name := range listener.names {
				// a domain may have unsubscribed the client since it was
				// indexed (a participant removed from a room)
				if listener.client.HasSubscription(name) {
					messages = append(messages, subscriptions.Message{Name: name, Data: m.data})
				}
			}
			f.enqueue(listener.client, messages)
		}
	}
}

// HasTopicSubscriber implements Fanout: whether a client authenticated as
// userId listens to topic right now.
func (f *InProcess) HasTopicSubscriber(topic, userId string) bool {
	for _, listener := range f.listeners(topic) {
		auth, _ := listener.client.Get(apis.RealtimeClientAuthKey).(*core.Record)
		if auth == nil || auth.Id != userId {
			continue
		}
		for _, name := range listener.names {
			if listener.client.HasSubscription(name) {
				return true
			}
		}
	}
	return false
}

// subscriptionTopic is a subscription name without the SDK's ?options=.
func subscriptionTopic(name string) string {
	topic, _, _ := strings.Cut(name, "?")
	return topic
}
