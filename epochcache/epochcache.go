// Package epochcache keeps values read from the database for a while,
// never past a committed change that overtook the read.
package epochcache

import (
	"sync"
	"time"
)

// Cache keeps values read from the database for a while, for the
// caches in front of it (auth records, full live sessions), with the one
// rule that makes them safe: a value read before a change was committed is
// never kept after it.
//
// The change's after-commit hook drops what it changed (Drop, DropIf,
// DropAll), and every drop moves the epoch. A reader takes the epoch
// before it reads the database and hands it to Put, which keeps the value
// only if no drop happened meanwhile: a value stored before the drop is
// dropped by it, and one stored after is refused.
type Cache[V any] struct {
	mu      sync.RWMutex
	entries map[string]entry[V]
	epoch   uint64
	// size bounds the entries: past it the expired ones go, then any, down
	// to nine tenths of it.
	size int
}

type entry[V any] struct {
	value   V
	expires time.Time
}

// New is an empty cache of at most size entries.
func New[V any](size int) *Cache[V] {
	return &Cache[V]{entries: map[string]entry[V]{}, size: size}
}

// CurrentEpoch is what a reader takes before it reads the database.
func (c *Cache[V]) CurrentEpoch() uint64 {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.epoch
}

// Get is the value of key, unless there is none or it has expired at now.
func (c *Cache[V]) Get(key string, now time.Time) (V, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	entry, ok := c.entries[key]
	if !ok || !now.Before(entry.expires) {
		var zero V
		return zero, false
	}
	return entry.value, true
}

// Put keeps a value read at epoch until expires, unless something was
// dropped since: then the next reader reads it again.
func (c *Cache[V]) Put(key string, value V, expires time.Time, epoch uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.epoch != epoch {
		return
	}
	if len(c.entries) >= c.size {
		c.trim(time.Now())
	}
	c.entries[key] = entry[V]{value: value, expires: expires}
}

// trim makes room, expired entries first; c.mu is held.
func (c *Cache[V]) trim(now time.Time) {
	for key, entry := range c.entries {
		if !now.Before(entry.expires) {
			delete(c.entries, key)
		}
	}
	for key := range c.entries {
		if len(c.entries) < c.size*9/10 {
			return
		}
		delete(c.entries, key)
	}
}

// Drop forgets key.
func (c *Cache[V]) Drop(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.epoch++
	delete(c.entries, key)
}

// DropIf forgets every value that matches.
func (c *Cache[V]) DropIf(match func(V) bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.epoch++
	for key, entry := range c.entries {
		if match(entry.value) {
			delete(c.entries, key)
		}
	}
}

// DropAll forgets everything.
func (c *Cache[V]) DropAll() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.epoch++
	clear(c.entries)
}
