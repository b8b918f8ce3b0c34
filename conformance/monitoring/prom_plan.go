package monitoring

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// Scenario breaches one alert of one release: the series its promtool test
// feeds take that test's last (breaching) value; every other series stays
// at its healthy value.
type Scenario struct {
	Tree      *Tree
	Release   string
	Alert     Rule
	Breach    map[string]float64 // series key -> value
	ExpLabels map[string]string  // the test's exp_labels for the alert
}

// WantState is the state the alert must reach within seconds: pending if
// it has a `for` window longer than zero, firing if not.
func (s Scenario) WantState() string {
	if d, err := time.ParseDuration(s.Alert.For); err == nil && d > 0 {
		return "pending"
	}
	if s.Alert.For != "" && s.Alert.For != "0s" && s.Alert.For != "0" {
		// Prometheus durations such as "1d" that Go cannot read.
		return "pending"
	}
	return "firing"
}

// PromPlan is what the Prometheus check exposes and breaches.
type PromPlan struct {
	Series    map[string]Series  // key -> series
	Owner     map[string]*Tree   // key -> the tree whose recording rule writes it
	Healthy   map[string]float64 // key -> a value no alert of its release fires on
	Scenarios []Scenario
}

type alertTest struct {
	inputs    map[string][2]float64 // series key -> first, last
	expLabels map[string]string
}

// RecordedKeys lists the keys of the series the tree's recording rules write.
func (t *Tree) RecordedKeys() map[string]bool {
	out := map[string]bool{}
	for _, r := range t.Records() {
		out[Series{Name: r.Record, Labels: r.Labels}.Key()] = true
	}
	return out
}

// readTests maps each alert name to the test deployc wrote for it: the test
// whose alert_rule_test expects that alert at some eval_time.
func readTests(t *Tree, rep *Report, engine string) map[string]alertTest {
	out := map[string]alertTest{}

	for _, test := range t.Tests.Tests {
		at := alertTest{inputs: map[string][2]float64{}}
		inputs, _ := test["input_series"].([]any)
		for _, in := range inputs {
			m, _ := in.(map[string]any)
			sel, _ := m["series"].(string)
			vals := fmt.Sprint(m["values"])
			s, err := ParseSeries(sel)
			if err != nil {
				rep.Fail(t.Name, engine, "read tests", "%v", err)
				continue
			}
			first, last, err := FirstLast(vals)
			if err != nil {
				rep.Fail(t.Name, engine, "read tests", "%s: %v", sel, err)
				continue
			}
			at.inputs[s.Key()] = [2]float64{first, last}
		}
		cases, _ := test["alert_rule_test"].([]any)
		for _, c := range cases {
			m, _ := c.(map[string]any)
			name, _ := m["alertname"].(string)
			exp, _ := m["exp_alerts"].([]any)
			if len(exp) == 0 {
				continue
			}
			e, _ := exp[0].(map[string]any)
			labels, _ := e["exp_labels"].(map[string]any)
			at.expLabels = map[string]string{}
			for k, v := range labels {
				at.expLabels[k] = fmt.Sprint(v)
			}
			out[name] = at
		}
	}
	return out
}

// PlanPrometheus derives the synthetic series and one scenario per alert
// of every tree. Problems that make a scenario impossible are failures.
func PlanPrometheus(trees []*Tree, rep *Report) *PromPlan {
	const engine = "prometheus"
	p := &PromPlan{Series: map[string]Series{}, Owner: map[string]*Tree{}, Healthy: map[string]float64{}}
	for _, t := range trees {
		for _, r := range t.Records() {
			s := Series{Name: r.Record, Labels: r.Labels}
			if s.Labels == nil {
				s.Labels = map[string]string{}
			}
			if other, dup := p.Owner[s.Key()]; dup {
				rep.Fail(t.Name, engine, "series", "recording rule %s writes the same series as %s's", s.Key(), other.Name)
			}
			p.Series[s.Key()] = s
			p.Owner[s.Key()] = t
		}
	}
	allConds := conditions(trees)
	for _, t := range trees {
		tests := readTests(t, rep, engine)
		// A test may also feed decoys (another release's or another
		// service's series, which the alert must ignore); only the series
		// the spec's own recording rules write are exposed and breached.
		for name, at := range tests {
			own := 0
			for k := range at.inputs {
				if p.Owner[k] == t {
					own++
				} else {
					delete(at.inputs, k)
				}
			}
			if own == 0 {
				rep.Fail(t.Name, engine, "series", "the test of %s feeds no series that a recording rule of the spec writes", name)
			}
		}
		// Healthy candidates: the first value of every test feeding the series.
		cands := map[string][]float64{}
		for _, at := range tests {
			for k, fl := range at.inputs {
				cands[k] = append(cands[k], fl[0])
			}
		}
		conds := conditions([]*Tree{t})
		for k, s := range p.Series {
			if p.Owner[k] != t {
				continue
			}
			try := append([]float64{}, cands[k]...)
			sort.Float64s(try)
			for _, c := range conds[s.Name] {
				try = append(try, c.Value/2, c.Value*2, c.Value-1, c.Value+1)
			}
			try = append(try, 0)
			// Healthy for every release's alerts on this metric name if
			// possible, so that the baseline is quiet even when alerts
			// select other releases' series; else for the own release's.
			p.Healthy[k] = try[0]
			if v, ok := firstQuiet(try, allConds[s.Name]); ok {
				p.Healthy[k] = v
			} else if v, ok := firstQuiet(try, conds[s.Name]); ok {
				p.Healthy[k] = v
			}
		}
		for _, a := range t.Alerts() {
			at, ok := tests[a.Alert]
			if !ok || len(at.inputs) == 0 {
				rep.Fail(t.Name, engine, "breach", "alert %s has no promtool test to take a breaching value from", a.Alert)
				continue
			}
			sc := Scenario{Tree: t, Release: a.Labels["release"], Alert: a, Breach: map[string]float64{}, ExpLabels: at.expLabels}
			if sc.Release == "" {
				rep.Fail(t.Name, engine, "labels", "alert %s has no release label", a.Alert)
				sc.Release = t.Release()
			}
			for k, fl := range at.inputs {
				sc.Breach[k] = fl[1]
			}
			p.Scenarios = append(p.Scenarios, sc)
		}
	}
	return p
}

// describe writes a breach as "series=value, ...".
func describe(b map[string]float64) string {
	parts := make([]string, 0, len(b))
	for k, v := range b {
		parts = append(parts, fmt.Sprintf("%s=%g", k, v))
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}

// conditions maps each metric name to the alert conditions on it.
func conditions(trees []*Tree) map[string][]Condition {
	out := map[string][]Condition{}
	for _, t := range trees {
		for _, a := range t.Alerts() {
			if c, ok := ParseCondition(a.Expr); ok {
				out[c.Metric] = append(out[c.Metric], c)
			}
		}
	}
	return out
}

// firstQuiet is the first value on which no condition holds.
func firstQuiet(try []float64, conds []Condition) (float64, bool) {
	for _, v := range try {
		quiet := true
		for _, c := range conds {
			if c.Holds(v) {
				quiet = false
			}
		}
		if quiet {
			return v, true
		}
	}
	return 0, false
}
