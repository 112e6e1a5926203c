package builtin

// SplitWindowsCommandLine splits a command line into arguments exactly as
// parse_command_line(command_line, "windows") does (the rules of
// CommandLineToArgvW). It is exported so that code outside the engine
// (indicator extraction from findings) reads a command line the way the
// rules that flagged it did.
func SplitWindowsCommandLine(s string) []string {
	return splitWindowsCommandLine(s)
}
