package argo

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"time"

	"github.com/argoproj/argo-rollouts/pkg/apis/rollouts/v1alpha1"
)

// The annotations deployc writes on every AnalysisTemplate say what the spec
// meant; the suite holds what Argo does against them.
const (
	annRole         = "deployc.dev/role"
	annCondition    = "deployc.dev/condition"
	annWindow       = "deployc.dev/window"
	annNoData       = "deployc.dev/no-data"
	annFailureLimit = "deployc.dev/failure-limit"
)

const (
	roleGate    = "gate"
	roleTrigger = "trigger"
	roleSmoke   = "smoke"
	roleHTTP    = "http"
)

// intent is a template's annotations, parsed.
type intent struct {
	role         string
	condition    string // as written, for the summary
	metric       string
	op           string
	threshold    float64
	window       time.Duration
	hasWindow    bool
	noData       v1alpha1.AnalysisPhase // gates: the phase no data (or NaN) must give
	failureLimit int
}

// "<metric> <op> <threshold>", threshold a plain decimal.
var conditionRE = regexp.MustCompile(`^\s*([A-Za-z_][A-Za-z0-9_.:-]*)\s*(<=|>=|==|!=|<|>)\s*(-?[0-9]+(?:\.[0-9]+)?)\s*$`)

// parseIntent reads the deployc.dev/* annotations of a template. Every
// missing or malformed annotation is one problem, so a template without them
// fails with a message that names the annotation.
// A template without a role is asked for a condition only if its metric is a
// Prometheus one (a job or web metric has no condition to state).
func parseIntent(t *v1alpha1.AnalysisTemplate, prometheusMetric bool) (intent, []string) {
	var in intent
	var problems []string
	ann := t.Annotations
	in.role = ann[annRole]
	switch in.role {
	case roleGate, roleTrigger, roleSmoke, roleHTTP:
	case "":
		problems = append(problems, "no "+annRole+" annotation")
	default:
		problems = append(problems, fmt.Sprintf("%s %q is not gate, trigger, smoke or http", annRole, in.role))
	}
	needsCondition := in.role == roleGate || in.role == roleTrigger || (in.role == "" && prometheusMetric)
	if needsCondition {
		cond, ok := ann[annCondition]
		if !ok {
			problems = append(problems, "no "+annCondition+" annotation")
		} else if m := conditionRE.FindStringSubmatch(cond); m == nil {
			problems = append(problems, fmt.Sprintf("%s %q is not `<metric> <op> <threshold>`", annCondition, cond))
		} else {
			in.condition = cond
			in.metric, in.op = m[1], m[2]
			in.threshold, _ = strconv.ParseFloat(m[3], 64) // the pattern admits only decimals
		}
	}
	if w, ok := ann[annWindow]; ok {
		d, err := time.ParseDuration(w)
		if err != nil || d < 0 {
			problems = append(problems, fmt.Sprintf("%s %q is not a Go duration >= 0", annWindow, w))
		}
		in.window, in.hasWindow = d, true
	} else if needsCondition {
		problems = append(problems, "no "+annWindow+" annotation")
	}
	if in.role == roleGate {
		switch nd := ann[annNoData]; nd {
		case "pass":
			in.noData = v1alpha1.AnalysisPhaseSuccessful
		case "fail":
			in.noData = v1alpha1.AnalysisPhaseFailed
		case "inconclusive":
			in.noData = v1alpha1.AnalysisPhaseInconclusive
		case "":
			problems = append(problems, "no "+annNoData+" annotation")
		default:
			problems = append(problems, fmt.Sprintf("%s %q is not pass, fail or inconclusive", annNoData, nd))
		}
	}
	if fl, ok := ann[annFailureLimit]; ok {
		n, err := strconv.Atoi(fl)
		if err != nil || n < 0 {
			problems = append(problems, fmt.Sprintf("%s %q is not an integer >= 0", annFailureLimit, fl))
		}
		in.failureLimit = n
	}
	return in, problems
}

// satisfying returns values for which "x op threshold" holds, and violating
// values for which it does not. Each set has the value nearest the threshold
// (math.Nextafter, or the threshold itself) so that `<` written as `<=`, or
// the reverse, is caught, and one value a full unit away. Formatted with
// strconv 'g' -1, each value round-trips through the Prometheus JSON exactly.
func satisfying(op string, t float64) []float64 {
	below, above := math.Nextafter(t, math.Inf(-1)), math.Nextafter(t, math.Inf(1))
	m := math.Max(math.Abs(t), 1)
	switch op {
	case "<":
		return []float64{below, t - m}
	case "<=":
		return []float64{t, t - m}
	case ">":
		return []float64{above, t + m}
	case ">=":
		return []float64{t, t + m}
	case "==":
		return []float64{t}
	case "!=":
		return []float64{above, below}
	}
	return nil
}

func violating(op string, t float64) []float64 {
	below, above := math.Nextafter(t, math.Inf(-1)), math.Nextafter(t, math.Inf(1))
	m := math.Max(math.Abs(t), 1)
	switch op {
	case "<":
		return []float64{t, t + m}
	case "<=":
		return []float64{above, t + m}
	case ">":
		return []float64{t, t - m}
	case ">=":
		return []float64{below, t - m}
	case "==":
		return []float64{below, above}
	case "!=":
		return []float64{t}
	}
	return nil
}
