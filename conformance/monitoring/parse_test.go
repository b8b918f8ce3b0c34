package monitoring

import (
	"math"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

func TestParseSeries(t *testing.T) {
	s, err := ParseSeries(`deployc:error_rate{release="a", service="x\"y"}`)
	if err != nil || s.Name != "deployc:error_rate" || s.Labels["release"] != "a" || s.Labels["service"] != `x"y` {
		t.Fatalf("got %+v, %v", s, err)
	}
	if k := s.Key(); k != `deployc:error_rate{release="a",service="x\"y"}` {
		t.Errorf("key %s", k)
	}
	if _, err := ParseSeries(`x{release=a}`); err == nil {
		t.Error("an unquoted label value was read")
	}
}

func TestFirstLastAndExpand(t *testing.T) {
	for _, c := range []struct {
		in          string
		first, last float64
		n           int
	}{
		{"0.005x2 0.01x6 0.011x7", 0.005, 0.011, 3 + 7 + 8},
		{"1+2x3", 1, 7, 4},
		{"10-1x2 _ 3", 10, 3, 5},
		{"-1e-3x1", -1e-3, -1e-3, 2},
	} {
		f, l, err := FirstLast(c.in)
		if err != nil || f != c.first || l != c.last {
			t.Errorf("FirstLast(%q) = %g, %g, %v", c.in, f, l, err)
		}
		v, err := Expand(c.in)
		if err != nil || len(v) != c.n || (!math.IsNaN(v[len(v)-1]) && v[len(v)-1] != c.last) {
			t.Errorf("Expand(%q) = %v, %v", c.in, v, err)
		}
	}
}

func TestParseCondition(t *testing.T) {
	c, ok := ParseCondition(`deployc:error_rate{release="a",service="s"} >= 0.01`)
	if !ok || c.Metric != "deployc:error_rate" || c.Op != ">=" || c.Value != 0.01 || !c.Holds(0.01) || c.Holds(0.009) {
		t.Fatalf("got %+v %v", c, ok)
	}
	if _, ok := ParseCondition(`rate(x[5m]) > 1`); ok {
		t.Error("a function call was read as a condition")
	}
}

func TestPromDuration(t *testing.T) {
	for in, want := range map[string]time.Duration{"30s": 30 * time.Second, "1m": time.Minute, "1h30m": 90 * time.Minute, "1d": 24 * time.Hour} {
		if d, ok := promDuration(in); !ok || d != want {
			t.Errorf("%s: %v %v", in, d, ok)
		}
	}
	if _, ok := promDuration("5 minutes"); ok {
		t.Error("prose read as a duration")
	}
}

func TestMatchersAndInhibitPairs(t *testing.T) {
	m, err := ParseMatcher(`alertname=~"A|B"`)
	if err != nil || !m.Matches(map[string]string{"alertname": "B"}) || m.Matches(map[string]string{"alertname": "AB"}) {
		t.Fatalf("%+v %v", m, err)
	}
	rule, err := readInhibit("s", 0, map[string]any{
		"source_matchers": []any{`severity="critical"`},
		"target_matchers": []any{`alertname="W"`},
		"equal":           []any{"release"},
	})
	if err != nil {
		t.Fatal(err)
	}
	crit := map[string]string{"alertname": "C", "severity": "critical", "release": "r"}
	warn := map[string]string{"alertname": "W", "severity": "warning", "release": "r"}
	other := map[string]string{"alertname": "W", "severity": "warning", "release": "q"}
	if !rule.Inhibits(crit, warn) || rule.Inhibits(crit, other) || rule.Inhibits(warn, crit) {
		t.Error("inhibit pairing wrong")
	}
	sets := colour([]PostedAlert{{Labels: crit}, {Labels: warn}, {Labels: other}}, []InhibitRule{rule})
	if len(sets) != 2 {
		t.Errorf("want 2 sets (C and W apart), got %d", len(sets))
	}
}

// A test that expects the alert at its window but never asserts it absent
// one interval before does not prove "not before": it must be reported.
func TestWindowNotPinnedIsCaught(t *testing.T) {
	var tests PromtoolFile
	src := `
tests:
- name: X
  interval: 1m
  input_series:
  - series: m{release="r"}
    values: 0x2 1x6
  - series: m{release="decoy"}
    values: 1x8
  alert_rule_test:
  - eval_time: 1m
    alertname: X
    exp_alerts: []
  - eval_time: 8m
    alertname: X
    exp_alerts: [{exp_labels: {release: r}}]
`
	if err := yaml.Unmarshal([]byte(src), &tests); err != nil {
		t.Fatal(err)
	}
	tr := &Tree{Name: "t", Tests: tests, Rules: RuleFile{Groups: []RuleGroup{{Rules: []Rule{{Record: "m", Labels: map[string]string{"release": "r"}}, {Alert: "X", Expr: "m > 0.5", For: "5m", Labels: map[string]string{"release": "r"}}}}}}}
	rep := &Report{}
	CheckWindowsPinned([]*Tree{tr}, rep)
	if !rep.HasFailure("window pinned", "does not expect it absent at 7m0s") {
		t.Errorf("missing 'absent one interval before' went unnoticed: %v", rep.Failures())
	}
	// With the assertion at 7m the window is pinned.
	cases := tr.Tests.Tests[0]["alert_rule_test"].([]any)
	tr.Tests.Tests[0]["alert_rule_test"] = append(cases, map[string]any{"eval_time": "7m", "alertname": "X", "exp_alerts": []any{}})
	rep = &Report{}
	CheckWindowsPinned([]*Tree{tr}, rep)
	if f := rep.Failures(); len(f) != 0 || !strings.Contains(rep.Outcomes[0].Detail, "absent at 7m0s, firing at 8m0s") {
		t.Errorf("pinned window reported: %v %v", f, rep.Outcomes)
	}
}
