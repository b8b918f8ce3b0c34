package monitoring

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// PostedAlert is an alert as Prometheus would send it: the rule's labels
// plus alertname, and the rule's annotations.
type PostedAlert struct {
	Spec        string
	Labels      map[string]string
	Annotations map[string]string
}

// Name is alertname{release}.
func (a PostedAlert) Name() string {
	return fmt.Sprintf("%s{release=%q}", a.Labels["alertname"], a.Labels["release"])
}

// AlertsOf turns every alert rule of every tree into the alert Alertmanager
// would get: the rule's labels, alertname, and the labels its promtool test
// expects the alert to carry (those of the series, such as `service`).
func AlertsOf(trees []*Tree) []PostedAlert {
	var out []PostedAlert
	for _, t := range trees {
		tests := readTests(t, &Report{}, "")
		for _, r := range t.Alerts() {
			l := map[string]string{"alertname": r.Alert}
			for k, v := range tests[r.Alert].expLabels {
				l[k] = v
			}
			for k, v := range r.Labels {
				l[k] = v
			}
			out = append(out, PostedAlert{Spec: t.Name, Labels: l, Annotations: r.Annotations})
		}
	}
	return out
}

// Hooks records what every webhook receiver got, per Alertmanager instance.
type Hooks struct {
	mu  sync.Mutex
	got map[string]map[string]map[string]bool // instance -> receiver -> label keys
	URL string
}

func (h *Hooks) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	parts := strings.SplitN(strings.TrimPrefix(r.URL.Path, "/"), "/", 2)
	var msg struct {
		Alerts []struct {
			Labels map[string]string `json:"labels"`
		} `json:"alerts"`
	}
	if len(parts) != 2 || json.NewDecoder(r.Body).Decode(&msg) != nil {
		http.Error(w, "bad hook", http.StatusBadRequest)
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	inst := h.got[parts[0]]
	if inst == nil {
		inst = map[string]map[string]bool{}
		h.got[parts[0]] = inst
	}
	if inst[parts[1]] == nil {
		inst[parts[1]] = map[string]bool{}
	}
	for _, a := range msg.Alerts {
		inst[parts[1]][labelKey(a.Labels)] = true
	}
}

// Delivered lists the receivers of an instance that got the alert.
func (h *Hooks) Delivered(instance string, labels map[string]string) []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	k := labelKey(labels)
	for recv, got := range h.got[instance] {
		if got[k] {
			out = append(out, recv)
		}
	}
	sort.Strings(out)
	return out
}

// Contacts lists the spec receivers of an instance that got the alert:
// the merged root's receiver is the test's, not a contact.
func (h *Hooks) Contacts(instance string, labels map[string]string) []string {
	var out []string
	for _, r := range h.Delivered(instance, labels) {
		if r != DefaultReceiver {
			out = append(out, r)
		}
	}
	return out
}

// To lists the alerts an instance's receiver got.
func (h *Hooks) To(instance, receiver string) []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for k := range h.got[instance][receiver] {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// AM is one running Alertmanager.
type AM struct {
	URL, Instance, Log string
}

// StartAM starts /usr/bin/prometheus-alertmanager (or $ALERTMANAGER_BIN) on
// free ports of 127.0.0.1, clustering off, temporary storage, with cfg.
func StartAM(t testing.TB, instance string, cfg map[string]any) (*AM, error) {
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "alertmanager.yml")
	if err := writeYAML(cfgPath, cfg); err != nil {
		return nil, err
	}
	port := FreePort(t)
	logPath := filepath.Join(dir, "alertmanager.log")
	StartServer(t, envOr("ALERTMANAGER_BIN", "/usr/bin/prometheus-alertmanager"), []string{
		"--config.file=" + cfgPath,
		"--storage.path=" + filepath.Join(dir, "data"),
		fmt.Sprintf("--web.listen-address=127.0.0.1:%d", port),
		"--cluster.listen-address=",
	}, logPath)
	a := &AM{URL: fmt.Sprintf("http://127.0.0.1:%d", port), Instance: instance, Log: logPath}
	return a, WaitReady(a.URL+"/-/ready", 30*time.Second, logPath)
}

// Post sends alerts to /api/v2/alerts.
func (a *AM) Post(alerts []PostedAlert) error {
	type wire struct {
		Labels      map[string]string `json:"labels"`
		Annotations map[string]string `json:"annotations,omitempty"`
		StartsAt    time.Time         `json:"startsAt"`
	}
	now := time.Now().UTC()
	var body []wire
	for _, x := range alerts {
		body = append(body, wire{x.Labels, x.Annotations, now})
	}
	b, _ := json.Marshal(body)
	resp, err := http.Post(a.URL+"/api/v2/alerts", "application/json", bytes.NewReader(b))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("POST /api/v2/alerts: %s", resp.Status)
	}
	return nil
}

// AMAlert is an entry of /api/v2/alerts: where Alertmanager routed the
// alert and what inhibits it.
type AMAlert struct {
	Labels    map[string]string `json:"labels"`
	Receivers []struct {
		Name string `json:"name"`
	} `json:"receivers"`
	Status struct {
		State       string   `json:"state"`
		InhibitedBy []string `json:"inhibitedBy"`
	} `json:"status"`
}

// Alerts returns Alertmanager's view, by label key.
func (a *AM) Alerts() (map[string]AMAlert, error) {
	var list []AMAlert
	if err := getJSON(a.URL+"/api/v2/alerts", &list); err != nil {
		return nil, err
	}
	out := map[string]AMAlert{}
	for _, x := range list {
		out[labelKey(x.Labels)] = x
	}
	return out, nil
}

// colour splits alerts into sets within which no alert inhibits another,
// so that each alert's own delivery is observed unmuted.
func colour(alerts []PostedAlert, rules []InhibitRule) [][]PostedAlert {
	var sets [][]PostedAlert
	for _, a := range alerts {
		placed := false
		for i, set := range sets {
			clash := false
			for _, b := range set {
				for _, r := range rules {
					if r.Inhibits(a.Labels, b.Labels) || r.Inhibits(b.Labels, a.Labels) {
						clash = true
					}
				}
			}
			if !clash {
				sets[i] = append(sets[i], a)
				placed = true
				break
			}
		}
		if !placed {
			sets = append(sets, []PostedAlert{a})
		}
	}
	return sets
}

// CheckAlertmanager posts every alert of every tree to Alertmanagers
// running the merged configuration, all at once, waits the longest
// group_wait once, and asserts that each alert reached exactly the
// receivers named by its `contacts` annotation, that the default receiver
// got nothing, and that every inhibit rule mutes its target.
func CheckAlertmanager(t testing.TB, trees []*Tree, rep *Report) {
	const engine = "alertmanager"
	hooks := &Hooks{got: map[string]map[string]map[string]bool{}}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: hooks}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	base := "http://" + l.Addr().String()

	alerts := AlertsOf(trees)
	probe, err := MergeAM(trees, base+"/probe")
	if err != nil {
		rep.Fail("*", engine, "merge", "%v", err)
		return
	}
	sets := colour(alerts, probe.Inhibits)

	// Inhibition pairs: per rule, the first source and target alerts it pairs.
	type pair struct {
		rule           InhibitRule
		source, target PostedAlert
	}
	var pairs []pair
	var inhibitSet []PostedAlert
	for _, r := range probe.Inhibits {
		found := false
		for _, s := range alerts {
			for _, tg := range alerts {
				if !found && r.Inhibits(s.Labels, tg.Labels) {
					pairs = append(pairs, pair{r, s, tg})
					inhibitSet = append(inhibitSet, s, tg)
					found = true
				}
			}
		}
		if !found {
			rep.Fail(r.Spec, engine, "inhibition holds", "inhibit rule %d pairs no source and target among the alerts of any spec: it never applies", r.Index)
		}
	}

	instances := map[string][]PostedAlert{}
	for i, s := range sets {
		instances[fmt.Sprintf("deliver%d", i)] = s
	}
	if len(inhibitSet) > 0 {
		instances["inhibit"] = inhibitSet
	}
	ams := map[string]*AM{}
	merged := map[string]*MergedAM{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for name, set := range instances {
		m, err := MergeAM(trees, base+"/"+name)
		if err != nil {
			rep.Fail("*", engine, "merge", "%v", err)
			return
		}
		merged[name] = m
		wg.Add(1)
		go func(name string, set []PostedAlert, m *MergedAM) {
			defer wg.Done()
			a, err := StartAM(t, name, m.Config)
			if err == nil {
				err = a.Post(set)
			}
			if err != nil {
				rep.Fail("*", engine, "start", "%s: %v", name, err)
				return
			}
			mu.Lock()
			ams[name] = a
			mu.Unlock()
		}(name, set, m)
	}
	wg.Wait()
	if len(ams) != len(instances) {
		return
	}
	// One wait for all: the longest group_wait of the merged tree, plus
	// time for the webhooks to be called.
	time.Sleep(probe.MaxGroupWait + 4*time.Second)

	for name, set := range instances {
		if name == "inhibit" {
			continue
		}
		views, err := ams[name].Alerts()
		if err != nil {
			rep.Fail("*", engine, "api", "%s: %v", name, err)
			continue
		}
		for _, a := range set {
			checkDelivery(a, name, hooks, views[labelKey(a.Labels)], merged[name], rep)
		}
		if got := hooks.To(name, DefaultReceiver); len(got) > 0 {
			rep.Fail("*", engine, "default receiver gets nothing", "the root's default receiver got: %s", strings.Join(got, "; "))
		} else {
			rep.Pass("*", engine, "default receiver gets nothing", name)
		}
	}
	if len(pairs) > 0 {
		views, err := ams["inhibit"].Alerts()
		if err != nil {
			rep.Fail("*", engine, "api", "inhibit: %v", err)
			return
		}
		for _, p := range pairs {
			what := fmt.Sprintf("inhibit rule %d: source %s, target %s", p.rule.Index, p.source.Name(), p.target.Name())
			v := views[labelKey(p.target.Labels)]
			got := hooks.Delivered("inhibit", p.target.Labels)
			aloneDelivered := false
			for inst, set := range instances {
				for _, a := range set {
					if inst != "inhibit" && labelKey(a.Labels) == labelKey(p.target.Labels) {
						aloneDelivered = len(hooks.Contacts(inst, a.Labels)) > 0
					}
				}
			}
			switch {
			case len(got) > 0:
				rep.Fail(p.rule.Spec, engine, "inhibition holds", "%s: target delivered to %v while the source fires", what, got)
			case v.Status.State != "suppressed" || len(v.Status.InhibitedBy) == 0:
				rep.Fail(p.rule.Spec, engine, "inhibition holds", "%s: Alertmanager shows the target %q, inhibited by %v", what, v.Status.State, v.Status.InhibitedBy)
			case !aloneDelivered:
				rep.Fail(p.rule.Spec, engine, "inhibition holds", "%s: muted, but the target reaches nobody even alone, so the muting cannot be observed", what)
			default:
				rep.Pass(p.rule.Spec, engine, "inhibition holds", what)
			}
		}
	}
}

func checkDelivery(a PostedAlert, instance string, hooks *Hooks, view AMAlert, m *MergedAM, rep *Report) {
	const engine = "alertmanager"
	got := hooks.Contacts(instance, a.Labels)
	var routed, emptyRouted []string
	for _, r := range view.Receivers {
		routed = append(routed, r.Name)
		if m.Empty[r.Name] {
			emptyRouted = append(emptyRouted, r.Name)
		}
	}
	sort.Strings(routed)
	if len(got) == 0 {
		rep.Fail(a.Spec, engine, "reaches somebody", "alert %s reaches nobody: routed to %v, of which without any integration: %v", a.Name(), routed, emptyRouted)
	} else {
		rep.Pass(a.Spec, engine, "reaches somebody", a.Name())
	}
	contacts, ok := a.Annotations["contacts"]
	if !ok {
		rep.Fail(a.Spec, engine, "reaches its contacts", "alert %s has no contacts annotation (delivered to %v)", a.Name(), got)
		return
	}
	if strings.TrimSpace(contacts) == "" {
		rep.Fail(a.Spec, engine, "reaches its contacts", "alert %s names no contact (contacts annotation empty): nobody is meant to hear of it (delivered to %v)", a.Name(), got)
		return
	}
	want := map[string]bool{}
	for _, c := range strings.Split(contacts, ",") {
		if c = strings.TrimSpace(c); c != "" {
			want[ReceiverName(a.Spec, c)] = true
		}
	}
	var missing, extra []string
	for w := range want {
		if !contains(got, w) {
			why := "not routed there"
			switch {
			case !m.Receivers[w]:
				why = "no such receiver"
			case m.Empty[w]:
				why = "receiver has no integration"
			case contains(routed, w):
				why = "routed there but not delivered"
			}
			missing = append(missing, fmt.Sprintf("%s (%s)", w, why))
		}
	}
	for _, g := range got {
		if !want[g] {
			extra = append(extra, g)
		}
	}
	sort.Strings(missing)
	if len(missing)+len(extra) > 0 {
		rep.Fail(a.Spec, engine, "reaches its contacts", "alert %s (contacts %q): missing %v, also delivered to %v", a.Name(), contacts, missing, extra)
	} else {
		rep.Pass(a.Spec, engine, "reaches its contacts", a.Name())
	}
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}
