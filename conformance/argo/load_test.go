package argo

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/argoproj/argo-rollouts/pkg/apis/rollouts/v1alpha1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"sigs.k8s.io/yaml"
)

// specTree is one spec's output folder: <tree>/<spec>/{rollouts,kubernetes}.
// Objects are keyed by "namespace/name" because the controller looks every
// reference up in the Rollout's own namespace (rollout/controller.go
// getReferencedService, getReferencedAnalysisTemplatesFromRef).
type specTree struct {
	name      string
	dir       string
	rollouts  []*v1alpha1.Rollout
	templates map[string]*v1alpha1.AnalysisTemplate
	clusterTs map[string]*v1alpha1.ClusterAnalysisTemplate
	services  map[string]*corev1.Service
	ingresses map[string]*networkingv1.Ingress
}

func nsKey(namespace, name string) string { return namespace + "/" + name }

// treesFromEnv returns the folders named in DEPLOYC_TREES (colon-separated),
// or the repository's generated/ folder.
func treesFromEnv() []string {
	v := os.Getenv("DEPLOYC_TREES")
	if v == "" {
		return []string{filepath.Join("..", "..", "generated")}
	}
	var out []string
	for _, p := range strings.Split(v, ":") {
		if p != "" {
			out = append(out, p)
		}
	}
	return out
}

// loadTree reads every spec folder of a tree that has a rollouts/ folder.
func loadTree(tree string) ([]*specTree, error) {
	entries, err := os.ReadDir(tree)
	if err != nil {
		return nil, err
	}
	var specs []*specTree
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		dir := filepath.Join(tree, e.Name())
		if _, err := os.Stat(filepath.Join(dir, "rollouts")); err != nil {
			continue
		}
		s, err := loadSpec(e.Name(), dir)
		if err != nil {
			return nil, err
		}
		specs = append(specs, s)
	}
	return specs, nil
}

func loadSpec(name, dir string) (*specTree, error) {
	s := &specTree{
		name:      name,
		dir:       dir,
		templates: map[string]*v1alpha1.AnalysisTemplate{},
		clusterTs: map[string]*v1alpha1.ClusterAnalysisTemplate{},
		services:  map[string]*corev1.Service{},
		ingresses: map[string]*networkingv1.Ingress{},
	}
	for _, sub := range []string{"rollouts", "kubernetes"} {
		files, err := filepath.Glob(filepath.Join(dir, sub, "*.yaml"))
		if err != nil {
			return nil, err
		}
		sort.Strings(files)
		for _, f := range files {
			if err := s.loadFile(f, sub == "rollouts"); err != nil {
				return nil, err
			}
		}
	}
	sort.Slice(s.rollouts, func(i, j int) bool { return s.rollouts[i].Name < s.rollouts[j].Name })
	return s, nil
}

// loadFile decodes each YAML document of a file. Under rollouts/ every kind
// must be an Argo kind; under kubernetes/ only Services and Ingresses are
// referenced by a Rollout, so other kinds are left to the Kubernetes checks.
func (s *specTree) loadFile(path string, argoOnly bool) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	for i, doc := range splitDocuments(raw) {
		var head struct {
			APIVersion string `json:"apiVersion"`
			Kind       string `json:"kind"`
		}
		if err := yaml.Unmarshal(doc, &head); err != nil {
			return fmt.Errorf("%s: document %d: %v", path, i, err)
		}
		where := fmt.Sprintf("%s: document %d (%s)", path, i, head.Kind)
		switch {
		case head.APIVersion == "argoproj.io/v1alpha1" && head.Kind == "Rollout":
			var r v1alpha1.Rollout
			if err := decodeStrict(doc, &r); err != nil {
				return fmt.Errorf("%s: %v", where, err)
			}
			s.rollouts = append(s.rollouts, &r)
		case head.APIVersion == "argoproj.io/v1alpha1" && head.Kind == "AnalysisTemplate":
			var t v1alpha1.AnalysisTemplate
			if err := decodeStrict(doc, &t); err != nil {
				return fmt.Errorf("%s: %v", where, err)
			}
			s.templates[nsKey(t.Namespace, t.Name)] = &t
		case head.APIVersion == "argoproj.io/v1alpha1" && head.Kind == "ClusterAnalysisTemplate":
			var t v1alpha1.ClusterAnalysisTemplate
			if err := decodeStrict(doc, &t); err != nil {
				return fmt.Errorf("%s: %v", where, err)
			}
			s.clusterTs[t.Name] = &t
		case head.APIVersion == "v1" && head.Kind == "Service":
			var svc corev1.Service
			if err := decodeStrict(doc, &svc); err != nil {
				return fmt.Errorf("%s: %v", where, err)
			}
			s.services[nsKey(svc.Namespace, svc.Name)] = &svc
		case head.APIVersion == "networking.k8s.io/v1" && head.Kind == "Ingress":
			var ing networkingv1.Ingress
			if err := decodeStrict(doc, &ing); err != nil {
				return fmt.Errorf("%s: %v", where, err)
			}
			s.ingresses[nsKey(ing.Namespace, ing.Name)] = &ing
		case argoOnly:
			return fmt.Errorf("%s: unexpected %s %s under rollouts/", where, head.APIVersion, head.Kind)
		}
	}
	return nil
}

// decodeStrict is sigs.k8s.io/yaml's strict mode: a field the Go type does not
// know (a typo, or a field of another Argo release) is an error, where the API
// server would silently prune it and the controller would never see it.
func decodeStrict(doc []byte, into any) error {
	return yaml.UnmarshalStrict(doc, into)
}

// splitDocuments splits a YAML stream on "---" lines and drops documents that
// hold only comments or blanks.
func splitDocuments(raw []byte) [][]byte {
	var docs [][]byte
	var cur [][]byte
	flush := func() {
		doc := bytes.Join(cur, []byte("\n"))
		cur = nil
		for _, line := range bytes.Split(doc, []byte("\n")) {
			t := bytes.TrimSpace(line)
			if len(t) > 0 && t[0] != '#' {
				docs = append(docs, doc)
				return
			}
		}
	}
	for _, line := range bytes.Split(raw, []byte("\n")) {
		if bytes.Equal(bytes.TrimRight(line, " \t\r"), []byte("---")) {
			flush()
			continue
		}
		cur = append(cur, line)
	}
	flush()
	return docs
}
