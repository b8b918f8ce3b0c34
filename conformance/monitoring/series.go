package monitoring

import (
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Series is one synthetic series the test exposes: a recording rule's
// `record` name with its `labels`, as Prometheus would have recorded it.
type Series struct {
	Name   string
	Labels map[string]string
}

// Key is the series in the text exposition format (without the value),
// labels sorted so that equal series have equal keys.
func (s Series) Key() string {
	if len(s.Labels) == 0 {
		return s.Name
	}
	names := make([]string, 0, len(s.Labels))
	for k := range s.Labels {
		names = append(names, k)
	}
	sort.Strings(names)
	parts := make([]string, len(names))
	for i, k := range names {
		parts[i] = fmt.Sprintf("%s=%s", k, strconv.Quote(s.Labels[k]))
	}
	return s.Name + "{" + strings.Join(parts, ",") + "}"
}

var labelPair = regexp.MustCompile(`\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*,?`)

// ParseSeries reads a promtool `series:` selector: name{k="v", ...}.
func ParseSeries(s string) (Series, error) {
	s = strings.TrimSpace(s)
	out := Series{Labels: map[string]string{}}
	i := strings.IndexByte(s, '{')
	if i < 0 {
		out.Name = s
		return out, nil
	}
	out.Name = strings.TrimSpace(s[:i])
	if !strings.HasSuffix(s, "}") {
		return out, fmt.Errorf("series %q: no closing brace", s)
	}
	body := s[i+1 : len(s)-1]
	rest := regexp.MustCompile(`\s`).ReplaceAllString(labelPair.ReplaceAllString(body, ""), "")
	if rest != "" {
		return out, fmt.Errorf("series %q: cannot read %q", s, rest)
	}
	for _, m := range labelPair.FindAllStringSubmatch(body, -1) {
		v, err := strconv.Unquote(`"` + m[2] + `"`)
		if err != nil {
			return out, fmt.Errorf("series %q: %v", s, err)
		}
		if k := m[1]; k == "__name__" {
			out.Name = v
		} else {
			out.Labels[k] = v
		}
	}
	return out, nil
}

// FirstLast returns the first and the last sample of a promtool
// `values:` string (see Expand; gaps carry no value). The tests deployc
// writes start healthy and end in a breach of the alert they are named
// after.
func FirstLast(values string) (first, last float64, err error) {
	samples, err := Expand(values)
	if err != nil {
		return 0, 0, err
	}
	var nums []float64
	for _, v := range samples {
		if !math.IsNaN(v) {
			nums = append(nums, v)
		}
	}
	if len(nums) == 0 {
		return 0, 0, fmt.Errorf("values %q: no sample", values)
	}
	return nums[0], nums[len(nums)-1], nil
}

// Condition is an alert expression of the form `<selector> <op> <number>`,
// the only form deployc writes. It is read only to choose a value that no
// alert of a release fires on (the healthy baseline); the engines decide
// everything the test asserts.
type Condition struct {
	Metric string
	Op     string
	Value  float64
}

var condRe = regexp.MustCompile(`^\s*([A-Za-z_:][A-Za-z0-9_:]*)\s*(\{[^}]*\})?\s*(>=|<=|==|!=|>|<)\s*([-+0-9.eE]+)\s*$`)

// ParseCondition reads `name{...} op number`; ok is false for any other form.
func ParseCondition(expr string) (Condition, bool) {
	m := condRe.FindStringSubmatch(expr)
	if m == nil {
		return Condition{}, false
	}
	v, err := strconv.ParseFloat(m[4], 64)
	if err != nil {
		return Condition{}, false
	}
	return Condition{Metric: m[1], Op: m[3], Value: v}, true
}

// Holds says whether the condition is true for a sample v.
func (c Condition) Holds(v float64) bool {
	switch c.Op {
	case ">":
		return v > c.Value
	case ">=":
		return v >= c.Value
	case "<":
		return v < c.Value
	case "<=":
		return v <= c.Value
	case "==":
		return v == c.Value
	default:
		return v != c.Value
	}
}
