package textmatch

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

func threadCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(1, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func cpuMBs(c corpus, f func(string) bool) float64 {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	best := 0.0
	for r := 0; r < 7; r++ {
		t0 := threadCPU()
		iters := 0
		for threadCPU()-t0 < 30*time.Millisecond {
			for _, l := range c.lines {
				if f(l) {
					sink++
				}
			}
			iters++
		}
		d := threadCPU() - t0
		if mbs := float64(c.bytes) * float64(iters) / d.Seconds() / 1e6; mbs > best {
			best = mbs
		}
	}
	return best
}

func TestZZCPU(t *testing.T) {
	if os.Getenv("CPUMEASURE") == "" {
		t.Skip()
	}
	type row struct {
		name string
		f    func(string) bool
	}
	var rows []row
	for _, n := range []string{"rclone", "--ignore-existing", "Chrome", "x"} {
		rows = append(rows, row{"contains " + n, New(Contains, n).Match}, row{"contains naive " + n, naiveContains(n)},
			row{"contains_cs " + n, New(ContainsCS, n).Match}, row{"strings.Contains " + n, func(h string) bool { return strings.Contains(h, n) }})
	}
	for _, n := range []string{"rclone.exe", "mega", "chrome", "-enc", "Müller"} {
		rows = append(rows, row{"has " + n, New(Has, n).Match}, row{"has naive " + n, naiveContains(n)})
	}
	needles := []string{"copy", "--ignore-existing", "--auto-confirm"}
	rows = append(rows, row{"has_all 3", NewAll(Has, needles).Match}, row{"has_all 3 naive", func(hay string) bool {
		l := strings.ToLower(hay)
		for _, n := range needles {
			if !strings.Contains(l, n) {
				return false
			}
		}
		return true
	}})
	pool := []string{"rclone", "mega", "--ignore-existing", "certutil.exe", "-urlcache", "Net.WebClient",
		"Invoke-WebRequest", "-password", "7za.exe", "winrar", "restic", "azcopy", "ftp1", "megasync",
		"-enc", "bitsadmin", "mshta", "regsvr32", "/transfer", "DownloadString", "-nop", "hidden",
		"whoami", "nltest", "dclist", "vssadmin", "shadowcopy", "wevtutil", "mimikatz", "sekurlsa",
		"procdump", "lsass"}
	for _, k := range []int{3, 4, 8, 32} {
		ns := pool[:k]
		rows = append(rows, row{fmt.Sprintf("has_any %d", k), NewAny(Has, ns).Match}, row{fmt.Sprintf("has_any %d naive", k), func(hay string) bool {
			l := strings.ToLower(hay)
			for _, n := range ns {
				if strings.Contains(l, strings.ToLower(n)) {
					return true
				}
			}
			return false
		}})
	}
	for _, r := range rows {
		fmt.Printf("%-32s", r.name)
		for _, c := range corpora {
			fmt.Printf(" %-9s %7.0f", c.name, cpuMBs(c, r.f))
		}
		fmt.Println()
	}
}
