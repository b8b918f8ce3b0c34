package monitoring

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
)

// Outcome is one check of one spec on one engine: it held or it did not.
type Outcome struct {
	Spec   string // tree name, or "*" for a check over every spec at once
	Engine string // "prometheus", "promtool", "alertmanager"
	Check  string // short name of what was asserted
	OK     bool
	Detail string
}

// Report collects outcomes from concurrent checks.
type Report struct {
	mu       sync.Mutex
	Outcomes []Outcome
}

// Add records an outcome.
func (r *Report) Add(o Outcome) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.Outcomes = append(r.Outcomes, o)
}

// Pass records a check that held.
func (r *Report) Pass(spec, engine, check, detail string) {
	r.Add(Outcome{Spec: spec, Engine: engine, Check: check, OK: true, Detail: detail})
}

// Fail records a check that did not hold.
func (r *Report) Fail(spec, engine, check, format string, args ...any) {
	r.Add(Outcome{Spec: spec, Engine: engine, Check: check, Detail: fmt.Sprintf(format, args...)})
}

// Failures lists the outcomes that did not hold, deduplicated, sorted.
func (r *Report) Failures() []Outcome {
	r.mu.Lock()
	defer r.mu.Unlock()
	seen := map[string]bool{}
	var out []Outcome
	for _, o := range r.Outcomes {
		k := o.Spec + "\x00" + o.Engine + "\x00" + o.Check + "\x00" + o.Detail
		if !o.OK && !seen[k] {
			seen[k] = true
			out = append(out, o)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Spec != out[j].Spec {
			return out[i].Spec < out[j].Spec
		}
		return out[i].Engine < out[j].Engine
	})
	return out
}

// HasFailure says whether some failed outcome's check and detail contain the given texts.
func (r *Report) HasFailure(check, detail string) bool {
	for _, o := range r.Failures() {
		if strings.Contains(o.Check, check) && strings.Contains(o.Detail, detail) {
			return true
		}
	}
	return false
}

// Summary writes, per spec and per engine, how many checks ran and held,
// then every failure.
func (r *Report) Summary(w io.Writer) {
	r.mu.Lock()
	type key struct{ spec, engine string }
	type tally struct {
		ran, held int
		checks    map[string][2]int
	}
	tallies := map[key]*tally{}
	for _, o := range r.Outcomes {
		k := key{o.Spec, o.Engine}
		t := tallies[k]
		if t == nil {
			t = &tally{checks: map[string][2]int{}}
			tallies[k] = t
		}
		t.ran++
		c := t.checks[o.Check]
		c[0]++
		if o.OK {
			t.held++
			c[1]++
		}
		t.checks[o.Check] = c
	}
	r.mu.Unlock()
	keys := make([]key, 0, len(tallies))
	for k := range tallies {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].spec != keys[j].spec {
			return keys[i].spec < keys[j].spec
		}
		return keys[i].engine < keys[j].engine
	})
	fmt.Fprintln(w, "== conformance summary (spec / engine: checks held of run) ==")
	for _, k := range keys {
		t := tallies[k]
		names := make([]string, 0, len(t.checks))
		for n := range t.checks {
			names = append(names, n)
		}
		sort.Strings(names)
		parts := make([]string, len(names))
		for i, n := range names {
			parts[i] = fmt.Sprintf("%s %d/%d", n, t.checks[n][1], t.checks[n][0])
		}
		fmt.Fprintf(w, "%-24s %-13s %3d/%-3d held  [%s]\n", k.spec, k.engine, t.held, t.ran, strings.Join(parts, "; "))
	}
	fails := r.Failures()
	fmt.Fprintf(w, "== %d distinct failures ==\n", len(fails))
	for _, o := range fails {
		fmt.Fprintf(w, "FAIL %s / %s / %s: %s\n", o.Spec, o.Engine, o.Check, o.Detail)
	}
}
