package argo

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestFixtureGood checks the hand-written annotated fixtures: every check
// runs (validation, AnalysisRun build, four situations per Prometheus
// metric) and passes, so the evaluation logic is exercised before the
// generated output carries the annotations.
func TestFixtureGood(t *testing.T) {
	env := newEvalEnv(t)
	tree := filepath.Join("testdata", "good")
	reports := checkTree(t, tree, env)
	t.Log("\n" + summary(tree, reports))
	if len(reports) != 2 {
		t.Fatalf("want 2 Rollouts in %s, got %d", tree, len(reports))
	}
	metrics := 0
	for _, r := range reports {
		for _, p := range r.problems {
			t.Errorf("%s/%s: %s", r.spec, r.name, p)
		}
		for _, a := range r.analyses {
			if !a.built {
				t.Errorf("%s/%s: analysis %s not built", r.spec, r.name, a.label)
			}
			for _, m := range a.metrics {
				metrics++
				if m.provider == "prometheus" && len(m.phases) != 4 {
					t.Errorf("%s/%s: metric %s: %d situations evaluated, want 4: %v", r.spec, r.name, m.name, len(m.phases), m.phases)
				}
			}
		}
	}
	if metrics != 8 {
		t.Errorf("want 8 metrics checked, got %d", metrics)
	}
}

// TestNegativeControls: each fixture under testdata/bad breaks one rule, and
// the suite must report it with the given message, so every check is shown
// able to fail.
func TestNegativeControls(t *testing.T) {
	env := newEvalEnv(t)
	cases := []struct {
		dir  string
		want []string
	}{
		{"dup-metric", []string{
			// The controller's InvalidSpec (validation_references.go
			// ValidateAnalysisTemplatesWithType) ...
			"ValidateRolloutReferencedResources: spec.strategy.canary.steps[1].analysis.templates: Invalid value: \"templateNames: [app-error-rate app-error-rate-2]\": two metrics have the same name 'error-rate'",
			// ... and the same error when the run is built (rollout/analysis.go).
			"steps[1]: NewAnalysisRunFromTemplates: two metrics have the same name 'error-rate'",
		}},
		{"missing-arg", []string{
			// InvalidSpec from ValidateAnalysisTemplatesWithType, then the
			// AnalysisRun the controller could not create.
			"ValidateRolloutReferencedResources: spec.strategy.canary.steps[1].analysis.templates: Invalid value: \"templateNames: [app-error-rate]\": args.namespace was not resolved",
			"steps[1]: NewAnalysisRunFromTemplates: args.namespace was not resolved",
		}},
		{"bad-duration", []string{
			"steps[1]: ValidateMetrics: metrics[0]: invalid interval string: time: unknown unit \"x\" in duration \"1x\"",
		}},
		{"wrong-condition", []string{
			// `<=` where the spec says `<`: only the boundary value shows it.
			"breaching (value 0.005, condition \"error_rate < 0.005\"): phase Successful, want Failed",
		}},
		{"no-data-mismatch", []string{
			"no data (result [] from an empty Prometheus): phase Inconclusive, want Failed",
			"NaN (value NaN, condition \"error_rate < 0.005\"): phase Inconclusive, want Failed",
		}},
		{"bad-promql", []string{
			"no data: the empty Prometheus rejected the query: bad_data: invalid parameter \"query\": 1:93: parse error: unclosed left parenthesis",
		}},
		{"missing-annotations", []string{
			"template app-error-rate: metric error-rate: no deployc.dev/role annotation",
			"template app-error-rate: metric error-rate: no deployc.dev/condition annotation",
		}},
		{"trigger-without-evidence", []string{
			"no data (result [] from an empty Prometheus): phase Failed, want not Failed/Error",
			"NaN (value NaN, condition \"error_rate > 0.1\"): phase Failed, want not Failed/Error",
		}},
	}
	for _, c := range cases {
		t.Run(c.dir, func(t *testing.T) {
			reports := checkTree(t, filepath.Join("testdata", "bad", c.dir), env)
			var all []string
			for _, r := range reports {
				all = append(all, r.problems...)
			}
			joined := strings.Join(all, "\n")
			for _, w := range c.want {
				if !strings.Contains(joined, w) {
					t.Errorf("want a problem containing\n  %s\ngot:\n  %s", w, strings.ReplaceAll(joined, "\n", "\n  "))
				}
			}
		})
	}
}

// TestStrictDecoding: a field Argo's types do not have is a load error.
func TestStrictDecoding(t *testing.T) {
	_, err := loadTree(filepath.Join("testdata", "bad", "unknown-field"))
	if err == nil || !strings.Contains(err.Error(), `unknown field "sucessCondition"`) {
		t.Fatalf("want an unknown field error, got %v", err)
	}
}
