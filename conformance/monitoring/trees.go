// Package monitoring holds the deployc output of every spec of a build
// against the real monitoring engines: one Prometheus that loads every
// spec's rules at once, promtool's rule engine in simulated time, and one
// Alertmanager configuration merged from every spec's.
package monitoring

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// Tree is one spec's generated folder (`deployc build -o OUT` writes OUT/<spec>/).
type Tree struct {
	Name      string // the folder's name: the spec's file stem
	Dir       string
	RulesPath string
	Rules     RuleFile
	TestsPath string
	Tests     PromtoolFile
	AMPath    string
	AM        map[string]any // kept generic: the merge rewrites it
}

// RuleFile is a Prometheus rule file (rules.yml).
type RuleFile struct {
	Groups []RuleGroup `yaml:"groups"`
}

// RuleGroup is one group of a rule file.
type RuleGroup struct {
	Name     string `yaml:"name"`
	Interval string `yaml:"interval,omitempty"`
	Rules    []Rule `yaml:"rules"`
}

// Rule is a recording or alerting rule.
type Rule struct {
	Record      string            `yaml:"record,omitempty"`
	Alert       string            `yaml:"alert,omitempty"`
	Expr        string            `yaml:"expr"`
	For         string            `yaml:"for,omitempty"`
	Labels      map[string]string `yaml:"labels,omitempty"`
	Annotations map[string]string `yaml:"annotations,omitempty"`
}

// PromtoolFile is a `promtool test rules` file. Tests are kept as generic
// maps so that the combined file carries every field deployc wrote.
type PromtoolFile struct {
	RuleFiles          []string         `yaml:"rule_files"`
	EvaluationInterval string           `yaml:"evaluation_interval,omitempty"`
	Tests              []map[string]any `yaml:"tests"`
}

// Release is the `release` label of the tree's rules (one per spec).
func (t *Tree) Release() string {
	for _, g := range t.Rules.Groups {
		for _, r := range g.Rules {
			if v := r.Labels["release"]; v != "" {
				return v
			}
		}
	}
	return t.Name
}

// Alerts lists the tree's alerting rules in file order.
func (t *Tree) Alerts() []Rule {
	var out []Rule
	for _, g := range t.Rules.Groups {
		for _, r := range g.Rules {
			if r.Alert != "" {
				out = append(out, r)
			}
		}
	}
	return out
}

// Records lists the tree's recording rules in file order.
func (t *Tree) Records() []Rule {
	var out []Rule
	for _, g := range t.Rules.Groups {
		for _, r := range g.Rules {
			if r.Record != "" {
				out = append(out, r)
			}
		}
	}
	return out
}

// LoadTrees reads every spec folder under out (those with a prometheus/rules.yml).
func LoadTrees(out string) ([]*Tree, error) {
	entries, err := os.ReadDir(out)
	if err != nil {
		return nil, err
	}
	var trees []*Tree
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		dir := filepath.Join(out, e.Name())
		t := &Tree{
			Name:      e.Name(),
			Dir:       dir,
			RulesPath: filepath.Join(dir, "prometheus", "rules.yml"),
			TestsPath: filepath.Join(dir, "prometheus", "rules.test.yml"),
			AMPath:    filepath.Join(dir, "alertmanager", "alertmanager.yml"),
		}
		if _, err := os.Stat(t.RulesPath); err != nil {
			continue
		}
		if err := readYAML(t.RulesPath, &t.Rules); err != nil {
			return nil, err
		}
		if err := readYAML(t.TestsPath, &t.Tests); err != nil {
			return nil, err
		}
		if err := readYAML(t.AMPath, &t.AM); err != nil {
			return nil, err
		}
		trees = append(trees, t)
	}
	sort.Slice(trees, func(i, j int) bool { return trees[i].Name < trees[j].Name })
	if len(trees) == 0 {
		return nil, fmt.Errorf("no spec folder with prometheus/rules.yml under %s", out)
	}
	return trees, nil
}

func readYAML(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := yaml.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

func writeYAML(path string, v any) error {
	b, err := yaml.Marshal(v)
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}

// BuildTrees runs `deployc build <specDirs...> -o out`.
func BuildTrees(deployc string, specDirs []string, out string) error {
	args := append([]string{"build"}, specDirs...)
	args = append(args, "-o", out)
	cmd := exec.Command(deployc, args...)
	b, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %s: %v\n%s", deployc, strings.Join(args, " "), err, b)
	}
	return nil
}
