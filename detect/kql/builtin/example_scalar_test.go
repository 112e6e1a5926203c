package builtin_test

import (
	"fmt"

	"offhunt/detect/data"
	"offhunt/detect/kql/builtin"
)

// A binder looks a function up, checks the argument types with Return,
// and the evaluator calls Eval once per row with one CallContext per call
// site (where regexes stay compiled).
func ExampleLookup() {
	f, _ := builtin.Lookup("extract")
	typ, msg := f.Return([]data.Type{data.String, data.Long, data.String})
	fmt.Println(typ, msg == "")

	cc := &builtin.CallContext{}
	for _, line := range []string{"ping 10.1.2.3 -n 1", "no address"} {
		v := f.Eval(cc, []data.Value{
			data.NewString(`\d+\.\d+\.\d+\.\d+`), data.NewLong(0), data.NewString(line),
		})
		fmt.Printf("%q\n", data.ToString(v))
	}
	// Output:
	// string true
	// "10.1.2.3"
	// ""
}
