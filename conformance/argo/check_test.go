package argo

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/argoproj/argo-rollouts/pkg/apis/rollouts/v1alpha1"
	"github.com/argoproj/argo-rollouts/pkg/apis/rollouts/validation"
	analysisutil "github.com/argoproj/argo-rollouts/utils/analysis"
	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// evalEnv holds the servers the Prometheus metrics are measured against.
type evalEnv struct {
	fake *fakePrometheus
	real *realPrometheus
}

type rolloutReport struct {
	spec, name string
	validation string // "ok", or the first error, as the controller's InvalidSpec message
	analyses   []*analysisReport
	problems   []string
}

type analysisReport struct {
	label   string
	built   bool
	metrics []*metricReport
}

type metricReport struct {
	name, template, provider string
	intent                   intent
	phases                   []string // "situation=Phase", in order
}

func (r *rolloutReport) fail(format string, args ...any) {
	r.problems = append(r.problems, fmt.Sprintf(format, args...))
}

// checkRollout holds one Rollout, its templates and services to Argo's code,
// in the order the controller runs it: rollout/controller.go
// getRolloutValidationErrors (ValidateRollout, then the referenced
// resources), then rollout/analysis.go createAnalysisRun for each analysis,
// then analysis/analysis.go reconcileAnalysisRun's argument resolution and
// ValidateMetrics, then each measurement.
func checkRollout(s *specTree, ro *v1alpha1.Rollout, env *evalEnv) *rolloutReport {
	rep := &rolloutReport{spec: s.name, name: ro.Name, validation: "ok"}
	invalid := func(msg string) {
		if rep.validation == "ok" {
			rep.validation = msg
		}
		rep.fail("%s", msg)
	}
	// Argo's validation writes into what it is given (setArgValuePlaceHolder
	// and validateAnalysisMetrics in validation_references.go assign into the
	// templates' slices), so it is handed copies.
	r := ro.DeepCopy()
	for _, e := range validation.ValidateRollout(r) {
		invalid("ValidateRollout: " + e.Error())
	}
	refs, analyses, err := referencedResources(s, r)
	if err != nil {
		invalid("referenced resources: " + err.Error())
		return rep
	}
	for _, e := range validation.ValidateRolloutReferencedResources(r, copyRefs(refs)) {
		invalid("ValidateRolloutReferencedResources: " + e.Error())
	}
	for _, a := range analyses {
		rep.analyses = append(rep.analyses, checkAnalysis(rep, r, a, env))
	}
	return rep
}

func copyRefs(refs validation.ReferencedResources) validation.ReferencedResources {
	out := refs
	out.AnalysisTemplatesWithType = nil
	for _, a := range refs.AnalysisTemplatesWithType {
		c := a
		c.AnalysisTemplates = nil
		for _, t := range a.AnalysisTemplates {
			c.AnalysisTemplates = append(c.AnalysisTemplates, t.DeepCopy())
		}
		c.ClusterAnalysisTemplates = nil
		for _, t := range a.ClusterAnalysisTemplates {
			c.ClusterAnalysisTemplates = append(c.ClusterAnalysisTemplates, t.DeepCopy())
		}
		out.AnalysisTemplatesWithType = append(out.AnalysisTemplatesWithType, c)
	}
	return out
}

// replicaSet stands in for the stable and new ReplicaSets whose pod hashes
// rollout/analysis.go createAnalysisRun passes to
// BuildArgumentsForRolloutAnalysisRun (valueFrom.podTemplateHashValue).
func replicaSet(hash string) *appsv1.ReplicaSet {
	return &appsv1.ReplicaSet{ObjectMeta: metav1.ObjectMeta{
		Name:   "rs-" + hash,
		Labels: map[string]string{v1alpha1.DefaultRolloutUniqueLabelKey: hash},
	}}
}

func checkAnalysis(rep *rolloutReport, r *v1alpha1.Rollout, a rolloutAnalysis, env *evalEnv) *analysisReport {
	ar := &analysisReport{label: a.label}
	where := a.label
	args, err := analysisutil.BuildArgumentsForRolloutAnalysisRun(a.source.Args, replicaSet("stable"), replicaSet("canary"), r)
	if err != nil {
		rep.fail("%s: BuildArgumentsForRolloutAnalysisRun: %v", where, err)
		return ar
	}
	var ts []*v1alpha1.AnalysisTemplate
	for _, t := range a.resolved.AnalysisTemplates {
		ts = append(ts, t.DeepCopy())
	}
	var cts []*v1alpha1.ClusterAnalysisTemplate
	for _, t := range a.resolved.ClusterAnalysisTemplates {
		cts = append(cts, t.DeepCopy())
	}
	// rollout/analysis.go newAnalysisRunFromRollout: every template of one
	// analysis is flattened into one AnalysisRun.
	run, err := analysisutil.NewAnalysisRunFromTemplates(ts, cts, args, a.source.DryRun, a.source.MeasurementRetention,
		map[string]string{}, map[string]string{}, r.Name+"-hash-1-"+a.label, "", r.Namespace)
	if err != nil {
		rep.fail("%s: NewAnalysisRunFromTemplates: %v", where, err)
		return ar
	}
	// analysis/analysis.go reconcileAnalysisRun resolves {{args.*}} in every
	// metric (getResolvedMetricsWithoutSecrets) and validates them before
	// the first measurement; either failure makes the run Error.
	var metrics []v1alpha1.Metric
	for _, m := range run.Spec.Metrics {
		resolved, err := analysisutil.ResolveMetricArgs(m, run.Spec.Args)
		if err != nil {
			rep.fail("%s: metric %s: ResolveMetricArgs: %v", where, m.Name, err)
			return ar
		}
		metrics = append(metrics, *resolved)
	}
	if err := analysisutil.ValidateMetrics(metrics); err != nil {
		rep.fail("%s: ValidateMetrics: %v", where, err)
		return ar
	}
	ar.built = true

	owner := map[string]*v1alpha1.AnalysisTemplate{}
	for _, t := range a.resolved.AnalysisTemplates {
		for _, m := range t.Spec.Metrics {
			if _, seen := owner[m.Name]; !seen {
				owner[m.Name] = t
			}
		}
	}
	for _, m := range metrics {
		t := owner[m.Name]
		if t == nil {
			rep.fail("%s: metric %s comes from a ClusterAnalysisTemplate, which carries no deployc.dev annotations", where, m.Name)
			continue
		}
		ar.metrics = append(ar.metrics, checkMetric(rep, where, a.kind, t, m, env))
	}
	return ar
}

func providerName(m v1alpha1.Metric) string {
	switch {
	case m.Provider.Prometheus != nil:
		return "prometheus"
	case m.Provider.Job != nil:
		return "job"
	case m.Provider.Web != nil:
		return "web"
	}
	return "other"
}

func intOrZero(v *intstr.IntOrString) int {
	if v == nil {
		return 0
	}
	return v.IntValue()
}

func checkMetric(rep *rolloutReport, where string, kind validation.AnalysisTemplateType, t *v1alpha1.AnalysisTemplate, m v1alpha1.Metric, env *evalEnv) *metricReport {
	mr := &metricReport{name: m.Name, template: t.Name, provider: providerName(m)}
	where = fmt.Sprintf("%s: template %s: metric %s", where, t.Name, m.Name)
	in, problems := parseIntent(t, m.Provider.Prometheus != nil)
	mr.intent = in
	for _, p := range problems {
		rep.fail("%s: %s", where, p)
	}
	if len(problems) > 0 {
		// Without the intent no phase can be judged, but the query can still
		// be run by the real server: a query it rejects is reported.
		if m.Provider.Prometheus != nil && env != nil && env.real != nil {
			meas := measure(m, env.real.url)
			mr.phases = append(mr.phases, fmt.Sprintf("no-data=%s", meas.Phase))
			if meas.Phase == v1alpha1.AnalysisPhaseError {
				rep.fail("%s: no data: the empty Prometheus rejected the query: %s", where, meas.Message)
			}
		}
		return mr
	}

	// A background analysis aborts (rollout/analysis.go reconcileBackgroundAnalysisRun
	// adds an abort on Failed); every other analysis gates a step.
	if background := kind == validation.BackgroundAnalysis; background != (in.role == roleTrigger) {
		rep.fail("%s: role %s in a %s analysis", where, in.role, kind)
	}
	// An HTTP gate is a web metric, or a Job that runs the request (Argo's
	// web provider cannot assert an exact status code).
	wantProvider := map[string]string{roleGate: "prometheus", roleTrigger: "prometheus", roleSmoke: "job", roleHTTP: "web or job"}[in.role]
	if !strings.Contains(" "+wantProvider+" ", " "+mr.provider+" ") {
		rep.fail("%s: role %s expects a %s metric, got %s", where, in.role, wantProvider, mr.provider)
		return mr
	}

	failureLimit := intOrZero(m.FailureLimit)
	if failureLimit != in.failureLimit {
		rep.fail("%s: failureLimit %d, want %d", where, failureLimit, in.failureLimit)
	}
	switch in.role {
	case roleTrigger:
		// A trigger watches for as long as the rollout runs: a count would
		// end the background run and stop the watch.
		if m.Count != nil {
			rep.fail("%s: trigger has count %s, want none", where, m.Count.String())
		}
	default:
		checkGateShape(rep, where, in, m, failureLimit)
	}
	if in.role != roleGate && in.role != roleTrigger {
		return mr
	}
	if m.Provider.Prometheus.RangeQuery != nil {
		// The fake server speaks /api/v1/query only.
		rep.fail("%s: rangeQuery is not supported by this suite", where)
		return mr
	}
	if env != nil {
		evaluateMetric(rep, mr, where, in, m, env)
	}
	return mr
}

// checkGateShape: a gate measures over its window once per interval, ends
// after count measurements, and fails on failureLimit+1 failures.
// analysis/analysis.go assessMetricStatus ends a metric as Failed or
// Inconclusive once failures exceed failureLimit or inconclusives exceed
// inconclusiveLimit, and as Successful when count is reached; so with the
// input held constant (as in each situation below), the run ends in the phase
// of its measurements only if count > failureLimit and inconclusiveLimit and
// consecutiveSuccessLimit are unset. Those are asserted, and the phase of one
// measurement is then the phase of the run.
func checkGateShape(rep *rolloutReport, where string, in intent, m v1alpha1.Metric, failureLimit int) {
	if m.Count == nil {
		rep.fail("%s: gate has no count (it would never end)", where)
		return
	}
	count := m.Count.IntValue()
	if in.hasWindow {
		var interval time.Duration
		if m.Interval != "" {
			d, err := m.Interval.Duration()
			if err != nil {
				rep.fail("%s: interval %q: %v", where, m.Interval, err)
				return
			}
			interval = d
		}
		var want int
		switch {
		case in.window == 0:
			want = 1
		case interval <= 0:
			rep.fail("%s: window %s with no interval", where, in.window)
			return
		case in.window%interval != 0:
			rep.fail("%s: window %s is not a multiple of interval %s", where, in.window, interval)
			return
		default:
			want = int(in.window/interval) + 1
		}
		if count != want {
			rep.fail("%s: count %d, want window/interval + 1 = %d (window %s, interval %s)", where, count, want, in.window, m.Interval)
		}
	}
	if count <= failureLimit {
		rep.fail("%s: count %d <= failureLimit %d: the gate could never fail", where, count, failureLimit)
	}
	if n := intOrZero(m.InconclusiveLimit); n != 0 {
		rep.fail("%s: inconclusiveLimit %d, want 0", where, n)
	}
	if n := intOrZero(m.ConsecutiveSuccessLimit); n != 0 {
		rep.fail("%s: consecutiveSuccessLimit %d, want 0", where, n)
	}
}

func fmtValue(v float64) string {
	if math.IsNaN(v) {
		return "NaN"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// evaluateMetric measures the metric in the four situations and compares
// each phase with what the annotations say.
func evaluateMetric(rep *rolloutReport, mr *metricReport, where string, in intent, m v1alpha1.Metric, env *evalEnv) {
	gate := in.role == roleGate
	var healthy, breaching []float64
	if gate {
		// A gate's condition is what must hold to pass.
		healthy, breaching = satisfying(in.op, in.threshold), violating(in.op, in.threshold)
	} else {
		// A trigger's condition is the breach that aborts.
		healthy, breaching = violating(in.op, in.threshold), satisfying(in.op, in.threshold)
	}
	// ok reports whether a phase is what the situation wants, and names the want.
	type want struct {
		desc string
		ok   func(v1alpha1.AnalysisPhase) bool
	}
	is := func(p v1alpha1.AnalysisPhase) want {
		return want{string(p), func(got v1alpha1.AnalysisPhase) bool { return got == p }}
	}
	// An abort needs evidence: a trigger must not fail, nor error, without it.
	notFailed := want{"not Failed/Error", func(got v1alpha1.AnalysisPhase) bool {
		return got != v1alpha1.AnalysisPhaseFailed && got != v1alpha1.AnalysisPhaseError
	}}
	wHealthy, wBreach, wNoData := is(v1alpha1.AnalysisPhaseSuccessful), is(v1alpha1.AnalysisPhaseFailed), is(in.noData)
	if !gate {
		wHealthy, wNoData = notFailed, notFailed
	}

	record := func(situation string, values []string, phases []v1alpha1.AnalysisPhase) {
		same := true
		for _, p := range phases[1:] {
			same = same && p == phases[0]
		}
		if same {
			mr.phases = append(mr.phases, fmt.Sprintf("%s=%s", situation, phases[0]))
			return
		}
		var parts []string
		for i, p := range phases {
			parts = append(parts, values[i]+":"+string(p))
		}
		mr.phases = append(mr.phases, fmt.Sprintf("%s=[%s]", situation, strings.Join(parts, " ")))
	}
	fake := func(situation string, values []float64, w want) {
		var names []string
		var phases []v1alpha1.AnalysisPhase
		for _, v := range values {
			s := fmtValue(v)
			meas := measure(m, env.fake.addressFor(s))
			names, phases = append(names, s), append(phases, meas.Phase)
			if q := env.fake.lastQuery(); meas.Phase != v1alpha1.AnalysisPhaseError && q != m.Provider.Prometheus.Query {
				rep.fail("%s: %s: the provider sent %q, not the metric's query", where, situation, q)
			}
			if !w.ok(meas.Phase) {
				rep.fail("%s: %s (value %s, condition %q): phase %s, want %s%s", where, situation, s, in.condition, meas.Phase, w.desc, message(meas))
			}
		}
		record(situation, names, phases)
	}
	fake("healthy", healthy, wHealthy)
	fake("breaching", breaching, wBreach)

	if env.real != nil {
		meas := measure(m, env.real.url)
		record("no-data", []string{"none"}, []v1alpha1.AnalysisPhase{meas.Phase})
		if meas.Phase == v1alpha1.AnalysisPhaseError {
			rep.fail("%s: no data: the empty Prometheus rejected the query: %s", where, meas.Message)
		} else if !wNoData.ok(meas.Phase) {
			rep.fail("%s: no data (result %s from an empty Prometheus): phase %s, want %s", where, meas.Value, meas.Phase, wNoData.desc)
		}
	}
	fake("NaN", []float64{math.NaN()}, wNoData)
}

func message(m v1alpha1.Measurement) string {
	if m.Message == "" {
		return ""
	}
	return " (" + m.Message + ")"
}
