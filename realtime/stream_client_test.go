package realtime

import (
	"maps"
	"net/url"
	"testing"

	"github.com/pocketbase/pocketbase/tools/subscriptions"
)

// streamClient answers Subscriptions and HasSubscription from its copy of
// the names exactly as PocketBase's DefaultClient does, through every
// change of its subscriptions.
func TestStreamClientSubscriptionsMatchDefaultClient(t *testing.T) {
	t.Parallel()
	options := "?options=" + url.QueryEscape(`{"query":{"fields":"id"},"headers":{"x-token":"a"}}`)
	names := []string{
		"chat/room1", "chat/room1/typing", "chat_messages/*", "chat_messages/*" + options,
		"chat_messages", "chat_messages/abc", "notes/rec1" + options, "chat",
		// past eight names HasSubscription looks them up in a set
		"extra/1", "extra/2", "extra/3", "extra/4", "extra/5",
	}
	// the prefixes PocketBase's record broadcast asks for, and edge cases
	prefixes := [][]string{
		{"chat_messages/abc?", "chat_messages/*?", "chat_messages?"},
		{"chat_messages/*?"}, {"chat_messages?"}, {"chat?"}, {"chat/"}, {"chat"},
		{"notes/rec1?"}, {"notes?"}, {"none?"}, {"chat_messages/*?options="}, {""},
	}
	plain := subscriptions.NewDefaultClient()
	stream := newStreamClient(subscriptions.NewDefaultClient())
	check := func(step string) {
		t.Helper()
		for _, p := range prefixes {
			want, got := plain.Subscriptions(p...), stream.Subscriptions(p...)
			if len(want) != len(got) || (len(want) > 0 && !maps.EqualFunc(want, got, func(a, b subscriptions.SubscriptionOptions) bool {
				return maps.Equal(a.Query, b.Query) && maps.Equal(a.Headers, b.Headers)
			})) {
				t.Fatalf("%s: Subscriptions(%q) = %v, want %v", step, p, got, want)
			}
		}
		if want, got := plain.Subscriptions(), stream.Subscriptions(); len(want) != len(got) {
			t.Fatalf("%s: Subscriptions() = %v, want %v", step, got, want)
		}
		for _, name := range append(names, "other", "chat/room1?x") {
			if want, got := plain.HasSubscription(name), stream.HasSubscription(name); want != got {
				t.Fatalf("%s: HasSubscription(%q) = %v, want %v", step, name, got, want)
			}
		}
	}
	check("none")
	for i, name := range names {
		plain.Subscribe(name)
		stream.Subscribe(name)
		check("after subscribing to " + name)
		if i%3 == 2 {
			plain.Unsubscribe(names[i-1])
			stream.Unsubscribe(names[i-1])
			check("after unsubscribing from " + names[i-1])
		}
	}
	plain.Unsubscribe()
	stream.Unsubscribe()
	check("after unsubscribing from all")

	plain.Discard()
	stream.Discard()
	if !stream.IsDiscarded() || !plain.IsDiscarded() {
		t.Fatal("a discarded stream client does not say so")
	}
}
