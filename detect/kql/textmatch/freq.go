package textmatch

// byteFreq estimates how often each byte occurs in a process command line,
// in occurrences per 65,536 bytes (at least 1). It was counted over the
// 2,193 distinct command lines of the public sample data the project tests
// with (../shared/data: hayabusa-sample-evtx, otrf, packet-cyclone,
// sigma-regression, cmdlines.tsv; each line capped at 1 KiB); bytes
// 0x80..0xFF, rare there, are floored at 64 so that UTF-8 text of other
// languages does not look free to scan for. It only steers
// which needle byte a search scans for, so a rough estimate is enough:
// a wrong guess costs speed, never a result.
var byteFreq = [256]uint16{
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	3565, 1, 1082, 5, 30, 46, 18, 40, 67, 44, 5, 170, 167, 1154, 1068, 797,
	906, 1175, 821, 693, 491, 330, 445, 299, 478, 474, 496, 28, 1, 69, 23, 8,
	49, 3647, 614, 863, 624, 642, 482, 513, 319, 574, 293, 177, 357, 424, 455, 294,
	353, 556, 392, 651, 386, 441, 339, 542, 310, 256, 268, 13, 1542, 13, 1, 197,
	1, 1892, 430, 1774, 1692, 4069, 529, 887, 630, 1900, 218, 372, 1693, 1556, 1655, 2016,
	1588, 115, 1375, 2498, 2269, 624, 535, 1145, 935, 849, 215, 21, 246, 21, 3, 1,
	64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64,
	64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64,
	64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64,
	64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64,
	64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64,
	64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64,
	64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64,
	64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64,
}

// anchorCost estimates how many candidate positions scanning for byte b
// yields; for a letter under case folding both cases are scanned for.
func anchorCost(b byte, fold bool) int {
	if fold && isLetter(b) {
		return int(byteFreq[lower[b]]) + int(byteFreq[lower[b]-('a'-'A')])
	}
	return int(byteFreq[b])
}

// pickAnchor returns the offset of the needle byte to scan for: the one
// with the fewest expected candidates (ties go to the later byte, which
// rejects a candidate near the haystack's start sooner).
func pickAnchor(needle string, fold bool) int {
	best, bestCost := 0, int(^uint(0)>>1)
	for i := 0; i < len(needle); i++ {
		if c := anchorCost(needle[i], fold); c <= bestCost {
			best, bestCost = i, c
		}
	}
	return best
}
