package kql

import (
	"fmt"
	"regexp"
	"strings"
	"sync"
)

// compileRegex compiles a KQL regular expression. Kusto documents Rust's
// regex syntax; Go's RE2 syntax covers the same common ground (neither has
// backreferences or lookaround), so patterns are used as they are, after
// rejecting ones longer than MaxRegexLength.
func compileRegex(pattern string) (*regexp.Regexp, error) {
	if len(pattern) > MaxRegexLength {
		return nil, fmt.Errorf("the pattern is %d bytes long; the limit is %d", len(pattern), MaxRegexLength)
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		msg := err.Error()
		msg = strings.TrimPrefix(msg, "error parsing regexp: ")
		return nil, fmt.Errorf("%s", msg)
	}
	return re, nil
}

// maxCachedRegexes bounds a regexCache: patterns computed per row could
// otherwise grow it without limit.
const maxCachedRegexes = 256

// regexCache holds compiled regexes for patterns that are computed per
// row. Compiled regexes are safe for concurrent use; the map is guarded.
type regexCache struct {
	mu sync.Mutex
	m  map[string]*regexp.Regexp
}

func newRegexCache() *regexCache { return &regexCache{m: map[string]*regexp.Regexp{}} }

func (c *regexCache) get(pattern string) (*regexp.Regexp, error) {
	c.mu.Lock()
	re, ok := c.m[pattern]
	c.mu.Unlock()
	if ok {
		return re, nil
	}
	re, err := compileRegex(pattern)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if len(c.m) >= maxCachedRegexes {
		clear(c.m)
	}
	c.m[pattern] = re
	c.mu.Unlock()
	return re, nil
}
