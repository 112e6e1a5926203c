package textmatch

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
)

// The benchmarks run over process command lines of 150 to 700 bytes, built
// deterministically from the programs of ../shared/bench/gen-dpe.py with
// realistic arguments appended, and (when ../shared/data is there) over the
// real command lines of the hayabusa sample set. Every benchmark reports
// MB/s of haystack and allocations; "naive" sub-benchmarks are the
// strings.Contains(strings.ToLower(hay), needle) baseline.

var benchPrograms = []string{
	`svchost.exe -k netsvcs -p -s Schedule`,
	`powershell.exe -NoProfile -ExecutionPolicy Bypass -File "C:\ProgramData\scripts\inventory.ps1"`,
	`cmd.exe /c "copy /y C:\temp\a.txt D:\backup\a.txt"`,
	`robocopy.exe "\\fs01\share" "D:\mirror" /MIR /R:1 /W:1`,
	`"chrome.exe" --type=renderer --lang=en-US --field-trial-handle=1234,i,5678 /prefetch:1`,
	`git.exe config --global core.autocrlf true`,
	`"msedge.exe" --type=utility --utility-sub-type=network.mojom.NetworkService`,
	`conhost.exe 0xffffffff -ForceV1`,
}

var benchArgs = []string{
	` --enable-features=NetworkService,NetworkServiceInProcess`,
	` --disable-gpu-compositing`,
	` --mojo-platform-channel-handle=2344`,
	` --service-sandbox-type=none`,
	` "C:\Users\user042\AppData\Local\Google\Chrome\User Data\Default"`,
	` /d /c "C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe"`,
	` -Command "Get-ChildItem -Path C:\Windows\Temp -Recurse | Remove-Item -Force"`,
	` --variations-seed-version=20250901-180047.296000`,
	` /S /B /A:-D "\\ws-0412.corp.example\c$\Users\Public\Documents"`,
	` {5A0B7C33-84D2-4E2B-9C6B-6B1C9D3E4F21}`,
	` --log-file="C:\ProgramData\Microsoft\Windows Defender\Support\MpCmdRun.log"`,
	` -s wuauserv`,
	` --field-trial-handle=1936,i,13517244591045838577,1471186212345391470,262144`,
	` /grant:r "BUILTIN\Administrators":(OI)(CI)F /T /C`,
}

func benchCorpus() []string {
	r := rand.New(rand.NewPCG(7, 7))
	var out []string
	for len(out) < 2000 {
		target := 150 + r.IntN(551)
		s := benchPrograms[r.IntN(len(benchPrograms))]
		for len(s) < target {
			s += benchArgs[r.IntN(len(benchArgs))]
		}
		if len(s) > 700 {
			s = s[:700]
		}
		out = append(out, s)
	}
	return out
}

// realCorpus returns the distinct command lines of the hayabusa sample set,
// or nil if the shared data is not there.
func realCorpus() []string {
	f, err := os.Open("../../../../shared/data/hayabusa-sample-evtx/process_creation_events.ndjson")
	if err != nil {
		return nil
	}
	defer f.Close()
	seen := map[string]bool{}
	var out []string
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var ev struct{ CommandLine string }
		if json.Unmarshal(sc.Bytes(), &ev) == nil && ev.CommandLine != "" && !seen[ev.CommandLine] {
			seen[ev.CommandLine] = true
			out = append(out, ev.CommandLine)
		}
	}
	return out
}

type corpus struct {
	name  string
	lines []string
	bytes int64
}

var corpora = func() []corpus {
	var cs []corpus
	for _, c := range []corpus{{name: "synthetic", lines: benchCorpus()}, {name: "hayabusa", lines: realCorpus()}} {
		if len(c.lines) == 0 {
			continue
		}
		for _, l := range c.lines {
			c.bytes += int64(len(l))
		}
		cs = append(cs, c)
	}
	return cs
}()

var sink int

// run benchmarks match over every line of each corpus.
func run(b *testing.B, name string, match func(string) bool) {
	for _, c := range corpora {
		b.Run(name+"/"+c.name, func(b *testing.B) {
			b.SetBytes(c.bytes)
			b.ReportAllocs()
			n := 0
			for b.Loop() {
				for _, l := range c.lines {
					if match(l) {
						n++
					}
				}
			}
			sink += n
		})
	}
}

func naiveContains(needle string) func(string) bool {
	n := strings.ToLower(needle)
	return func(hay string) bool { return strings.Contains(strings.ToLower(hay), n) }
}

func BenchmarkContains(b *testing.B) {
	for _, needle := range []string{"rclone", "--ignore-existing", "Chrome", "x"} {
		m := New(Contains, needle)
		cs := New(ContainsCS, needle)
		run(b, needle+"/textmatch", m.Match)
		run(b, needle+"/naive", naiveContains(needle))
		run(b, needle+"/textmatch_cs", cs.Match)
		run(b, needle+"/strings.Contains", func(h string) bool { return strings.Contains(h, needle) })
	}
}

func BenchmarkHas(b *testing.B) {
	for _, needle := range []string{"rclone.exe", "mega", "chrome", "-enc", "Müller"} {
		m := New(Has, needle)
		run(b, needle+"/textmatch", m.Match)
		run(b, needle+"/naive", naiveContains(needle))
	}
}

func BenchmarkHasAll(b *testing.B) {
	needles := []string{"copy", "--ignore-existing", "--auto-confirm"}
	a := NewAll(Has, needles)
	run(b, "textmatch", a.Match)
	run(b, "naive", func(hay string) bool {
		l := strings.ToLower(hay)
		for _, n := range needles {
			if !strings.Contains(l, n) {
				return false
			}
		}
		return true
	})
}

// BenchmarkHasAny measures has_any both ways (needle by needle, and the
// term index) for growing needle counts: termIndexMin comes from here.
func BenchmarkHasAny(b *testing.B) {
	pool := []string{"rclone", "mega", "--ignore-existing", "certutil.exe", "-urlcache", "Net.WebClient",
		"Invoke-WebRequest", "-password", "7za.exe", "winrar", "restic", "azcopy", "ftp1", "megasync",
		"-enc", "bitsadmin", "mshta", "regsvr32", "/transfer", "DownloadString", "-nop", "hidden",
		"whoami", "nltest", "dclist", "vssadmin", "shadowcopy", "wevtutil", "mimikatz", "sekurlsa",
		"procdump", "lsass"}
	for _, n := range []int{1, 3, 8, 16, 32} {
		needles := pool[:n]
		a := NewAny(Has, needles)
		loop := &AnyMatcher{needleSet: a.needleSet}
		loop.rest = make([]int, len(a.ms))
		for k := range loop.rest {
			loop.rest[k] = k
		}
		idx := &AnyMatcher{needleSet: a.needleSet}
		idx.terms, idx.rest = newTermIndex(a.ms, false)
		run(b, fmt.Sprintf("%d/loop", n), loop.Match)
		run(b, fmt.Sprintf("%d/terms", n), idx.Match)
		run(b, fmt.Sprintf("%d/naive", n), func(hay string) bool {
			l := strings.ToLower(hay)
			for _, n := range needles {
				if strings.Contains(l, strings.ToLower(n)) {
					return true
				}
			}
			return false
		})
	}
}

// BenchmarkSearchers compares the byte searchers of a finder: scanning for
// the rarest byte (anchor), the two-byte SWAR scan (pair), and the
// adaptive switch between them that Matcher uses; densePerFail comes from
// here.
func BenchmarkSearchers(b *testing.B) {
	for _, needle := range []string{"rclone", "--ignore-existing", "Chrome", "mega", "rclone.exe", "renderer", "Net.WebClient"} {
		for _, fold := range []bool{true, false} {
			f := newFinder(needle, fold)
			anchor := f
			anchor.pairOK = false
			name := needle
			if !fold {
				name += "_cs"
			}
			run(b, name+"/adaptive", func(h string) bool { return f.indexBytes(h, 0) >= 0 })
			run(b, name+"/anchor", func(h string) bool { return anchor.indexBytes(h, 0) >= 0 })
			run(b, name+"/pair", func(h string) bool { return f.indexPair(h, 0) >= 0 })
		}
	}
}

// BenchmarkChunk searches a 1 MiB block of concatenated command lines, as
// a raw-chunk prefilter over MatchBytes would.
func BenchmarkChunk(b *testing.B) {
	var sb strings.Builder
	for sb.Len() < 1<<20 {
		for _, l := range corpora[0].lines {
			sb.WriteString(l)
			sb.WriteByte('\n')
		}
	}
	chunk := []byte(sb.String()[:1<<20])
	for _, c := range []struct {
		name string
		m    *Matcher
	}{
		{"contains_rclone", New(Contains, "rclone")},
		{"has_rclone.exe", New(Has, "rclone.exe")},
		{"contains_cs_rclone", New(ContainsCS, "rclone")},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(chunk)))
			b.ReportAllocs()
			for b.Loop() {
				if c.m.MatchBytes(chunk) {
					b.Fatal("unexpected match")
				}
			}
		})
	}
}
