package monitoring

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// The build under test: every spec of specs/ and tests/conformance/specs/,
// compiled once by the deployc binary into a temporary folder.
var (
	buildOnce sync.Once
	built     []*Tree
	buildErr  error
	buildDir  string

	summaryMu sync.Mutex
	summaries []func(io.Writer)
)

func specDirs() []string {
	if v := os.Getenv("CONFORMANCE_SPECS"); v != "" {
		return strings.Fields(v)
	}
	return []string{"../../specs", "../../tests/conformance/specs"}
}

func trees(t *testing.T) []*Tree {
	t.Helper()
	buildOnce.Do(func() {
		// A folder that already holds built trees (e.g. generated/) is
		// checked as it is.
		if dir := os.Getenv("CONFORMANCE_TREES"); dir != "" {
			built, buildErr = LoadTrees(dir)
			return
		}
		bin := envOr("DEPLOYC_BIN", "../../target/debug/deployc")
		buildDir, buildErr = os.MkdirTemp("", "deployc-conformance-")
		if buildErr != nil {
			return
		}
		if buildErr = BuildTrees(bin, specDirs(), buildDir); buildErr != nil {
			return
		}
		built, buildErr = LoadTrees(buildDir)
	})
	if buildErr != nil {
		t.Fatalf("build: %v", buildErr)
	}
	return built
}

func fixture(t *testing.T, name string) []*Tree {
	t.Helper()
	tr, err := LoadTrees(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// finish prints the report's summary at the end of the run and fails the
// test if any check did not hold.
func finish(t *testing.T, title string, rep *Report) {
	summaryMu.Lock()
	summaries = append(summaries, func(w io.Writer) {
		fmt.Fprintf(w, "\n#### %s\n", title)
		rep.Summary(w)
	})
	summaryMu.Unlock()
	for _, f := range rep.Failures() {
		t.Errorf("%s / %s / %s: %s", f.Spec, f.Engine, f.Check, f.Detail)
	}
}

func TestMain(m *testing.M) {
	code := m.Run()
	// The summary goes to stdout (shown with -v or on failure) and, for
	// scripts/conformance-monitoring.sh, to $CONFORMANCE_SUMMARY.
	out := io.Writer(os.Stdout)
	var file *os.File
	if p := os.Getenv("CONFORMANCE_SUMMARY"); p != "" {
		if f, err := os.Create(p); err == nil {
			file, out = f, f
		}
	}
	for _, s := range summaries {
		s(out)
	}
	if file != nil {
		file.Close()
	}
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

func shards() int {
	if n, err := strconv.Atoi(os.Getenv("CONFORMANCE_PROM_SHARDS")); err == nil && n > 0 {
		return n
	}
	return 4
}

// TestPrometheus: every spec's rules in one live Prometheus; each alert
// breached in one release only.
func TestPrometheus(t *testing.T) {
	t.Parallel()
	tr := trees(t)
	rep := &Report{}
	CheckPrometheus(t, tr, shards(), rep)
	finish(t, "Prometheus 2.42, live, every spec's rules at once", rep)
}

// TestPromtoolWindows: every spec's rules and tests in one promtool run.
func TestPromtoolWindows(t *testing.T) {
	t.Parallel()
	tr := trees(t)
	rep := &Report{}
	CheckPromtool(tr, t.TempDir(), rep)
	finish(t, "promtool test rules, simulated time, every spec's rules at once", rep)
}

// TestAlertmanager: every spec's configuration merged into one.
func TestAlertmanager(t *testing.T) {
	t.Parallel()
	tr := trees(t)
	rep := &Report{}
	CheckAlertmanager(t, tr, rep)
	finish(t, "Alertmanager 0.25, merged configuration of every spec", rep)
}

// Negative controls: testdata/defective holds two releases sharing
// deployc:error_rate whose alert expressions select it without a release
// matcher, and a receiver with no integration. Every check must catch its
// defect there; testdata/sound is the same output with the defects fixed
// and must pass, so the catches are not the harness failing everything.

func TestNegativePrometheusCatchesCrossRelease(t *testing.T) {
	t.Parallel()
	rep := &Report{}
	CheckPrometheus(t, fixture(t, "defective"), 1, rep)
	logFailures(t, rep)
	if !rep.HasFailure("(b) no other release", "other releases' alerts active") {
		t.Errorf("a breach of one release firing another's alert went unnoticed:\n%v", rep.Failures())
	}
	if !rep.HasFailure("(c) rule health", "same labelset after applying alert labels") {
		t.Errorf("two releases' series collapsing into one alert went unnoticed:\n%v", rep.Failures())
	}
}

func TestNegativePromtoolCatchesCrossRelease(t *testing.T) {
	t.Parallel()
	rep := &Report{}
	CheckPromtool(fixture(t, "defective"), t.TempDir(), rep)
	logFailures(t, rep)
	if !rep.HasFailure("windows + no other release", "failed with every spec's rules loaded") {
		t.Errorf("promtool run passed on alerts without a release matcher:\n%v", rep.Failures())
	}
}

func TestNegativeAlertmanagerCatchesReachesNobody(t *testing.T) {
	t.Parallel()
	rep := &Report{}
	CheckAlertmanager(t, fixture(t, "defective"), rep)
	logFailures(t, rep)
	if !rep.HasFailure("reaches somebody", "reaches nobody") {
		t.Errorf("an alert routed only to a receiver without integration went unnoticed:\n%v", rep.Failures())
	}
	if !rep.HasFailure("reaches its contacts", "receiver has no integration") {
		t.Errorf("a contact without integration went unnoticed:\n%v", rep.Failures())
	}
}

func TestSoundFixturePasses(t *testing.T) {
	t.Parallel()
	tr := fixture(t, "sound")
	rep := &Report{}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); CheckPrometheus(t, tr, 1, rep) }()
	go func() { defer wg.Done(); CheckAlertmanager(t, tr, rep) }()
	CheckPromtool(tr, t.TempDir(), rep)
	wg.Wait()
	for _, f := range rep.Failures() {
		t.Errorf("%s / %s / %s: %s", f.Spec, f.Engine, f.Check, f.Detail)
	}
}

// logFailures shows what a negative control caught (go test -v).
func logFailures(t *testing.T, rep *Report) {
	for _, f := range rep.Failures() {
		t.Logf("caught: %s / %s / %s: %s", f.Spec, f.Engine, f.Check, f.Detail)
	}
}
