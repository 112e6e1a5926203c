package builtin

import "testing"

func TestDynamicFunctions(t *testing.T) {
	arr := D(`["this", "is", "an", "example", "an", "example"]`)
	runCases(t, []fcase{
		{"pack_array", a(L(1), L(2), L(4)), "[1,2,4]"},
		{"pack_array", a(L(1), S("2"), TS("2s")), `[1,"2","00:00:02"]`},
		{"pack_array", a(N, D(`{"a":1}`)), `[null,{"a":1}]`},
		{"bag_pack", a(S("name"), S("triangle"), S("sideCount"), L(3)), `{"name":"triangle","sideCount":3}`},
		{"pack", a(S("k"), N), `{"k":null}`},
		{"array_length", a(D(`[1, 2, 3, "four"]`)), "4"},
		{"array_length", a(D(`{"a":1}`)), "null"},
		{"arraylength", a(D(`"x"`)), "null"},
		{"array_length", a(N), "null"},
		{"array_slice", a(D(`[1,2,3]`), L(1), L(2)), "[2,3]"},
		{"array_slice", a(D(`[1,2,3,4,5]`), L(2), L(-1)), "[3,4,5]"},
		{"array_slice", a(D(`[1,2,3,4,5]`), L(-3), L(-2)), "[3,4]"},
		{"array_slice", a(D(`[1,2,3]`), L(5), L(9)), "[]"},
		{"array_slice", a(D(`[1,2,3]`), L(-10), L(0)), "[1]"},
		{"array_slice", a(N, L(0), L(1)), "null"},
		{"array_concat", a(D(`[1,2,4]`), D(`[1,2]`)), "[1,2,4,1,2]"},
		{"array_concat", a(D(`[1]`), D(`{"a":1}`)), "null"},
		{"array_index_of", a(arr, S("an")), "2"},
		{"array_index_of", a(arr, S("example"), L(1), L(3)), "3"},
		{"array_index_of", a(arr, S("example"), L(1), L(2)), "-1"},
		{"array_index_of", a(arr, S("is"), L(2), L(4)), "-1"},
		{"array_index_of", a(arr, S("example"), L(2), L(-1)), "3"},
		{"array_index_of", a(arr, S("an"), L(1), L(-1), L(2)), "4"},
		{"array_index_of", a(arr, S("an"), L(1), L(-1), L(3)), "-1"},
		{"array_index_of", a(arr, S("an"), L(-3)), "4"},
		{"array_index_of", a(arr, S("is"), L(-4)), "-1"},
		{"array_index_of", a(D(`[1,2,3]`), L(2)), "1"},
		{"array_index_of", a(D(`[1,2,3]`), R(2)), "1"},
		{"array_index_of", a(N, L(2)), "null"},
		{"array_reverse", a(D(`[1,"a",null]`)), `[null,"a",1]`},
		{"array_sort_asc", a(D(`[3,null,1,"b","a",2.5]`)), `[1,2.5,3,"a","b",null]`},
		{"array_sort_asc", a(D(`[3,null,1]`), B(false)), `[null,1,3]`},
		{"array_sort_desc", a(D(`[3,null,1]`)), `[3,1,null]`},
		{"array_sum", a(D(`[1,2.5,3]`)), "6.5"},
		{"array_sum", a(D(`[1,"x"]`)), "null"},
		{"set_has_element", a(D(`["this", "is", "an", "example"]`), S("example")), "true"},
		{"set_has_element", a(D(`[1,2]`), S("1")), "false"},
		{"set_union", a(D(`[1,2,3]`), D(`[3,4,1]`), D(`[5]`)), "[1,2,3,4,5]"},
		{"set_intersect", a(D(`[1,2,3,3]`), D(`[3,2,7]`)), "[2,3]"},
		{"set_intersect", a(D(`[1,2,3]`), D(`[3,2]`), D(`[2]`)), "[2]"},
		{"set_difference", a(D(`[1,2,3,1]`), D(`[3]`), D(`[9]`)), "[1,2]"},
		{"set_union", a(D(`[1]`), N), "null"},
		{"bag_keys", a(D(`{"a":1,"b":{"c":2}}`)), `["a","b"]`},
		{"bag_keys", a(D(`[1]`)), "null"},
		{"bag_has_key", a(D(`{"a":1}`), S("a")), "true"},
		{"bag_has_key", a(D(`{"a":1}`), S("b")), "false"},
		{"bag_remove_keys", a(D(`{"a":1,"b":2,"c":3}`), D(`["a","c","x"]`)), `{"b":2}`},
		{"bag_merge", a(D(`{"a":1,"b":2}`), D(`{"b":9,"c":3}`)), `{"a":1,"b":2,"c":3}`},
		{"bag_merge", a(D(`{"a":1}`), N), `{"a":1}`},
		{"bag_merge", a(D(`{"a":1}`), D(`[1]`)), "null"},
		{"zip", a(D(`[1,3,5]`), D(`[2,4,6]`)), "[[1,2],[3,4],[5,6]]"},
		{"zip", a(D(`[1,3]`), D(`[2]`)), "[[1,2],[3,null]]"},
		{"repeat", a(S("a"), L(3)), `["a","a","a"]`},
		{"repeat", a(L(1), L(0)), `[]`},
		{"repeat", a(L(1), L(1<<40)), `null`},
		{"range", a(L(1), L(3)), `[1,2,3]`},
		{"range", a(L(1), L(8), L(3)), `[1,4,7]`},
		{"range", a(L(5), L(1), L(-2)), `[5,3,1]`},
		{"range", a(R(1), R(2), R(0.5)), `[1,1.5,2]`},
		{"range", a(DT("2020-01-01"), DT("2020-01-03"), TS("1d")), `["2020-01-01T00:00:00Z","2020-01-02T00:00:00Z","2020-01-03T00:00:00Z"]`},
		{"range", a(L(1), L(1<<40)), `null`},
	})
	// Results must not alias their arguments.
	src := D(`[3,1,2]`)
	sorted := call(t, "array_sort_asc", src)
	sorted.Array()[0] = L(99)
	if fshow(src) != "[3,1,2]" {
		t.Errorf("array_sort_asc changed its argument: %s", fshow(src))
	}
}
