package realtime

import (
	"encoding/json"
	"strings"
	"sync"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/subscriptions"
)

// topicMessage is one event for the subscribers of a custom topic.
type topicMessage struct {
	topic string
	data  []byte
}

// topicDispatcher hands topic events, in publish order, to the client
// queues; one goroutine, so the writer's request only marshals and queues.
type topicDispatcher struct {
	once  sync.Once
	queue chan topicMessage
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
	for m := range f.topics.queue {
		for _, client := range f.app.SubscriptionsBroker().Clients() {
			var messages []subscriptions.Message
			for name := range client.Subscriptions(m.topic) {
				if subscriptionTopic(name) == m.topic {
					messages = append(messages, subscriptions.Message{Name: name, Data: m.data})
				}
			}
			f.enqueue(client, messages)
		}
	}
}

// HasTopicSubscriber implements Fanout: whether a client authenticated as
// userId listens to topic right now.
func (f *InProcess) HasTopicSubscriber(topic, userId string) bool {
	for _, client := range f.app.SubscriptionsBroker().Clients() {
		auth, _ := client.Get(apis.RealtimeClientAuthKey).(*core.Record)
		if auth == nil || auth.Id != userId {
			continue
		}
		for name := range client.Subscriptions(topic) {
			if subscriptionTopic(name) == topic {
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
