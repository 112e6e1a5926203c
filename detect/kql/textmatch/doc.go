// Package textmatch implements the string matching behind KQL's string
// operators: ==, =~, contains, startswith, endswith, has, hasprefix,
// hassuffix (each with its _cs form and negation) and the set forms
// has_any, has_all, in, in~.
//
// A needle is compiled once (New, NewAny, NewAll) and then tested against
// each row's value with Match or Find, which do not allocate and are safe
// for concurrent use. Find also returns the bytes that matched, to show an
// analyst why a row was selected. MatchBytes and FindBytes do the same on
// a []byte, for prefilters over raw input.
//
// # Semantics
//
// Kusto's documentation (summarised with sources in the project's
// kql/semantics.md §3) fixes most of the behaviour; where it is silent
// this package decides as follows.
//
// Case-insensitive operators fold ASCII letters, as the documentation
// stated until 2022 ("Case-insensitive operators are currently supported
// only for ASCII-text"). That sentence has since been removed, and the
// current pages put no limit on case-insensitivity (GAP), so non-ASCII
// letters fold too, by Unicode simple case folding: "Müller" =~ "MÜLLER",
// "ПРИВЕТ" has "привет", "ß" matches "ẞ". Two things are excluded: full
// case folding ("ß" does not match "SS"), and folds between ASCII and
// non-ASCII, so the Kelvin sign K (U+212A) does not match "k" nor the long
// s ſ (U+017F) "s". Such letters are look-alikes more often than
// spellings in security logs, and keeping ASCII apart keeps every ASCII
// needle a plain byte search. A needle without non-ASCII letters costs
// nothing for this; one with them takes a slower path. Case-sensitive
// operators compare bytes. Invalid UTF-8, in the haystack or the needle,
// compares byte for byte.
//
// Terms, for has, hasprefix and hassuffix, are maximal runs of ASCII
// letters and digits [A-Za-z0-9]. The documentation says "alphanumeric";
// its revisions until 2023 said "ASCII alphanumeric" (GAP). Every other
// byte separates terms: punctuation, '_' (not alphanumeric, so
// "my_rclone_copy" has "rclone"), and all non-ASCII bytes (so "naïve" has
// "na"). The ASCII reading follows the older, explicit text, lets a term
// boundary be decided from one byte, also in invalid UTF-8, and errs
// towards matching more rather than less, which suits hunting.
//
// A has needle that is not a single term (semantics.md §3.2, GAP) is
// matched as a phrase: the haystack must contain the needle (case per
// operator) where the needle's first term character is not preceded by a
// term character and its last is not followed by one; the needle's other
// characters, leading and trailing separators included, must be there
// literally. So "rclone.exe copy" has "rclone.exe", "--ignore-existing"
// has "ignore-existing", but "myrclone.exe" does not have "rclone.exe".
// hasprefix applies only the rule's first half (the last term may be a
// prefix: "rclone.exe" hasprefix "rclone.ex") and hassuffix only its
// second (the first term may be a suffix: "myrclone.exe" hassuffix
// "clone.exe"). For a single-term needle this is the documented term rule;
// a needle without any term character ("*", "::") is a substring search.
// has.go says more.
//
// The empty needle is not documented (GAP). It matches every haystack for
// contains, startswith, endswith and the has family (the empty string is
// a substring, a prefix and a suffix of every string), and only the empty
// haystack for == and =~. has_any of no needles is false, has_all of no
// needles is true.
//
// # Speed
//
// Nothing is lowered or copied per row. A case-insensitive search scans
// for the needle's rarest byte, both cases of it, with strings.IndexByte
// (vectorised by the Go runtime), the rarity coming from byte frequencies
// of real command lines; if that byte turns out to be common in a
// haystack, the search switches to testing eight positions at once for
// the needle's two rarest bytes with word-wide arithmetic. has searches
// for the needle and checks the term boundaries around each occurrence.
// has_any over four or more needles walks the haystack's terms once and
// looks each up in a table of the needles' first terms. has_all tries its
// needles rarest first, so a row that lacks one usually costs one search.
// bench_test.go measures all of this against the strings.ToLower +
// strings.Contains baseline.
package textmatch
