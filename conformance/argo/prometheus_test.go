package argo

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/argoproj/argo-rollouts/metricproviders/prometheus"
	"github.com/argoproj/argo-rollouts/pkg/apis/rollouts/v1alpha1"
	log "github.com/sirupsen/logrus"
)

// realPrometheus is a Prometheus server with an empty configuration and an
// empty TSDB: it scrapes nothing, so every query it answers is the
// "no data" situation, evaluated by the real PromQL engine (a query it
// rejects is an Error measurement, which the checks report).
type realPrometheus struct {
	url  string
	cmd  *exec.Cmd
	dir  string
	done chan struct{}
}

var (
	promOnce sync.Once
	promSrv  *realPrometheus
	promErr  error
)

// sharedPrometheus starts the server once for the whole test binary;
// TestMain stops it after every test ran, whether they passed or not.
func sharedPrometheus() (*realPrometheus, error) {
	promOnce.Do(func() { promSrv, promErr = startPrometheus() })
	return promSrv, promErr
}

func prometheusBinary() string {
	if b := os.Getenv("PROMETHEUS_BIN"); b != "" {
		return b
	}
	return "/usr/bin/prometheus"
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func startPrometheus() (*realPrometheus, error) {
	bin := prometheusBinary()
	if _, err := os.Stat(bin); err != nil {
		return nil, fmt.Errorf("no Prometheus server at %s (Debian package prometheus; or set PROMETHEUS_BIN): %v", bin, err)
	}
	var lastErr error
	// A port found free can be taken before Prometheus binds it: try again.
	for attempt := 0; attempt < 3; attempt++ {
		p, err := startPrometheusOnce(bin)
		if err == nil {
			return p, nil
		}
		lastErr = err
	}
	return nil, lastErr
}

func startPrometheusOnce(bin string) (*realPrometheus, error) {
	dir, err := os.MkdirTemp("", "deployc-argo-prometheus-")
	if err != nil {
		return nil, err
	}
	cfg := filepath.Join(dir, "prometheus.yml")
	// An empty file is a valid configuration: defaults, no scrape jobs.
	if err := os.WriteFile(cfg, nil, 0o644); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	logf, err := os.Create(filepath.Join(dir, "prometheus.log"))
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	cmd := exec.Command(bin,
		"--config.file="+cfg,
		"--storage.tsdb.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+addr,
		"--log.level=warn",
	)
	cmd.Stdout, cmd.Stderr = logf, logf
	// If the test binary dies (a panic, a kill), the kernel kills Prometheus
	// too, so no server outlives the run.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		logf.Close()
		os.RemoveAll(dir)
		return nil, err
	}
	p := &realPrometheus{url: "http://" + addr, cmd: cmd, dir: dir, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); logf.Close(); close(p.done) }()

	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-p.done:
			out, _ := os.ReadFile(filepath.Join(dir, "prometheus.log"))
			os.RemoveAll(dir)
			return nil, fmt.Errorf("prometheus exited before it was ready: %s", strings.TrimSpace(string(out)))
		default:
		}
		resp, err := http.Get(p.url + "/-/ready")
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p, nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	p.stop()
	return nil, errors.New("prometheus was not ready within 60s")
}

// stop sends SIGTERM, waits up to 10s, then kills; the TSDB is removed.
func (p *realPrometheus) stop() {
	if p == nil {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
	os.RemoveAll(p.dir)
}

// fakePrometheus answers /api/v1/query with a vector of one sample whose
// value is taken from the request path: the provider's address is set to
// <server>/value/<v>, and the client appends /api/v1/query to it.
//
// Why a fake for healthy, breaching and NaN: the metric's query is arbitrary
// PromQL (ratios of rates, histogram_quantile, min_over_time over a
// subquery...). No general method turns "this query must yield 0.004" into
// input series for a real server, so the value the query would yield is
// served directly; Argo's provider then parses the response and applies the
// metric's conditions exactly as in a cluster. The real server above covers
// the one situation that needs no inversion (no series at all) and checks
// that every query is valid PromQL.
type fakePrometheus struct {
	srv *httptest.Server

	mu      sync.Mutex
	queries []string
}

func newFakePrometheus() *fakePrometheus {
	f := &fakePrometheus{}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	return f
}

func (f *fakePrometheus) serve(w http.ResponseWriter, r *http.Request) {
	rest, ok := strings.CutPrefix(r.URL.Path, "/value/")
	if !ok || !strings.HasSuffix(rest, "/api/v1/query") {
		http.Error(w, "unexpected path "+r.URL.Path, http.StatusNotFound)
		return
	}
	value := strings.TrimSuffix(rest, "/api/v1/query")
	if _, err := strconv.ParseFloat(value, 64); err != nil {
		http.Error(w, "bad value "+value, http.StatusBadRequest)
		return
	}
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	f.queries = append(f.queries, r.Form.Get("query"))
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[%d,%q]}]}}`,
		time.Now().Unix(), value)
}

func (f *fakePrometheus) lastQuery() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.queries) == 0 {
		return ""
	}
	return f.queries[len(f.queries)-1]
}

func (f *fakePrometheus) addressFor(v string) string {
	return f.srv.URL + "/value/" + v
}

// measure runs one measurement of a Prometheus metric with Argo's own
// provider (metricproviders/prometheus NewPrometheusAPI, NewPrometheusProvider,
// Provider.Run, which evaluates with utils/evaluate EvaluateResult), the
// metric's address replaced in a copy by the given one.
func measure(metric v1alpha1.Metric, address string) v1alpha1.Measurement {
	m := *metric.DeepCopy()
	m.Provider.Prometheus.Address = address
	api, err := prometheus.NewPrometheusAPI(m)
	if err != nil {
		return v1alpha1.Measurement{Phase: v1alpha1.AnalysisPhaseError, Message: "NewPrometheusAPI: " + err.Error()}
	}
	logger := log.New()
	logger.SetOutput(io.Discard)
	p, err := prometheus.NewPrometheusProvider(api, *log.NewEntry(logger), m)
	if err != nil {
		return v1alpha1.Measurement{Phase: v1alpha1.AnalysisPhaseError, Message: "NewPrometheusProvider: " + err.Error()}
	}
	// The provider's deadline comes from the metric (default 30s), which
	// bounds a hung server; the local ones answer in milliseconds.
	return p.Run(&v1alpha1.AnalysisRun{}, m)
}
