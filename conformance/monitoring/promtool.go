package monitoring

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
)

// Windows are proved in simulated time, not on the live server: a `for: 15m`
// alert would need fifteen real minutes to show it fires after its window
// and not before. promtool's rule engine is Prometheus' own
// (cmd/promtool/unittest.go, (*testGroup).test, calls rules.Group.Eval on a
// storage filled from input_series at every evaluation_interval, and fails
// the test on any rule's LastError), so the timing it shows is the server's. The live
// server proves what simulated time cannot: the rule files load together
// into one real server, scrape-fed series reach the rules, and the alerts
// API reports the states and labels.
//
// CombinedTests writes one promtool test file whose rule_files are ALL
// trees' rules.yml together and whose tests are every tree's tests, each
// extended, at each of its eval_times, with `exp_alerts: []` for every alert
// of every other release. An alert name that the test's own release also
// has cannot be asserted empty (its own alert may rightly be firing); at
// the eval_times where the test itself checks that name, promtool already
// demands exactly the expected alerts, so a second release's alert of that
// name fails it there. The count of names left unchecked is returned.
func CombinedTests(trees []*Tree, dir string) (path string, unchecked int, err error) {
	var files []string
	for _, t := range trees {
		abs, err := filepath.Abs(t.RulesPath)
		if err != nil {
			return "", 0, err
		}
		files = append(files, abs)
	}
	var tests []map[string]any
	for _, t := range trees {
		own := map[string]bool{}
		for _, a := range t.Alerts() {
			own[a.Alert] = true
		}
		var others []string
		seen := map[string]bool{}
		for _, o := range trees {
			if o == t {
				continue
			}
			for _, a := range o.Alerts() {
				if !seen[a.Alert] {
					seen[a.Alert] = true
					others = append(others, a.Alert)
				}
			}
		}
		sort.Strings(others)
		for _, test := range t.Tests.Tests {
			cp := map[string]any{}
			for k, v := range test {
				cp[k] = v
			}
			cp["name"] = fmt.Sprintf("%s: %v", t.Name, test["name"])
			cases, _ := test["alert_rule_test"].([]any)
			checked := map[string]bool{} // eval_time + alertname already asserted
			var times []string
			for _, c := range cases {
				m, _ := c.(map[string]any)
				et := fmt.Sprint(m["eval_time"])
				if !checked[et] {
					times = append(times, et)
				}
				checked[et+"\x00"+fmt.Sprint(m["alertname"])] = true
				checked[et] = true
			}
			ext := append([]any{}, cases...)
			for _, et := range times {
				for _, name := range others {
					if checked[et+"\x00"+name] {
						continue
					}
					if own[name] {
						unchecked++
						continue
					}
					ext = append(ext, map[string]any{"eval_time": et, "alertname": name, "exp_alerts": []any{}})
				}
			}
			cp["alert_rule_test"] = ext
			tests = append(tests, cp)
		}
	}
	interval := "1m"
	if len(trees) > 0 && trees[0].Tests.EvaluationInterval != "" {
		interval = trees[0].Tests.EvaluationInterval
	}
	for _, t := range trees {
		if t.Tests.EvaluationInterval != "" && t.Tests.EvaluationInterval != interval {
			return "", 0, fmt.Errorf("%s: evaluation_interval %s, others %s: cannot combine", t.Name, t.Tests.EvaluationInterval, interval)
		}
	}
	path = filepath.Join(dir, "combined.test.yml")
	err = writeYAML(path, map[string]any{
		"rule_files":          files,
		"evaluation_interval": interval,
		"tests":               tests,
	})
	return path, unchecked, err
}

// CheckPromtool runs `promtool test rules` on the combined file and records
// each failed test group under the spec it came from.
func CheckPromtool(trees []*Tree, dir string, rep *Report) {
	CheckWindowsPinned(trees, rep)
	path, unchecked, err := CombinedTests(trees, dir)
	if err != nil {
		rep.Fail("*", "promtool", "combine", "%v", err)
		return
	}
	bin := envOr("PROMTOOL_BIN", "/usr/bin/promtool")
	out, err := exec.Command(bin, "test", "rules", path).CombinedOutput()
	text := string(out)
	failed := map[string]bool{}
	for _, t := range trees {
		n := 0
		for _, test := range t.Tests.Tests {
			n++
			name := fmt.Sprintf("%s: %v", t.Name, test["name"])
			// promtool prints "FAILED:" then "    name: <test name>," per failing group.
			if strings.Contains(text, "name: "+name+",") || strings.Contains(text, "name: "+name+"\n") {
				failed[name] = true
				rep.Fail(t.Name, "promtool", "windows + no other release", "test %q failed with every spec's rules loaded (see output below)", name)
			} else if err == nil || !strings.Contains(text, name) {
				rep.Pass(t.Name, "promtool", "windows + no other release", name)
			}
		}
		_ = n
	}
	if err != nil {
		if len(failed) == 0 {
			rep.Fail("*", "promtool", "windows + no other release", "promtool test rules failed: %v", err)
		}
		if len(text) > 6000 {
			text = text[:6000] + "\n... (cut)"
		}
		rep.Fail("*", "promtool", "output", "%s", text)
	}
	if unchecked > 0 {
		rep.Pass("*", "promtool", "note", fmt.Sprintf("%d (eval_time, alert name) pairs shared with the test's own release left to the own assertions", unchecked))
	}
}
