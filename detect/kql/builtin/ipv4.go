package builtin

import (
	"strconv"
	"strings"

	"offhunt/detect/data"
)

// IPv4 functions. An address is dotted-decimal text, optionally with an
// IP-prefix ("/24") that masks it; where Kusto documents it, a long in
// big-endian order is accepted too. Text that is not an address gives null
// (or "" for the string results of format_ipv4*).

func init() {
	register(
		fn("parse_ipv4(ip: string): long", func(_ *CallContext, a []data.Value) data.Value {
			addr, prefix, ok := ipv4Arg(a[0])
			if !ok {
				return data.Null
			}
			return data.NewLong(int64(addr & ipv4Mask(prefix)))
		}),
		fn("parse_ipv4_mask(ip: string, prefix: long): long", func(_ *CallContext, a []data.Value) data.Value {
			addr, prefix, ok := ipv4Arg(a[0])
			p, ok2 := argLong(a[1])
			if !ok || !ok2 || p < 0 || p > 32 {
				return data.Null
			}
			return data.NewLong(int64(addr & ipv4Mask(min(prefix, int(p)))))
		}),
		fn("format_ipv4(ip: string|long [, prefix: long]): string", func(_ *CallContext, a []data.Value) data.Value {
			addr, prefix, ok := formatIPv4Args(a)
			if !ok {
				return data.EmptyString
			}
			return data.NewString(ipv4String(addr & ipv4Mask(prefix)))
		}),
		fn("format_ipv4_mask(ip: string|long [, prefix: long]): string", func(_ *CallContext, a []data.Value) data.Value {
			addr, prefix, ok := formatIPv4Args(a)
			if !ok {
				return data.EmptyString
			}
			return data.NewString(ipv4String(addr&ipv4Mask(prefix)) + "/" + strconv.Itoa(prefix))
		}),
		fn("ipv4_is_private(ip: string): bool", evalIPv4IsPrivate),
		fn("ipv4_is_in_range(ip: string, range: string): bool", func(_ *CallContext, a []data.Value) data.Value {
			return ipv4InRanges(a[0], a[1:])
		}),
		fn("ipv4_is_in_any_range(ip: string, range: string|dynamic, ...): bool", func(_ *CallContext, a []data.Value) data.Value {
			return ipv4InRanges(a[0], a[1:])
		}),
		fn("ipv4_is_match(ip1: string, ip2: string [, prefix: long]): bool", func(_ *CallContext, a []data.Value) data.Value {
			c, ok := ipv4CompareArgs(a)
			if !ok {
				return data.Null
			}
			return boolValue(c == 0)
		}),
		fn("ipv4_compare(ip1: string, ip2: string [, prefix: long]): long", func(_ *CallContext, a []data.Value) data.Value {
			c, ok := ipv4CompareArgs(a)
			if !ok {
				return data.Null
			}
			return data.NewLong(int64(c))
		}),
		fn("has_ipv4(source: string, ip_address: string): bool", func(_ *CallContext, a []data.Value) data.Value {
			return hasIPv4(argString(a[0]), a[1:], false)
		}),
		fn("has_ipv4_prefix(source: string, ip_address_prefix: string): bool", func(_ *CallContext, a []data.Value) data.Value {
			return hasIPv4(argString(a[0]), a[1:], true)
		}),
		fn("has_any_ipv4(source: string, ip_address: string|dynamic, ...): bool", func(_ *CallContext, a []data.Value) data.Value {
			return hasIPv4(argString(a[0]), a[1:], false)
		}),
		fn("has_any_ipv4_prefix(source: string, ip_address_prefix: string|dynamic, ...): bool", func(_ *CallContext, a []data.Value) data.Value {
			return hasIPv4(argString(a[0]), a[1:], true)
		}),
	)
}

// parseIPv4 reads "a.b.c.d" with an optional "/prefix" (0..32; 32 when
// absent). Each part is 0..255 written with one to three digits.
func parseIPv4(s string) (addr uint32, prefix int, ok bool) {
	prefix = 32
	if slash := strings.IndexByte(s, '/'); slash >= 0 {
		p, err := strconv.Atoi(s[slash+1:])
		if err != nil || p < 0 || p > 32 || len(s)-slash-1 > 2 {
			return 0, 0, false
		}
		prefix = p
		s = s[:slash]
	}
	addr, ok = parseDotted(s, 4)
	return addr, prefix, ok
}

// parseDotted reads n dot-separated octets into the high bytes of an
// address.
func parseDotted(s string, n int) (uint32, bool) {
	var addr uint32
	part := 0
	for i := 0; i < n; i++ {
		if i > 0 {
			if part >= len(s) || s[part] != '.' {
				return 0, false
			}
			part++
		}
		j := part
		var v uint32
		for j < len(s) && s[j] >= '0' && s[j] <= '9' && j-part < 3 {
			v = v*10 + uint32(s[j]-'0')
			j++
		}
		if j == part || v > 255 {
			return 0, false
		}
		addr = addr<<8 | v
		part = j
	}
	if part != len(s) {
		return 0, false
	}
	return addr << (8 * uint(4-n)), true
}

func ipv4Mask(prefix int) uint32 {
	if prefix <= 0 {
		return 0
	}
	return ^uint32(0) << uint(32-prefix)
}

func ipv4String(addr uint32) string {
	b := make([]byte, 0, 15)
	for i := 3; i >= 0; i-- {
		b = strconv.AppendUint(b, uint64(addr>>(8*uint(i))&0xFF), 10)
		if i > 0 {
			b = append(b, '.')
		}
	}
	return string(b)
}

// ipv4Arg reads an address argument: text, or (for dynamic values) a
// number in big-endian order.
func ipv4Arg(v data.Value) (uint32, int, bool) {
	if isIntValue(v) {
		if v.I < 0 || v.I > 0xFFFFFFFF {
			return 0, 0, false
		}
		return uint32(v.I), 32, true
	}
	if v.K != data.KString {
		return 0, 0, false
	}
	return parseIPv4(strings.TrimSpace(v.S))
}

// formatIPv4Args reads format_ipv4's address and optional prefix; the
// effective prefix is the smaller of the two.
func formatIPv4Args(a []data.Value) (uint32, int, bool) {
	addr, prefix, ok := ipv4Arg(a[0])
	if !ok {
		return 0, 0, false
	}
	if len(a) > 1 {
		p, ok := argLong(a[1])
		if !ok || p < 0 || p > 32 {
			return 0, 0, false
		}
		prefix = min(prefix, int(p))
	}
	return addr, prefix, true
}

// privateRanges are RFC 1918's private networks.
var privateRanges = [...]struct {
	base   uint32
	prefix int
}{{10 << 24, 8}, {172<<24 | 16<<16, 12}, {192<<24 | 168<<16, 16}}

// evalIPv4IsPrivate: whether the address (or the whole masked range) lies
// in 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16.
func evalIPv4IsPrivate(_ *CallContext, a []data.Value) data.Value {
	addr, prefix, ok := ipv4Arg(a[0])
	if !ok {
		return data.Null
	}
	for _, r := range privateRanges {
		if prefix >= r.prefix && addr&ipv4Mask(r.prefix) == r.base {
			return trueValue
		}
	}
	return falseValue
}

// ipv4InRanges: whether the address lies in any of the ranges (text in
// IP-prefix notation, or dynamic arrays of such text). Null when the
// address or a range is not valid.
func ipv4InRanges(ip data.Value, ranges []data.Value) data.Value {
	addr, _, ok := ipv4Arg(ip)
	if !ok {
		return data.Null
	}
	found := false
	check := func(r data.Value) bool {
		base, prefix, ok := ipv4Arg(r)
		if !ok {
			return false
		}
		m := ipv4Mask(prefix)
		if addr&m == base&m {
			found = true
		}
		return true
	}
	for _, r := range ranges {
		if r.K == data.KArray {
			for _, it := range r.Array() {
				if !check(it) {
					return data.Null
				}
			}
			continue
		}
		if !check(r) {
			return data.Null
		}
	}
	return boolValue(found)
}

// ipv4CompareArgs compares two addresses under the smallest of their
// prefixes and the optional prefix argument.
func ipv4CompareArgs(a []data.Value) (int, bool) {
	x, px, ok1 := ipv4Arg(a[0])
	y, py, ok2 := ipv4Arg(a[1])
	if !ok1 || !ok2 {
		return 0, false
	}
	prefix := min(px, py)
	if len(a) > 2 {
		p, ok := argLong(a[2])
		if !ok || p < 0 || p > 32 {
			return 0, false
		}
		prefix = min(prefix, int(p))
	}
	m := ipv4Mask(prefix)
	x, y = x&m, y&m
	switch {
	case x < y:
		return -1, true
	case x > y:
		return 1, true
	}
	return 0, true
}

// ipv4Needle is one address or prefix has_ipv4* looks for: the value of
// its first n octets.
type ipv4Needle struct {
	addr   uint32
	octets int
}

// parseIPv4Needle reads a lookup: a full address, or (for prefixes) one
// to three octets followed by a dot ("192.", "192.168.", "10.1.2.").
func parseIPv4Needle(s string, prefix bool) (ipv4Needle, bool) {
	if addr, ok := parseDotted(s, 4); ok {
		return ipv4Needle{addr, 4}, true
	}
	if !prefix || !strings.HasSuffix(s, ".") {
		return ipv4Needle{}, false
	}
	body := s[:len(s)-1]
	n := strings.Count(body, ".") + 1
	if n > 3 {
		return ipv4Needle{}, false
	}
	addr, ok := parseDotted(body, n)
	return ipv4Needle{addr, n}, ok
}

func isAlnumByte(c byte) bool {
	return c >= '0' && c <= '9' || c|0x20 >= 'a' && c|0x20 <= 'z'
}

// hasIPv4 reports whether source contains an IPv4 address matching any
// lookup. An address in the text must be properly delimited: the maximal
// run of digits and dots around it must be bounded by non-alphanumeric
// characters (or the text's ends) and be exactly a valid address, so
// "54127.0.0.1" and "127.0.0.256" contain no address (Kusto's documented
// examples). A lookup that is not a valid address (or prefix ending in a
// dot) matches nothing.
func hasIPv4(source string, lookups []data.Value, prefix bool) data.Value {
	var needles []ipv4Needle
	add := func(v data.Value) {
		if n, ok := parseIPv4Needle(strings.TrimSpace(argString(v)), prefix); ok {
			needles = append(needles, n)
		}
	}
	for _, l := range lookups {
		if l.K == data.KArray {
			for _, it := range l.Array() {
				add(it)
			}
			continue
		}
		add(l)
	}
	if len(needles) == 0 {
		return falseValue
	}
	for i := 0; i < len(source); {
		c := source[i]
		if c < '0' || c > '9' || (i > 0 && (isAlnumByte(source[i-1]) || source[i-1] == '.')) {
			i++
			continue
		}
		j := i
		for j < len(source) && (source[j] >= '0' && source[j] <= '9' || source[j] == '.') {
			j++
		}
		run := strings.TrimRight(source[i:j], ".")
		if j >= len(source) || !isAlnumByte(source[j]) {
			if addr, ok := parseDotted(run, 4); ok {
				for _, n := range needles {
					shift := uint(8 * (4 - n.octets))
					if addr>>shift == n.addr>>shift {
						return trueValue
					}
				}
			}
		}
		i = j
	}
	return falseValue
}
