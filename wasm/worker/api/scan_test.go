package api

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"offhunt/detect"
	"offhunt/detect/data"
	"offhunt/detect/output"
	"offhunt/detect/rules"
)

// csvToJSON turns a CSV export into JSON objects keyed by the header: an
// array, or one object a line (NDJSON).
func csvToJSON(t testing.TB, b []byte, ndjson bool) []byte {
	t.Helper()
	recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if !ndjson {
		out.WriteByte('[')
	}
	for i, rec := range recs[1:] {
		obj := map[string]string{}
		for j, k := range recs[0] {
			obj[k] = rec[j]
		}
		line, _ := json.Marshal(obj)
		if i > 0 && !ndjson {
			out.WriteByte(',')
		}
		out.Write(line)
		if ndjson {
			out.WriteByte('\n')
		}
	}
	if !ndjson {
		out.WriteByte(']')
	}
	return out.Bytes()
}

// checkSameAsFacade checks an answer against detect.Scan over the same
// bytes: the same findings JSON byte for byte, or, when the facade
// refuses the input, a 400 with its message.
func checkSameAsFacade(t *testing.T, w interface {
	Result() *http.Response
}, body []byte, want []byte, facadeErr error) {
	t.Helper()
	res := w.Result()
	if facadeErr != nil {
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), jsonEscape(facadeErr.Error())) {
			t.Fatalf("the facade refuses the input (%v); the Worker answered %d %.500s", facadeErr, res.StatusCode, body)
		}
		return
	}
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %.500s", res.StatusCode, body)
	}
	if !bytes.Equal(body, want) {
		t.Fatalf("findings differ from detect.Scan's:\nworker: %.600s\nfacade: %.600s", body, want)
	}
}

func jsonEscape(s string) string {
	b, _ := json.Marshal(s)
	return strings.Trim(string(b), `"`)
}

// TestScanSameAsFacade: every way of posting the same export gives the
// findings detect.Scan gives for it, byte for byte, which is what the CLI
// prints with --format json.
func TestScanSameAsFacade(t *testing.T) {
	h := newTestHandler(Config{})
	sample := readSample(t)
	opts := detect.Options{Now: "latest"}
	want, err := facadeScan(t, []detect.Input{bytesInput("sample_dpe.csv", sample)}, opts, nil)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("multipart", func(t *testing.T) {
		w := serve(h, postForm(t, "/api/scan", field{"now", "", "latest"}, field{"file", "sample_dpe.csv", string(sample)}))
		checkSameAsFacade(t, w, w.Body.Bytes(), want, nil)
		checkCommonHeaders(t, w)
	})
	t.Run("multipart, fields after the file", func(t *testing.T) {
		w := serve(h, postForm(t, "/api/scan", field{"file", `C:\exports\sample_dpe.csv`, string(sample)}, field{"now", "", "latest"}, field{"format", "", "json"}))
		checkSameAsFacade(t, w, w.Body.Bytes(), want, nil)
	})
	t.Run("text/csv", func(t *testing.T) {
		w := serve(h, post("/api/scan?now=latest&name=sample_dpe.csv", "text/csv; charset=utf-8", sample))
		checkSameAsFacade(t, w, w.Body.Bytes(), want, nil)
	})
	t.Run("text/csv gzip", func(t *testing.T) {
		r := post("/api/scan?now=latest&name=sample_dpe.csv", "text/csv", gzipBytes(t, sample))
		r.Header.Set("Content-Encoding", "gzip")
		w := serve(h, r)
		checkSameAsFacade(t, w, w.Body.Bytes(), want, nil)
	})
	for _, c := range []struct {
		ctype, name string
		ndjson, gz  bool
	}{
		{"application/json", "sample.json", false, false},
		{"application/x-ndjson", "sample.ndjson", true, false},
		{"application/x-ndjson", "sample.ndjson", true, true},
	} {
		t.Run(c.ctype, func(t *testing.T) {
			b := csvToJSON(t, sample, c.ndjson)
			want, ferr := facadeScan(t, []detect.Input{bytesInput(c.name, b)}, opts, nil)
			body := b
			if c.gz {
				body = gzipBytes(t, b)
			}
			r := post("/api/scan?now=latest&name="+c.name, c.ctype, body)
			if c.gz {
				r.Header.Set("Content-Encoding", "gzip")
			}
			w := serve(h, r)
			checkSameAsFacade(t, w, w.Body.Bytes(), want, ferr)
		})
	}
	t.Run("multipart .gz file", func(t *testing.T) {
		gz := gzipBytes(t, sample)
		want, ferr := facadeScan(t, []detect.Input{bytesInput("sample_dpe.csv.gz", gz)}, opts, nil)
		w := serve(h, postForm(t, "/api/scan", field{"now", "", "latest"}, field{"file", "sample_dpe.csv.gz", string(gz)}))
		checkSameAsFacade(t, w, w.Body.Bytes(), want, ferr)
	})
	t.Run("default name of a raw body", func(t *testing.T) {
		want, err := facadeScan(t, []detect.Input{bytesInput("input.csv", sample)}, opts, nil)
		if err != nil {
			t.Fatal(err)
		}
		w := serve(h, post("/api/scan?now=latest", "text/csv", sample))
		checkSameAsFacade(t, w, w.Body.Bytes(), want, nil)
	})
	t.Run("wall clock now", func(t *testing.T) {
		want, err := facadeScan(t, []detect.Input{bytesInput("s.csv", sample)}, detect.Options{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		w := serve(h, postForm(t, "/api/scan", field{"file", "s.csv", string(sample)}))
		checkSameAsFacade(t, w, w.Body.Bytes(), want, nil)
	})
}

func TestScanOptions(t *testing.T) {
	h := newTestHandler(Config{})
	sample := readSample(t)
	in := func(name string) detect.Input { return bytesInput(name, sample) }

	// Two overlapping files, deduplicated.
	want, err := facadeScan(t, []detect.Input{in("day1.csv"), in("day2.csv")}, detect.Options{Now: "latest", Dedupe: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	w := serve(h, postForm(t, "/api/scan", field{"dedupe", "", "true"}, field{"now", "", "latest"},
		field{"file", "day1.csv", string(sample)}, field{"file", "day2.csv", string(sample)}))
	checkSameAsFacade(t, w, w.Body.Bytes(), want, nil)

	// Only the request's query: it is a rule whose rows are findings.
	query := "// rclone by name\nDeviceProcessEvents\n| where FileName =~ \"rclone.exe\""
	qr, err := rules.Parse(queryRuleFile, queryRuleHeader+"\n"+"DeviceProcessEvents\n| where FileName =~ \"rclone.exe\"")
	if err != nil {
		t.Fatal(err)
	}
	want, err = facadeScan(t, []detect.Input{in("s.csv")}, detect.Options{Now: "latest"}, []*rules.Rule{qr})
	if err != nil {
		t.Fatal(err)
	}
	w = serve(h, postForm(t, "/api/scan", field{"rules", "", "none"}, field{"query", "", query}, field{"now", "", "latest"}, field{"file", "s.csv", string(sample)}))
	checkSameAsFacade(t, w, w.Body.Bytes(), want, nil)
	var f detect.Findings
	if err := f.UnmarshalJSON(w.Body.Bytes()); err != nil {
		t.Fatal(err)
	}
	if len(f.Findings) == 0 || f.Findings[0].RuleID != "query" || len(f.Rules) != 1 {
		t.Errorf("query as a rule: %d findings, rules %+v", len(f.Findings), f.Rules)
	}

	// The pack plus a rule file that carries its own header.
	own := "// id: rclone-any\n// title: Any rclone\n// severity: medium\nDeviceProcessEvents | where ProcessCommandLine has \"rclone\""
	ownRule, err := rules.Parse("rclone-any.kql", own)
	if err != nil {
		t.Fatal(err)
	}
	pack, err := rules.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	want, err = facadeScan(t, []detect.Input{in("s.csv")}, detect.Options{Now: "latest"}, append(pack, ownRule))
	if err != nil {
		t.Fatal(err)
	}
	w = serve(h, postForm(t, "/api/scan", field{"rules", "", "builtin"}, field{"rules", "rclone-any.kql", own}, field{"now", "", "latest"}, field{"file", "s.csv", string(sample)}))
	checkSameAsFacade(t, w, w.Body.Bytes(), want, nil)
	// A rule file alone replaces the pack, as --rules PATH does.
	want, err = facadeScan(t, []detect.Input{in("s.csv")}, detect.Options{Now: "latest"}, []*rules.Rule{ownRule})
	if err != nil {
		t.Fatal(err)
	}
	w = serve(h, postForm(t, "/api/scan", field{"rules", "rclone-any.kql", own}, field{"now", "", "latest"}, field{"file", "s.csv", string(sample)}))
	checkSameAsFacade(t, w, w.Body.Bytes(), want, nil)
	// A query with its own header in the query field is taken as it is.
	w = serve(h, postForm(t, "/api/scan", field{"rules", "", "none"}, field{"query", "", own}, field{"now", "", "latest"}, field{"file", "s.csv", string(sample)}))
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `"ruleId":"rclone-any"`) {
		t.Errorf("query with a header: %d %.300s", w.Code, w.Body)
	}
	// Two rules with one id.
	w = serve(h, postForm(t, "/api/scan", field{"rules", "a.kql", own}, field{"rules", "b.kql", own}, field{"file", "s.csv", string(sample)}))
	wantError(t, w, http.StatusBadRequest, codeBadRequest)
}

// TestQueryRoute: /api/query answers what `offhunt query --format json`
// prints, and says when a time filter removed every row.
func TestQueryRoute(t *testing.T) {
	h := newTestHandler(Config{})
	sample := readSample(t)
	q := "DeviceProcessEvents | where FileName =~ 'rclone.exe' | project Timestamp, DeviceName, ProcessCommandLine"
	res, err := detect.Query(context.Background(), q, []detect.Input{bytesInput("s.csv", sample)}, detect.Options{Now: "latest", Clock: fixedClock})
	if err != nil {
		t.Fatal(err)
	}
	wantJSON := queryJSON(t, res)
	w := serve(h, postForm(t, "/api/query", field{"query", "", q}, field{"now", "", "latest"}, field{"file", "s.csv", string(sample)}))
	if w.Code != http.StatusOK || w.Body.String() != wantJSON {
		t.Fatalf("query: %d\n%.500s\nwant\n%.500s", w.Code, w.Body, wantJSON)
	}
	checkCommonHeaders(t, w)
	r := post("/api/query?now=latest&query="+url.QueryEscape(q)+"&name=s.csv", "text/csv", gzipBytes(t, sample))
	r.Header.Set("Content-Encoding", "gzip")
	if w := serve(h, r); w.Code != http.StatusOK || w.Body.String() != wantJSON {
		t.Fatalf("raw gzip query: %d\n%.500s", w.Code, w.Body)
	}
	w = serve(h, postForm(t, "/api/query", field{"query", "", "DeviceProcessEvents | where Timestamp > ago(1d)"}, field{"now", "", "2026-01-01T00:00:00Z"}, field{"file", "s.csv", string(sample)}))
	if w.Code != http.StatusOK || !strings.Contains(w.Header().Get("Offhunt-Notice"), "time filter") {
		t.Errorf("time notice: %d %q", w.Code, w.Header().Get("Offhunt-Notice"))
	}
}

// queryJSON is the Log Analytics shape of a query's results.
func queryJSON(t testing.TB, res *detect.QueryResult) string {
	t.Helper()
	tables := make([]*data.Table, len(res.Results))
	for i, r := range res.Results {
		tables[i] = r.Table
	}
	var b bytes.Buffer
	if err := output.WriteJSON(&b, tables); err != nil {
		t.Fatal(err)
	}
	return b.String()
}
