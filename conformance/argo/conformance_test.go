package argo

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

func TestMain(m *testing.M) {
	code := m.Run()
	// Stopped here, after every test, so a failing test still stops it.
	promSrv.stop()
	os.Exit(code)
}

// newEvalEnv starts (once) the real Prometheus and a fake one for this test.
func newEvalEnv(t *testing.T) *evalEnv {
	t.Helper()
	real, err := sharedPrometheus()
	if err != nil {
		t.Fatalf("starting Prometheus: %v", err)
	}
	fake := newFakePrometheus()
	t.Cleanup(fake.srv.Close)
	return &evalEnv{fake: fake, real: real}
}

// checkTree checks every Rollout of every spec of one tree.
func checkTree(t *testing.T, tree string, env *evalEnv) []*rolloutReport {
	t.Helper()
	specs, err := loadTree(tree)
	if err != nil {
		t.Fatalf("loading %s: %v", tree, err)
	}
	var reports []*rolloutReport
	for _, s := range specs {
		for _, r := range s.rollouts {
			reports = append(reports, checkRollout(s, r, env))
		}
	}
	return reports
}

// TestGeneratedTrees holds every Rollout of the trees named by DEPLOYC_TREES
// (default ../../generated) to Argo Rollouts' own code.
func TestGeneratedTrees(t *testing.T) {
	env := newEvalEnv(t)
	total := 0
	for _, tree := range treesFromEnv() {
		reports := checkTree(t, tree, env)
		fmt.Print(summary(tree, reports))
		for _, r := range reports {
			total++
			for _, p := range r.problems {
				t.Errorf("%s %s/%s: %s", tree, r.spec, r.name, p)
			}
		}
	}
	if total == 0 {
		t.Fatalf("no Rollout found in %v", treesFromEnv())
	}
}

// summary renders, per spec and Rollout, the validation result, the
// analyses built and every metric's phases.
func summary(tree string, reports []*rolloutReport) string {
	var b strings.Builder
	fmt.Fprintf(&b, "== Argo Rollouts conformance: %s\n", tree)
	for _, r := range reports {
		status := "PASS"
		if len(r.problems) > 0 {
			status = fmt.Sprintf("FAIL (%d problems, listed by the test)", len(r.problems))
		}
		fmt.Fprintf(&b, "%s / Rollout %s: %s\n", r.spec, r.name, status)
		fmt.Fprintf(&b, "  validation: %s\n", r.validation)
		for _, a := range r.analyses {
			built := "AnalysisRun built"
			if !a.built {
				built = "AnalysisRun NOT built"
			}
			fmt.Fprintf(&b, "  analysis %s: %s, %d metrics\n", a.label, built, len(a.metrics))
			for _, m := range a.metrics {
				role := m.intent.role
				if role == "" {
					role = "?"
				}
				line := fmt.Sprintf("    %s (%s, %s, template %s)", m.name, m.provider, role, m.template)
				if m.intent.condition != "" {
					line += fmt.Sprintf(" [%s]", m.intent.condition)
				}
				if len(m.phases) > 0 {
					line += ": " + strings.Join(m.phases, " ")
				}
				fmt.Fprintln(&b, line)
			}
		}
	}
	return b.String()
}
