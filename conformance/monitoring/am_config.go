package monitoring

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// DefaultReceiver is the merged root's receiver: no alert of any spec may
// end there (each spec's routes match its own release).
const DefaultReceiver = "conformance__default"

// ReceiverName is the merged name of a spec's receiver: receiver names
// collide across specs (every spec has `deployc-default`, many share
// contact ids), so each is prefixed with its spec.
func ReceiverName(spec, name string) string { return spec + "__" + name }

// MergedAM is the merged Alertmanager configuration and what the checks
// need to know about it.
type MergedAM struct {
	Config       map[string]any
	Empty        map[string]bool // merged receiver names with no integration
	Receivers    map[string]bool // every merged receiver name
	MaxGroupWait time.Duration
	Inhibits     []InhibitRule
}

// InhibitRule is an inhibit rule with its matchers read.
type InhibitRule struct {
	Spec   string
	Index  int
	Source []Matcher
	Target []Matcher
	Equal  []string
}

// MergeAM builds one configuration from every tree's alertmanager.yml,
// until the build writes one merged file: one root route whose receiver
// must never be hit, each spec's routes under it (they match release="R")
// with the spec root's grouping and timing copied onto them, receivers
// renamed <spec>__<name>, inhibit rules concatenated. Only endpoints are
// rewritten: every receiver with any integration gets one webhook to
// hookBase/<merged name> instead; a receiver without one stays empty.
func MergeAM(trees []*Tree, hookBase string) (*MergedAM, error) {
	m := &MergedAM{Empty: map[string]bool{}, Receivers: map[string]bool{}}
	receivers := []any{map[string]any{
		"name":            DefaultReceiver,
		"webhook_configs": []any{map[string]any{"url": hookBase + "/" + DefaultReceiver, "send_resolved": false}},
	}}
	m.Receivers[DefaultReceiver] = true
	var routes, inhibits []any
	for _, t := range trees {
		rootRoute, _ := t.AM["route"].(map[string]any)
		if rootRoute == nil {
			return nil, fmt.Errorf("%s: alertmanager.yml has no route", t.Name)
		}
		children, _ := rootRoute["routes"].([]any)
		for _, c := range children {
			child, ok := c.(map[string]any)
			if !ok {
				continue
			}
			child = deepCopy(child).(map[string]any)
			for _, k := range []string{"group_by", "group_wait", "group_interval", "repeat_interval"} {
				if _, set := child[k]; !set && rootRoute[k] != nil {
					child[k] = rootRoute[k]
				}
			}
			renameReceivers(child, t.Name)
			routes = append(routes, child)
		}
		rs, _ := t.AM["receivers"].([]any)
		for _, r := range rs {
			rm, _ := r.(map[string]any)
			name := ReceiverName(t.Name, fmt.Sprint(rm["name"]))
			m.Receivers[name] = true
			integrations := 0
			for k, v := range rm {
				if l, ok := v.([]any); ok && strings.HasSuffix(k, "_configs") {
					integrations += len(l)
				}
			}
			nr := map[string]any{"name": name}
			if integrations > 0 {
				nr["webhook_configs"] = []any{map[string]any{"url": hookBase + "/" + name, "send_resolved": false}}
			} else {
				m.Empty[name] = true
			}
			receivers = append(receivers, nr)
		}
		irs, _ := t.AM["inhibit_rules"].([]any)
		for i, ir := range irs {
			irm, _ := ir.(map[string]any)
			inhibits = append(inhibits, irm)
			rule, err := readInhibit(t.Name, i, irm)
			if err != nil {
				return nil, err
			}
			m.Inhibits = append(m.Inhibits, rule)
		}
	}
	root := map[string]any{
		"receiver":   DefaultReceiver,
		"group_by":   []any{"alertname", "release"},
		"group_wait": "1s",
		"routes":     routes,
	}
	m.Config = map[string]any{"route": root, "receivers": receivers}
	if len(inhibits) > 0 {
		m.Config["inhibit_rules"] = inhibits
	}
	m.MaxGroupWait = maxGroupWait(root, time.Second)
	return m, nil
}

func deepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = deepCopy(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = deepCopy(e)
		}
		return out
	default:
		return v
	}
}

func renameReceivers(route map[string]any, spec string) {
	if r, ok := route["receiver"].(string); ok {
		route["receiver"] = ReceiverName(spec, r)
	}
	children, _ := route["routes"].([]any)
	for _, c := range children {
		if cm, ok := c.(map[string]any); ok {
			renameReceivers(cm, spec)
		}
	}
}

// promDuration reads Prometheus durations ("30s", "1m", "1h30m", "1d").
func promDuration(s string) (time.Duration, bool) {
	re := regexp.MustCompile(`(\d+)(ms|s|m|h|d|w|y)`)
	if s == "" || re.ReplaceAllString(s, "") != "" {
		return 0, false
	}
	unit := map[string]time.Duration{"ms": time.Millisecond, "s": time.Second, "m": time.Minute, "h": time.Hour, "d": 24 * time.Hour, "w": 7 * 24 * time.Hour, "y": 365 * 24 * time.Hour}
	var d time.Duration
	for _, m := range re.FindAllStringSubmatch(s, -1) {
		n, _ := strconv.Atoi(m[1])
		d += time.Duration(n) * unit[m[2]]
	}
	return d, true
}

func maxGroupWait(route map[string]any, inherited time.Duration) time.Duration {
	gw := inherited
	if s, ok := route["group_wait"].(string); ok {
		if d, ok := promDuration(s); ok {
			gw = d
		}
	}
	best := gw
	children, _ := route["routes"].([]any)
	for _, c := range children {
		if cm, ok := c.(map[string]any); ok {
			if d := maxGroupWait(cm, gw); d > best {
				best = d
			}
		}
	}
	return best
}

// Matcher is one Alertmanager label matcher.
type Matcher struct {
	Name, Op, Value string
	re              *regexp.Regexp
}

var matcherRe = regexp.MustCompile(`^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*(.*?)\s*$`)

// ParseMatcher reads `name op "value"` (the value may be unquoted).
func ParseMatcher(s string) (Matcher, error) {
	m := matcherRe.FindStringSubmatch(s)
	if m == nil {
		return Matcher{}, fmt.Errorf("matcher %q: cannot read", s)
	}
	v := m[3]
	if strings.HasPrefix(v, `"`) {
		u, err := strconv.Unquote(v)
		if err != nil {
			return Matcher{}, fmt.Errorf("matcher %q: %v", s, err)
		}
		v = u
	}
	out := Matcher{Name: m[1], Op: m[2], Value: v}
	if out.Op == "=~" || out.Op == "!~" {
		re, err := regexp.Compile("^(?:" + v + ")$")
		if err != nil {
			return Matcher{}, fmt.Errorf("matcher %q: %v", s, err)
		}
		out.re = re
	}
	return out, nil
}

// Matches says whether the label set satisfies the matcher (a missing label is "").
func (m Matcher) Matches(labels map[string]string) bool {
	v := labels[m.Name]
	switch m.Op {
	case "=":
		return v == m.Value
	case "!=":
		return v != m.Value
	case "=~":
		return m.re.MatchString(v)
	default:
		return !m.re.MatchString(v)
	}
}

func matchAll(ms []Matcher, labels map[string]string) bool {
	for _, m := range ms {
		if !m.Matches(labels) {
			return false
		}
	}
	return true
}

func readMatchers(rule map[string]any, side string) ([]Matcher, error) {
	var out []Matcher
	list, _ := rule[side+"_matchers"].([]any)
	for _, s := range list {
		m, err := ParseMatcher(fmt.Sprint(s))
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	eq, _ := rule[side+"_match"].(map[string]any)
	for k, v := range eq {
		out = append(out, Matcher{Name: k, Op: "=", Value: fmt.Sprint(v)})
	}
	res, _ := rule[side+"_match_re"].(map[string]any)
	for k, v := range res {
		m, err := ParseMatcher(fmt.Sprintf("%s=~%q", k, fmt.Sprint(v)))
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

func readInhibit(spec string, i int, rule map[string]any) (InhibitRule, error) {
	src, err := readMatchers(rule, "source")
	if err != nil {
		return InhibitRule{}, fmt.Errorf("%s inhibit rule %d: %v", spec, i, err)
	}
	tgt, err := readMatchers(rule, "target")
	if err != nil {
		return InhibitRule{}, fmt.Errorf("%s inhibit rule %d: %v", spec, i, err)
	}
	ir := InhibitRule{Spec: spec, Index: i, Source: src, Target: tgt}
	eq, _ := rule["equal"].([]any)
	for _, e := range eq {
		ir.Equal = append(ir.Equal, fmt.Sprint(e))
	}
	sort.Strings(ir.Equal)
	return ir, nil
}

// Inhibits says whether source mutes target under this rule, in the terms
// of Alertmanager's inhibit/inhibit.go ((*Inhibitor).Mutes: the target
// matchers match, and (*InhibitRule).hasEqual finds a firing source with
// the equal labels equal that is not the target itself). It only pairs
// alerts for the test; whether the muting holds is read back from
// Alertmanager's own API (status.inhibitedBy) and its webhooks.
func (ir InhibitRule) Inhibits(source, target map[string]string) bool {
	if !matchAll(ir.Target, target) || !matchAll(ir.Source, source) {
		return false
	}
	for _, l := range ir.Equal {
		if source[l] != target[l] {
			return false
		}
	}
	return labelKey(source) != labelKey(target)
}

func labelKey(l map[string]string) string {
	return Series{Labels: l}.Key()
}
