package monitoring

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// Exposition serves synthetic series in the text exposition format.
type Exposition struct {
	mu     sync.Mutex
	values map[string]float64
}

// Set replaces the value of each given series.
func (e *Exposition) Set(vals map[string]float64) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for k, v := range vals {
		e.values[k] = v
	}
}

func (e *Exposition) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	e.mu.Lock()
	keys := make([]string, 0, len(e.values))
	for k := range e.values {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "%s %g\n", k, e.values[k])
	}
	e.mu.Unlock()
	w.Header().Set("Content-Type", "text/plain; version=0.0.4")
	_, _ = w.Write([]byte(b.String()))
}

// Prom is one running Prometheus with its scrape target.
type Prom struct {
	URL  string
	Expo *Exposition
	Log  string
	// Alerts active with every series healthy (alertname{release}); a
	// scenario's leaks and clearing are judged against them.
	baseline map[string]bool
	// Rule key (spec / group / rule) -> the first failure seen, or "".
	ruleHealth map[string]string
}

func alertKey(a ActiveAlert) string {
	return fmt.Sprintf("%s{release=%q}", a.Labels["alertname"], a.Labels["release"])
}

// waitScraped waits until the target's n series have been scraped.
func (p *Prom) waitScraped(n int, within time.Duration) error {
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		var r struct {
			Data struct {
				Result []struct {
					Value [2]any `json:"value"`
				} `json:"result"`
			} `json:"data"`
		}
		err := getJSON(p.URL+"/api/v1/query?query=scrape_samples_scraped%7Bjob%3D%22conformance%22%7D", &r)
		if err == nil && len(r.Data.Result) == 1 && fmt.Sprint(r.Data.Result[0].Value[1]) == fmt.Sprint(n) {
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("the %d synthetic series were not scraped within %s", n, within)
}

// StartProm starts /usr/bin/prometheus (or $PROMETHEUS_BIN) on a free port
// of 127.0.0.1 with a temporary TSDB, every tree's rules.yml, rule
// evaluation and scraping every second, and one target: an HTTP server of
// the test exposing the synthetic series at their healthy values.
func StartProm(t testing.TB, trees []*Tree, healthy map[string]float64) (*Prom, error) {
	t.Helper()
	expo := &Exposition{values: map[string]float64{}}
	expo.Set(healthy)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	srv := &http.Server{Handler: expo}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })

	dir := t.TempDir()
	var files []string
	for _, tr := range trees {
		abs, _ := filepath.Abs(tr.RulesPath)
		files = append(files, abs)
	}
	cfg := map[string]any{
		"global":     map[string]any{"scrape_interval": "1s", "evaluation_interval": "1s"},
		"rule_files": files,
		"scrape_configs": []any{map[string]any{
			"job_name":        "conformance",
			"scrape_interval": "1s",
			"static_configs":  []any{map[string]any{"targets": []string{l.Addr().String()}}},
		}},
	}
	cfgPath := filepath.Join(dir, "prometheus.yml")
	if err := writeYAML(cfgPath, cfg); err != nil {
		return nil, err
	}
	port := FreePort(t)
	logPath := filepath.Join(dir, "prometheus.log")
	bin := envOr("PROMETHEUS_BIN", "/usr/bin/prometheus")
	StartServer(t, bin, []string{
		"--config.file=" + cfgPath,
		"--storage.tsdb.path=" + filepath.Join(dir, "tsdb"),
		fmt.Sprintf("--web.listen-address=127.0.0.1:%d", port),
	}, logPath)
	p := &Prom{URL: fmt.Sprintf("http://127.0.0.1:%d", port), Expo: expo, Log: logPath, ruleHealth: map[string]string{}}
	if err := WaitReady(p.URL+"/-/ready", 30*time.Second, logPath); err != nil {
		return nil, err
	}
	return p, nil
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// ActiveAlert is an entry of /api/v1/alerts.
type ActiveAlert struct {
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations"`
	State       string            `json:"state"`
	Value       string            `json:"value"`
}

func (a ActiveAlert) String() string {
	return fmt.Sprintf("%s{release=%q,severity=%q} %s (value %s)", a.Labels["alertname"], a.Labels["release"], a.Labels["severity"], a.State, a.Value)
}

// RuleState is a rule of /api/v1/rules.
type RuleState struct {
	Group     string
	Name      string `json:"name"`
	Health    string `json:"health"`
	LastError string `json:"lastError"`
}

func getJSON(url string, v any) error {
	resp, err := http.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

// Alerts returns the pending and firing alerts.
func (p *Prom) Alerts() ([]ActiveAlert, error) {
	var r struct {
		Data struct {
			Alerts []ActiveAlert `json:"alerts"`
		} `json:"data"`
	}
	err := getJSON(p.URL+"/api/v1/alerts", &r)
	return r.Data.Alerts, err
}

// Rules returns every rule with its health, and the time every group has
// been evaluated at least once since (the oldest lastEvaluation).
func (p *Prom) Rules() ([]RuleState, time.Time, error) {
	var r struct {
		Data struct {
			Groups []struct {
				Name           string      `json:"name"`
				LastEvaluation time.Time   `json:"lastEvaluation"`
				Rules          []RuleState `json:"rules"`
			} `json:"groups"`
		} `json:"data"`
	}
	if err := getJSON(p.URL+"/api/v1/rules", &r); err != nil {
		return nil, time.Time{}, err
	}
	var out []RuleState
	var oldest time.Time
	for i, g := range r.Data.Groups {
		if i == 0 || g.LastEvaluation.Before(oldest) {
			oldest = g.LastEvaluation
		}
		for _, rule := range g.Rules {
			rule.Group = g.Name
			out = append(out, rule)
		}
	}
	return out, oldest, nil
}

// waitEvaluated waits until every rule group has been evaluated after since.
func (p *Prom) waitEvaluated(since time.Time, within time.Duration) error {
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		_, oldest, err := p.Rules()
		if err == nil && oldest.After(since) {
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("rule groups not all evaluated after %s within %s", since.Format(time.RFC3339Nano), within)
}

// Timing of the scenarios. Scrapes and evaluations run every second, so a
// changed value reaches every alert within about two seconds.
const (
	appearWithin = 8 * time.Second
	clearWithin  = 8 * time.Second
)

// checkRuleHealth notes every rule whose last evaluation failed, such as
// Prometheus' "vector contains metrics with the same labelset after
// applying alert labels" (rules/alerting.go, (*AlertingRule).Eval), with
// the first situation it was seen in.
func (p *Prom) checkRuleHealth(rep *Report, owner map[string]string, when string) {
	rules, _, err := p.Rules()
	if err != nil {
		rep.Fail("*", "prometheus", "(c) rule health", "%s: %v", when, err)
		return
	}
	for _, r := range rules {
		spec := owner[r.Group]
		if spec == "" {
			spec = "*"
		}
		key := spec + "\x00" + r.Group + "\x00" + r.Name
		if r.Health == "err" || r.LastError != "" {
			if p.ruleHealth[key] == "" {
				p.ruleHealth[key] = fmt.Sprintf("rule %s (group %s) health %q: %s; first seen: %s", r.Name, r.Group, r.Health, r.LastError, when)
			}
		} else if _, seen := p.ruleHealth[key]; !seen {
			p.ruleHealth[key] = ""
		}
	}
}

// RunScenario breaches one alert, asserts (a) that it appears in the state
// its `for` calls for with the spec's labels, (b) that no alert of another
// release is pending or firing, (c) that every rule stays healthy, then
// returns every series to healthy and waits for all alerts to clear.
func (p *Prom) RunScenario(sc Scenario, plan *PromPlan, rep *Report, owner map[string]string) {
	spec, name := sc.Tree.Name, sc.Alert.Alert
	want := sc.WantState()
	p.Expo.Set(sc.Breach)
	what := fmt.Sprintf("breach %s of %s (%s)", name, sc.Release, describe(sc.Breach))

	var found *ActiveAlert
	var seen []ActiveAlert
	start := time.Now()
	for time.Since(start) < appearWithin && found == nil {
		time.Sleep(100 * time.Millisecond)
		seen, _ = p.Alerts()
		for i, a := range seen {
			if a.Labels["alertname"] == name && a.Labels["release"] == sc.Release && a.State == want {
				found = &seen[i]
			}
		}
	}
	if found == nil {
		rep.Fail(spec, "prometheus", "(a) alert appears", "%s: %s did not become %s within %s; active: %v", what, name, want, appearWithin, seen)
	} else {
		var wrong []string
		for k, v := range sc.ExpLabels {
			if found.Labels[k] != v {
				wrong = append(wrong, fmt.Sprintf("%s=%q, want %q", k, found.Labels[k], v))
			}
		}
		if sev := sc.Alert.Labels["severity"]; found.Labels["severity"] != sev {
			wrong = append(wrong, fmt.Sprintf("severity=%q, want %q", found.Labels["severity"], sev))
		}
		if len(wrong) > 0 {
			rep.Fail(spec, "prometheus", "(a) alert appears", "%s: %s is %s but %s", what, name, want, strings.Join(wrong, ", "))
		} else {
			rep.Pass(spec, "prometheus", "(a) alert appears", what)
		}
	}

	// Every group evaluates once more on the breaching sample before (b).
	if err := p.waitEvaluated(time.Now(), 5*time.Second); err != nil {
		rep.Fail(spec, "prometheus", "(b) no other release", "%s: %v", what, err)
	}
	active, err := p.Alerts()
	if err != nil {
		rep.Fail(spec, "prometheus", "(b) no other release", "%s: %v", what, err)
	}
	var leaks []string
	for _, a := range active {
		if a.Labels["release"] != sc.Release && !p.baseline[alertKey(a)] {
			leaks = append(leaks, a.String())
		}
	}
	if len(leaks) > 0 {
		sort.Strings(leaks)
		rep.Fail(spec, "prometheus", "(b) no other release", "%s also made other releases' alerts active: %s", what, strings.Join(leaks, "; "))
	} else {
		rep.Pass(spec, "prometheus", "(b) no other release", what)
	}
	p.checkRuleHealth(rep, owner, what)

	reset := map[string]float64{}
	for k := range sc.Breach {
		reset[k] = plan.Healthy[k]
	}
	p.Expo.Set(reset)
	start = time.Now()
	for {
		active, _ = p.Alerts()
		var left []ActiveAlert
		for _, a := range active {
			if !p.baseline[alertKey(a)] {
				left = append(left, a)
			}
		}
		if len(left) == 0 {
			break
		}
		active = left
		if time.Since(start) > clearWithin {
			rep.Fail(spec, "prometheus", "clears", "%s: still active %s after the series went back to healthy: %v", what, clearWithin, active)
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// CheckPrometheus runs the plan on `shards` Prometheus servers, each loading
// every tree's rules and scraping its own copy of every series, each running
// a share of the scenarios one after another. A server is its own process
// with its own TSDB and target, so scenarios of different servers cannot
// see each other's values; within a server only one release is ever
// breached at a time, which is what (b) needs.
func CheckPrometheus(t testing.TB, trees []*Tree, shards int, rep *Report) {
	plan := PlanPrometheus(trees, rep)
	owner := map[string]string{}
	for _, tr := range trees {
		for _, g := range tr.Rules.Groups {
			owner[g.Name] = tr.Name
		}
	}
	if shards < 1 {
		shards = 1
	}
	if shards > len(plan.Scenarios) && len(plan.Scenarios) > 0 {
		shards = len(plan.Scenarios)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	health := map[string]string{} // rule key -> first failure, "" if healthy throughout
	for i := 0; i < shards; i++ {
		var mine []Scenario
		for j := i; j < len(plan.Scenarios); j += shards {
			mine = append(mine, plan.Scenarios[j])
		}
		wg.Add(1)
		go func(i int, mine []Scenario) {
			defer wg.Done()
			p, err := StartProm(t, trees, plan.Healthy)
			if err != nil {
				rep.Fail("*", "prometheus", "start", "%v", err)
				return
			}
			// Baseline: every series healthy and scraped, two evaluations.
			err = p.waitScraped(len(plan.Series), 15*time.Second)
			if err == nil {
				err = p.waitEvaluated(time.Now().Add(time.Second), 15*time.Second)
			}
			if err != nil {
				rep.Fail("*", "prometheus", "start", "%v", err)
				return
			}
			active, _ := p.Alerts()
			p.baseline = map[string]bool{}
			for _, a := range active {
				p.baseline[alertKey(a)] = true
				if i == 0 {
					rep.Fail(owner2(trees, a.Labels["release"]), "prometheus", "baseline", "with every series healthy, %s", a)
				}
			}
			if i == 0 && len(active) == 0 {
				rep.Pass("*", "prometheus", "baseline", "no alert with every series healthy")
			}
			p.checkRuleHealth(rep, owner, "baseline")
			for _, sc := range mine {
				p.RunScenario(sc, plan, rep, owner)
			}
			if i == 0 {
				p.allAtOnce(plan, rep, owner)
			}
			mu.Lock()
			for k, v := range p.ruleHealth {
				if old, seen := health[k]; !seen || (old == "" && v != "") {
					health[k] = v
				}
			}
			mu.Unlock()
		}(i, mine)
	}
	wg.Wait()
	keys := make([]string, 0, len(health))
	for k := range health {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		spec := strings.SplitN(k, "\x00", 2)[0]
		if health[k] != "" {
			rep.Fail(spec, "prometheus", "(c) rule health", "%s", health[k])
		} else {
			rep.Pass(spec, "prometheus", "(c) rule health", k)
		}
	}
}

// allAtOnce breaches every alert of every release together, as an incident
// across several releases would, and asserts every rule stays healthy: two
// releases' series on one metric name must not collapse into one alert.
func (p *Prom) allAtOnce(plan *PromPlan, rep *Report, owner map[string]string) {
	all := map[string]float64{}
	for _, sc := range plan.Scenarios {
		for k, v := range sc.Breach {
			if _, ok := all[k]; !ok {
				all[k] = v
			}
		}
	}
	p.Expo.Set(all)
	_ = p.waitEvaluated(time.Now().Add(2*time.Second), 10*time.Second)
	p.checkRuleHealth(rep, owner, "every release breached at once")
	p.Expo.Set(plan.Healthy)
}

func owner2(trees []*Tree, release string) string {
	for _, t := range trees {
		if t.Release() == release {
			return t.Name
		}
	}
	return "*"
}
