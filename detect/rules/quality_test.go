package rules_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"testing"

	"offhunt/detect"
	"offhunt/detect/data"
	"offhunt/detect/logs"
	"offhunt/detect/rules"
	"offhunt/internal/shared"
)

const seedRuleID = "rclone-seed-copy-args"

func fileInput(p string) detect.Input {
	return detect.Input{Name: p, Open: func() (io.ReadCloser, error) { return os.Open(p) }}
}

// reportID returns the ReportId of a finding's event: the labelled set
// numbers every event there.
func reportID(fd detect.Finding) (int64, bool) {
	for i, c := range fd.Row.Columns {
		if c == "ReportId" && i < len(fd.Row.Values) {
			v := fd.Row.Values[i]
			if v.K == data.KLong || v.K == data.KInt {
				return v.I, true
			}
		}
	}
	return 0, false
}

// scanLabelled scans every source of the labelled set with the pack, each
// as its own export with now = its newest event (the seed rule's 90-day
// window counts back from there), and returns which events each rule
// flagged.
func scanLabelled(t *testing.T, srcs []*source, pack []*rules.Rule) (hits map[string]map[int64]bool, events map[int64]*event) {
	t.Helper()
	cols := defenderColumns(t)
	tmp := t.TempDir()
	hits = map[string]map[int64]bool{}
	events = map[int64]*event{}
	for _, r := range pack {
		hits[r.ID] = map[int64]bool{}
	}
	for _, s := range srcs {
		for _, e := range s.events {
			events[e.id] = e
		}
		p := writeExport(t, tmp, s.name, cols, s.events)
		f, err := detect.Scan(context.Background(), []detect.Input{fileInput(p)}, detect.ScanOptions{Options: detect.Options{Now: "latest"}, Rules: pack})
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		for _, n := range f.Notices {
			if strings.Contains(n, "skipped") {
				t.Errorf("%s: %s", s.name, n)
			}
		}
		for _, fd := range f.Findings {
			id, ok := reportID(fd)
			if !ok || events[id] == nil {
				t.Fatalf("%s: finding of %s without a known ReportId: %+v", s.name, fd.RuleID, fd)
			}
			hits[fd.RuleID][id] = true
		}
	}
	return hits, events
}

// tally counts, for one set of flagged events, the positives and
// negatives of each labelled set.
type tally struct {
	flagged, total map[string]int
}

func count(flagged map[int64]bool, events map[int64]*event, positives bool) tally {
	t := tally{flagged: map[string]int{}, total: map[string]int{}}
	for id, e := range events {
		if e.rclone != positives {
			continue
		}
		key := e.set
		if e.set == setCmdlines && !e.rclone {
			key = "cmdlines-no"
		}
		t.total[key]++
		if flagged[id] {
			t.flagged[key]++
		}
	}
	return t
}

func (t tally) sum() (flagged, total int) {
	for k, n := range t.total {
		total += n
		flagged += t.flagged[k]
	}
	return
}

func pct(n, d int) string {
	if d == 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f%%", 100*float64(n)/float64(d))
}

// TestPackQuality measures the built-in pack on the labelled set (see
// labelled_test.go): it must flag every rclone event (each is_rclone=yes
// line of cmdlines.tsv, every renamed binary, the real rclone events) and
// nothing else (no is_rclone=no line, no background event). It prints the
// hits of each rule, and the recall and false positives of the pack beside
// those of the seed rule alone:
//
//	go test -v -run TestPackQuality ./detect/rules/
func TestPackQuality(t *testing.T) {
	t.Parallel()
	dir := shared.Dir(t)
	pack, err := rules.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	srcs := labelledSet(t, dir)
	hits, events := scanLabelled(t, srcs, pack)

	any := map[int64]bool{}
	for _, r := range pack {
		for id := range hits[r.ID] {
			any[id] = true
		}
	}

	var sb strings.Builder
	posSets := []string{setCmdlines, setRenamed, setReal}
	negSets := []string{"cmdlines-no", setBackground}
	total := count(nil, events, true)
	totalNeg := count(nil, events, false)
	fmt.Fprintf(&sb, "\nrclone pack on the labelled set: %d rclone events, %d others\n\n", sumOf(total), sumOf(totalNeg))
	fmt.Fprintf(&sb, "%-28s %9s %8s %6s %7s | %8s %11s\n", "rule", "cmd-yes", "renamed", "real", "recall", "cmd-no", "background")
	row := func(name string, flagged map[int64]bool) {
		pos, neg := count(flagged, events, true), count(flagged, events, false)
		p, pt := pos.sum()
		fmt.Fprintf(&sb, "%-28s", name)
		for i, s := range posSets {
			w := []int{9, 8, 6}[i]
			fmt.Fprintf(&sb, " %*s", w, fmt.Sprintf("%d/%d", pos.flagged[s], pos.total[s]))
		}
		fmt.Fprintf(&sb, " %7s |", pct(p, pt))
		for i, s := range negSets {
			w := []int{8, 11}[i]
			fmt.Fprintf(&sb, " %*s", w, fmt.Sprintf("%d/%d", neg.flagged[s], neg.total[s]))
		}
		sb.WriteString("\n")
	}
	for _, r := range pack {
		row(r.ID, hits[r.ID])
	}
	sb.WriteString(strings.Repeat("-", 86) + "\n")
	row("pack (any rule)", any)
	row("seed rule alone", hits[seedRuleID])
	p, pt := count(any, events, true).sum()
	n, nt := count(any, events, false).sum()
	sp, _ := count(hits[seedRuleID], events, true).sum()
	sn, _ := count(hits[seedRuleID], events, false).sum()
	fmt.Fprintf(&sb, "\npack: recall %d/%d (%s), false positives %d/%d; seed rule: recall %d/%d (%s), false positives %d/%d\n",
		p, pt, pct(p, pt), n, nt, sp, pt, pct(sp, pt), sn, nt)
	fmt.Fprintf(&sb, "(cmd-yes/cmd-no: cmdlines.tsv lines in Defender rows; renamed: rclone binaries under other names with\n"+
		" rclone's PE version information; real: Packet Cyclone's rclone Sysmon events; background: every other\n"+
		" process event in ../shared/data. Each source is scanned with --now latest.)\n")
	t.Log(sb.String())

	var missed, wrong []string
	for id, e := range events {
		switch {
		case e.rclone && !any[id]:
			missed = append(missed, fmt.Sprintf("%s: %s", e.origin, e.cols["ProcessCommandLine"]))
		case !e.rclone && any[id]:
			var by []string
			for _, r := range pack {
				if hits[r.ID][id] {
					by = append(by, r.ID)
				}
			}
			wrong = append(wrong, fmt.Sprintf("%s (%s): %s", e.origin, strings.Join(by, ", "), e.cols["ProcessCommandLine"]))
		}
	}
	sort.Strings(missed)
	sort.Strings(wrong)
	for _, m := range missed {
		t.Errorf("missed rclone event %s", m)
	}
	for _, w := range wrong {
		t.Errorf("false positive %s", w)
	}
	if total.total[setCmdlines] == 0 || total.total[setReal] == 0 || totalNeg.total[setBackground] == 0 {
		t.Errorf("the labelled set is incomplete: %+v / %+v", total.total, totalNeg.total)
	}
	checkFacade(t, srcs, pack)
}

func sumOf(t tally) int {
	_, n := t.sum()
	return n
}

// checkFacade scans the original event logs through detect's facade when
// its readers take them (logs.NewSource maps them onto
// DeviceProcessEvents), and checks that the pack flags the same command
// lines there as on the rows this test mapped itself.
func checkFacade(t *testing.T, srcs []*source, pack []*rules.Rule) {
	t.Helper()
	skipped, checked := 0, 0
	var events, flagged int64
	for _, s := range srcs {
		if s.original == "" || strings.HasSuffix(s.original, ".csv") {
			continue
		}
		orig := s.original
		src, err := logs.NewSource(orig, fileInput(orig).Open)
		if err != nil || src.Name() != "DeviceProcessEvents" {
			skipped++
			continue
		}
		f, err := detect.Scan(context.Background(), []detect.Input{fileInput(orig)}, detect.ScanOptions{Options: detect.Options{Now: "latest"}, Rules: pack})
		if err != nil {
			t.Errorf("%s through the facade: %v", orig, err)
			continue
		}
		got := map[string]bool{}
		for _, fd := range f.Findings {
			got[fd.CommandLine] = true
		}
		res, err := detect.Query(context.Background(), "DeviceProcessEvents | count", []detect.Input{fileInput(orig)}, detect.Options{})
		if err != nil {
			t.Errorf("%s through the facade: %v", orig, err)
			continue
		}
		checked++
		events += res.Results[0].Table.Rows[0][0].I
		flagged += int64(len(got))
		want := map[string]bool{}
		for _, e := range s.events {
			if e.rclone {
				want[e.cols["ProcessCommandLine"]] = true
			}
		}
		for c := range want {
			if !got[c] {
				t.Errorf("%s through the facade: the pack does not flag %q", orig, c)
			}
		}
		for c := range got {
			if !want[c] {
				t.Errorf("%s through the facade: the pack flags %q, not rclone", orig, c)
			}
		}
	}
	if checked > 0 {
		t.Logf("through detect's facade (logs.NewSource reading the original files): %d event logs, %d process events,"+
			" %d distinct command lines flagged, the same as on the rows this test mapped", checked, events, flagged)
	}
	if skipped > 0 {
		t.Logf("%d event logs are not read by logs.NewSource yet: measured on rows mapped by this test", skipped)
	}
}
