package data

// Bag is a dynamic property bag. Kusto treats bag keys as unordered, but
// offhunt keeps insertion order so that printing is stable and a bag reads
// the way the analyst's data wrote it.
type Bag struct {
	keys []string
	vals map[string]Value
}

// NewBag returns an empty bag with room for n keys.
func NewBag(n int) *Bag {
	return &Bag{keys: make([]string, 0, n), vals: make(map[string]Value, n)}
}

// Len returns the number of keys.
func (b *Bag) Len() int {
	if b == nil {
		return 0
	}
	return len(b.keys)
}

// Keys returns the keys in insertion order. The slice must not be changed.
func (b *Bag) Keys() []string {
	if b == nil {
		return nil
	}
	return b.keys
}

// Get returns the value under key.
func (b *Bag) Get(key string) (Value, bool) {
	if b == nil {
		return Null, false
	}
	v, ok := b.vals[key]
	return v, ok
}

// Set sets key to v, keeping the key's first position when it exists.
func (b *Bag) Set(key string, v Value) {
	if _, ok := b.vals[key]; !ok {
		b.keys = append(b.keys, key)
	}
	b.vals[key] = v
}

// Delete removes key.
func (b *Bag) Delete(key string) {
	if _, ok := b.vals[key]; !ok {
		return
	}
	delete(b.vals, key)
	for i, k := range b.keys {
		if k == key {
			b.keys = append(b.keys[:i:i], b.keys[i+1:]...)
			break
		}
	}
}

// Clone returns a shallow copy of b.
func (b *Bag) Clone() *Bag {
	c := NewBag(b.Len())
	for _, k := range b.Keys() {
		c.Set(k, b.vals[k])
	}
	return c
}
