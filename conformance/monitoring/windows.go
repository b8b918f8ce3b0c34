package monitoring

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Expand reads a promtool `values:` string into one sample per interval
// (NaN where the notation leaves a gap: "_", "_xn", "stale").
func Expand(values string) ([]float64, error) {
	var out []float64
	for _, tok := range strings.Fields(values) {
		if tok == "stale" || tok == "_" {
			out = append(out, math.NaN())
			continue
		}
		start, step, n := tok, "", 0
		if i := strings.IndexByte(tok, 'x'); i >= 0 {
			start = tok[:i]
			var err error
			if n, err = strconv.Atoi(tok[i+1:]); err != nil {
				return nil, fmt.Errorf("values %q: %v", values, err)
			}
		}
		if start == "_" {
			for i := 0; i < n; i++ {
				out = append(out, math.NaN())
			}
			continue
		}
		for j := 1; j < len(start); j++ {
			if (start[j] == '+' || start[j] == '-') && start[j-1] != 'e' && start[j-1] != 'E' {
				start, step = start[:j], start[j:]
				break
			}
		}
		a, err := strconv.ParseFloat(start, 64)
		if err != nil {
			return nil, fmt.Errorf("values %q: %v", values, err)
		}
		b := 0.0
		if step != "" {
			if b, err = strconv.ParseFloat(step, 64); err != nil {
				return nil, fmt.Errorf("values %q: %v", values, err)
			}
		}
		for i := 0; i <= n; i++ {
			out = append(out, a+b*float64(i))
		}
	}
	return out, nil
}

// CheckWindowsPinned asserts that, for every alert, the promtool test
// deployc wrote pins its window on both sides: with the breach starting at
// S (the first sample from which the condition holds to the end) and the
// alert's `for` F, the test expects no alert at S+F-interval and the alert
// at S+F. That is when Prometheus fires it: an alert becomes pending at the
// first evaluation its expression returns a sample and firing once
// ts-ActiveAt >= for (rules/alerting.go, (*AlertingRule).Eval). promtool
// then proves both sides with every spec's rules loaded.
func CheckWindowsPinned(trees []*Tree, rep *Report) {
	const engine, check = "promtool", "window pinned both sides"
	for _, t := range trees {
		recorded := t.RecordedKeys()
		for _, a := range t.Alerts() {
			cond, ok := ParseCondition(a.Expr)
			if !ok {
				rep.Fail(t.Name, engine, check, "alert %s: expression %q is not `series op number`; window not checked", a.Alert, a.Expr)
				continue
			}
			forDur, _ := promDuration(a.For)
			if a.For == "" {
				forDur = 0
			}
			found := false
			for _, test := range t.Tests.Tests {
				fires, empty := map[time.Duration]bool{}, map[time.Duration]bool{}
				cases, _ := test["alert_rule_test"].([]any)
				for _, c := range cases {
					m, _ := c.(map[string]any)
					if m["alertname"] != a.Alert {
						continue
					}
					et, ok := promDuration(fmt.Sprint(m["eval_time"]))
					if !ok {
						continue
					}
					if exp, _ := m["exp_alerts"].([]any); len(exp) > 0 {
						fires[et] = true
					} else {
						empty[et] = true
					}
				}
				if len(fires) == 0 {
					continue
				}
				found = true
				interval, ok := promDuration(fmt.Sprint(test["interval"]))
				if !ok {
					interval = time.Minute
				}
				// The window is read on the series the spec records; the
				// test's decoys (other releases' or services') are ignored.
				inputs, _ := test["input_series"].([]any)
				var own []map[string]any
				for _, x := range inputs {
					in, _ := x.(map[string]any)
					if s, err := ParseSeries(fmt.Sprint(in["series"])); err == nil && recorded[s.Key()] {
						own = append(own, in)
					}
				}
				if len(own) != 1 {
					rep.Fail(t.Name, engine, check, "alert %s: test %v feeds %d series the spec records, not one; window not checked", a.Alert, test["name"], len(own))
					continue
				}
				in := own[0]
				samples, err := Expand(fmt.Sprint(in["values"]))
				if err != nil {
					rep.Fail(t.Name, engine, check, "alert %s: %v", a.Alert, err)
					continue
				}
				s := len(samples)
				for s > 0 && !math.IsNaN(samples[s-1]) && cond.Holds(samples[s-1]) {
					s--
				}
				if s == len(samples) {
					rep.Fail(t.Name, engine, check, "alert %s: test %v never breaches %s", a.Alert, test["name"], a.Expr)
					continue
				}
				fireAt := time.Duration(s)*interval + forDur
				before := fireAt - interval
				switch {
				case !fires[fireAt]:
					rep.Fail(t.Name, engine, check, "alert %s: breach from %s, for %s: the test does not expect it at %s", a.Alert, time.Duration(s)*interval, forDur, fireAt)
				case !empty[before]:
					rep.Fail(t.Name, engine, check, "alert %s: breach from %s, for %s: the test does not expect it absent at %s, one interval before", a.Alert, time.Duration(s)*interval, forDur, before)
				default:
					rep.Pass(t.Name, engine, check, fmt.Sprintf("%s: absent at %s, firing at %s", a.Alert, before, fireAt))
				}
			}
			if !found {
				rep.Fail(t.Name, engine, check, "alert %s: no promtool test expects it to fire", a.Alert)
			}
		}
	}
}
