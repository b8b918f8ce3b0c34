// helm-engine: Helm's template engine reproduced, for perf/compare.sh.
//
// This is NOT the helm binary (no registry this machine reaches ships one,
// and the Go module proxy is not reachable). It reproduces what
// `helm template` does in helm's pkg/engine and pkg/releaseutil with the
// same building blocks: Go's text/template, sprig v3's TxtFuncMap and
// helm's own functions (toYaml, fromYaml, toJson, fromJson, include, tpl,
// required, lookup), then helm's manifest split and head parse before
// printing `---\n# Source: ...` documents.
//
// Usage:
//
//	helm-engine [--stream | -o OUT] CHART VALUES.json...
//
// --stream prints every rendered document of every service as one
// multi-document stream on stdout (like `helm template`); -o OUT writes one
// file per template into OUT/<release>/<path below templates/> (like
// `helm template --output-dir`). Every values file is one release (release
// name and namespace from its "name" and "namespace"), all rendered by one
// process: cheaper than one `helm template` per service.
//
// Differences from helm kept on purpose, all in the peer's favour: the
// templates are parsed once and reused for every release (helm parses per
// Render call); no values.schema.json validation, no Capabilities from a
// cluster, no hooks or NOTES.txt. Stream mode prints only *.yaml templates
// (the Grafana dashboard JSON is not a Kubernetes object); folder mode also
// writes the dashboard.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig" // Debian: sprig v3 sources
	"github.com/ghodss/yaml"
)

type chart struct {
	meta      map[string]interface{}
	values    map[string]interface{}
	tmpl      *template.Template
	templates []string // renderable (non-partial) template names, sorted
}

func main() {
	stream := false
	out := ""
	args := os.Args[1:]
	for len(args) > 0 && strings.HasPrefix(args[0], "-") {
		switch args[0] {
		case "--stream":
			stream = true
			args = args[1:]
		case "-o":
			if len(args) < 2 {
				fail("-o needs a directory")
			}
			out = args[1]
			args = args[2:]
		default:
			fail("unknown flag " + args[0])
		}
	}
	if len(args) < 2 || stream == (out != "") {
		fail("usage: helm-engine [--stream | -o OUT] CHART VALUES.json...")
	}
	c, err := loadChart(args[0])
	if err != nil {
		fail(err.Error())
	}
	w := bufio.NewWriterSize(os.Stdout, 1<<16)
	defer w.Flush()
	for _, vf := range args[1:] {
		if err := c.release(vf, stream, out, w); err != nil {
			w.Flush()
			fail(vf + ": " + err.Error())
		}
	}
}

func fail(msg string) {
	fmt.Fprintln(os.Stderr, "helm-engine:", msg)
	os.Exit(1)
}

// loadChart reads Chart.yaml, values.yaml and templates/** and parses every
// template into one set, named "<chart>/templates/<path>" like helm does.
func loadChart(dir string) (*chart, error) {
	c := &chart{meta: map[string]interface{}{}, values: map[string]interface{}{}}
	if err := readYaml(filepath.Join(dir, "Chart.yaml"), &c.meta); err != nil {
		return nil, err
	}
	if err := readYaml(filepath.Join(dir, "values.yaml"), &c.values); err != nil {
		return nil, err
	}
	name, _ := c.meta["name"].(string)
	files := map[string]string{}
	root := filepath.Join(dir, "templates")
	err := filepath.Walk(root, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		files[path.Join(name, "templates", filepath.ToSlash(rel))] = string(b)
		return nil
	})
	if err != nil {
		return nil, err
	}
	c.tmpl = template.New("gotpl").Option("missingkey=zero")
	c.tmpl.Funcs(funcMap(c.tmpl))
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if _, err := c.tmpl.New(n).Parse(files[n]); err != nil {
			return nil, err
		}
		// Partials (leading "_") define named templates and render nothing.
		if !strings.HasPrefix(path.Base(n), "_") {
			c.templates = append(c.templates, n)
		}
	}
	return c, nil
}

func readYaml(p string, v interface{}) error {
	b, err := os.ReadFile(p)
	if err != nil {
		return err
	}
	return yaml.Unmarshal(b, v)
}

// funcMap is sprig's text function map plus helm's own functions
// (pkg/engine/funcs.go and engine.go's include/tpl/required/lookup).
func funcMap(t *template.Template) template.FuncMap {
	f := sprig.TxtFuncMap()
	// Helm removes these two for security.
	delete(f, "env")
	delete(f, "expandenv")
	includedNames := map[string]int{}
	extra := template.FuncMap{
		"toYaml": func(v interface{}) string {
			data, err := yaml.Marshal(v)
			if err != nil {
				return ""
			}
			return strings.TrimSuffix(string(data), "\n")
		},
		"fromYaml": func(s string) map[string]interface{} {
			m := map[string]interface{}{}
			if err := yaml.Unmarshal([]byte(s), &m); err != nil {
				m["Error"] = err.Error()
			}
			return m
		},
		"toJson": func(v interface{}) string {
			data, err := json.Marshal(v)
			if err != nil {
				return ""
			}
			return string(data)
		},
		"fromJson": func(s string) map[string]interface{} {
			m := map[string]interface{}{}
			if err := json.Unmarshal([]byte(s), &m); err != nil {
				m["Error"] = err.Error()
			}
			return m
		},
		"include": func(name string, data interface{}) (string, error) {
			var buf strings.Builder
			if v, ok := includedNames[name]; ok {
				if v > 1000 {
					return "", fmt.Errorf("rendering template has a nested reference name: %s", name)
				}
				includedNames[name]++
			} else {
				includedNames[name] = 1
			}
			err := t.ExecuteTemplate(&buf, name, data)
			includedNames[name]--
			return buf.String(), err
		},
		"tpl": func(tpl string, vals interface{}) (string, error) {
			clone, err := t.Clone()
			if err != nil {
				return "", err
			}
			nt, err := clone.New("tpl").Parse(tpl)
			if err != nil {
				return "", err
			}
			var buf strings.Builder
			if err := nt.Execute(&buf, vals); err != nil {
				return "", err
			}
			return strings.ReplaceAll(buf.String(), "<no value>", ""), nil
		},
		"required": func(warn string, val interface{}) (interface{}, error) {
			if val == nil {
				return val, fmt.Errorf(warn)
			} else if s, ok := val.(string); ok && s == "" {
				return val, fmt.Errorf(warn)
			}
			return val, nil
		},
		"lookup": func(string, string, string, string) (map[string]interface{}, error) {
			return map[string]interface{}{}, nil
		},
	}
	for k, v := range extra {
		f[k] = v
	}
	return f
}

// coalesce merges src over dst recursively (helm's CoalesceValues: maps
// merge, everything else in src wins).
func coalesce(dst, src map[string]interface{}) map[string]interface{} {
	out := make(map[string]interface{}, len(dst)+len(src))
	for k, v := range dst {
		out[k] = v
	}
	for k, v := range src {
		if sm, ok := v.(map[string]interface{}); ok {
			if dm, ok := out[k].(map[string]interface{}); ok {
				out[k] = coalesce(dm, sm)
				continue
			}
		}
		out[k] = v
	}
	return out
}

var sep = regexp.MustCompile(`(?:^|\s*\n)---\s*`)

// release renders every template for one values file and prints or writes
// the result.
func (c *chart) release(valuesFile string, stream bool, out string, w io.Writer) error {
	user := map[string]interface{}{}
	if err := readYaml(valuesFile, &user); err != nil {
		return err
	}
	vals := coalesce(c.values, user)
	name, _ := vals["name"].(string)
	ns, _ := vals["namespace"].(string)
	top := map[string]interface{}{
		"Values":  vals,
		"Chart":   c.meta,
		"Release": map[string]interface{}{"Name": name, "Namespace": ns, "Service": "Helm", "IsInstall": true, "Revision": 1},
		"Capabilities": map[string]interface{}{
			"KubeVersion": map[string]interface{}{"Version": "v1.28.0", "Major": "1", "Minor": "28"},
		},
	}
	var manifests []manifest
	for _, tn := range c.templates {
		// Each template sees its own .Template, like helm's renderWithReferences.
		v := make(map[string]interface{}, len(top)+1)
		for k, x := range top {
			v[k] = x
		}
		v["Template"] = map[string]interface{}{"Name": tn, "BasePath": path.Join(path.Dir(strings.SplitN(tn, "/", 2)[0]), "templates")}
		var buf bytes.Buffer
		if err := c.tmpl.ExecuteTemplate(&buf, tn, v); err != nil {
			return err
		}
		rendered := strings.ReplaceAll(buf.String(), "<no value>", "")
		isYaml := strings.HasSuffix(tn, ".yaml") || strings.HasSuffix(tn, ".yml")
		if !isYaml {
			if !stream && strings.TrimSpace(rendered) != "" {
				if err := writeFile(out, name, tn, rendered); err != nil {
					return err
				}
			}
			continue
		}
		// releaseutil.SplitManifests + SortManifests: split on ---, parse
		// each document's head (apiVersion, kind, metadata.name).
		var docs []string
		for _, d := range sep.Split(rendered, -1) {
			d = strings.TrimSpace(d)
			if d == "" {
				continue
			}
			var head struct {
				Version  string `json:"apiVersion"`
				Kind     string `json:"kind"`
				Metadata *struct {
					Name string `json:"name"`
				} `json:"metadata"`
			}
			if err := yaml.Unmarshal([]byte(d), &head); err != nil {
				return fmt.Errorf("YAML parse error on %s: %v", tn, err)
			}
			if head.Kind == "" {
				return fmt.Errorf("%s: manifest missing kind", tn)
			}
			doc := fmt.Sprintf("---\n# Source: %s\n%s\n", tn, d)
			docs = append(docs, doc)
			manifests = append(manifests, manifest{head.Kind, doc})
		}
		if !stream && len(docs) > 0 {
			if err := writeFile(out, name, tn, strings.Join(docs, "")); err != nil {
				return err
			}
		}
	}
	if stream {
		// helm template prints in InstallOrder (releaseutil.SortManifests).
		sort.SliceStable(manifests, func(i, j int) bool {
			return rank(manifests[i].kind) < rank(manifests[j].kind)
		})
		for _, m := range manifests {
			if _, err := io.WriteString(w, m.doc); err != nil {
				return err
			}
		}
	}
	return nil
}

type manifest struct{ kind, doc string }

// installOrder is helm's releaseutil.InstallOrder.
var installOrder = map[string]int{}

func init() {
	for i, k := range []string{"Namespace", "NetworkPolicy", "ResourceQuota", "LimitRange",
		"PodSecurityPolicy", "PodDisruptionBudget", "ServiceAccount", "Secret", "SecretList",
		"ConfigMap", "StorageClass", "PersistentVolume", "PersistentVolumeClaim",
		"CustomResourceDefinition", "ClusterRole", "ClusterRoleList", "ClusterRoleBinding",
		"ClusterRoleBindingList", "Role", "RoleList", "RoleBinding", "RoleBindingList", "Service",
		"DaemonSet", "Pod", "ReplicationController", "ReplicaSet", "Deployment",
		"HorizontalPodAutoscaler", "StatefulSet", "Job", "CronJob", "IngressClass", "Ingress",
		"APIService"} {
		installOrder[k] = i
	}
}

// rank puts unknown kinds (CRDs' objects) last, as helm does.
func rank(kind string) int {
	if r, ok := installOrder[kind]; ok {
		return r
	}
	return len(installOrder)
}

// writeFile writes OUT/<release>/<template path below templates/>.
func writeFile(out, release, tn, body string) error {
	rel := strings.SplitN(tn, "/templates/", 2)[1]
	p := filepath.Join(out, release, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	return os.WriteFile(p, []byte(body), 0o644)
}
