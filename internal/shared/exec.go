package shared

import (
	"fmt"
	"os/exec"
)

// runCommand runs a helper program (the benchmark generator) and reports
// its output when it fails.
func runCommand(name string, args ...string) error {
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s: %v\n%s", name, err, out)
	}
	return nil
}
