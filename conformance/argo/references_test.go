package argo

import (
	"fmt"

	"github.com/argoproj/argo-rollouts/pkg/apis/rollouts/v1alpha1"
	"github.com/argoproj/argo-rollouts/pkg/apis/rollouts/validation"
	analysisutil "github.com/argoproj/argo-rollouts/utils/analysis"
	ingressutil "github.com/argoproj/argo-rollouts/utils/ingress"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// rolloutAnalysis is one analysis the controller would start for a Rollout:
// the templates it resolved and the RolloutAnalysis they came from (args,
// dryRun, measurementRetention are read from it when the run is built).
type rolloutAnalysis struct {
	label    string // "step 3", "background", "prePromotion", ...
	kind     validation.AnalysisTemplateType
	source   *v1alpha1.RolloutAnalysis
	resolved validation.AnalysisTemplatesWithType
}

// referencedResources builds what rollout/controller.go
// getRolloutReferencedResources builds from its listers, from the objects of
// one spec tree instead. A reference the listers would not find is returned
// as the same field.Invalid error the controller returns (it stops there too,
// so the first such error is the Rollout's InvalidSpec message).
func referencedResources(s *specTree, r *v1alpha1.Rollout) (validation.ReferencedResources, []rolloutAnalysis, error) {
	refs := validation.ReferencedResources{}

	services, err := referencedServices(s, r)
	if err != nil {
		return refs, nil, err
	}
	refs.ServiceWithType = services

	analyses, err := referencedAnalyses(s, r)
	if err != nil {
		return refs, nil, err
	}
	for _, a := range analyses {
		refs.AnalysisTemplatesWithType = append(refs.AnalysisTemplatesWithType, a.resolved)
	}

	// getRolloutReferencedResources validates these configs before it looks
	// the ingresses up.
	if err := validation.ValidateRolloutNginxIngressesConfig(r); err != nil {
		return refs, nil, err
	}
	if err := validation.ValidateRolloutAlbIngressesConfig(r); err != nil {
		return refs, nil, err
	}
	ingresses, err := referencedIngresses(s, r)
	if err != nil {
		return refs, nil, err
	}
	refs.Ingresses = ingresses

	if err := validation.ValidateRolloutVirtualServicesConfig(r); err != nil {
		return refs, nil, err
	}
	if c := r.Spec.Strategy.Canary; c != nil && c.TrafficRouting != nil {
		tr := c.TrafficRouting
		// Istio, Ambassador and App Mesh objects are custom resources that a
		// deployc tree never holds; the controller would fail to find them.
		if tr.Istio != nil || tr.Ambassador != nil || tr.AppMesh != nil {
			return refs, nil, fmt.Errorf("trafficRouting references Istio/Ambassador/AppMesh objects, which this suite does not load")
		}
	}
	return refs, analyses, nil
}

// referencedServices follows rollout/controller.go getReferencedServices:
// blueGreen active/preview, else canary stable/canary (and ping/pong).
func referencedServices(s *specTree, r *v1alpha1.Rollout) ([]validation.ServiceWithType, error) {
	var out []validation.ServiceWithType
	add := func(name string, typ validation.ServiceType) error {
		if name == "" {
			return nil
		}
		svc, ok := s.services[nsKey(r.Namespace, name)]
		if !ok {
			// getReferencedService: the lister's NotFound becomes field.Invalid.
			return field.Invalid(validation.GetServiceWithTypeFieldPath(typ), name, fmt.Sprintf("services %q not found", name))
		}
		out = append(out, validation.ServiceWithType{Service: svc, Type: typ})
		return nil
	}
	if bg := r.Spec.Strategy.BlueGreen; bg != nil {
		if err := add(bg.ActiveService, validation.ActiveService); err != nil {
			return nil, err
		}
		if err := add(bg.PreviewService, validation.PreviewService); err != nil {
			return nil, err
		}
	} else if c := r.Spec.Strategy.Canary; c != nil {
		if err := add(c.StableService, validation.StableService); err != nil {
			return nil, err
		}
		if err := add(c.CanaryService, validation.CanaryService); err != nil {
			return nil, err
		}
		if c.PingPong != nil {
			if err := add(c.PingPong.PingService, validation.PingService); err != nil {
				return nil, err
			}
			if err := add(c.PingPong.PongService, validation.PongService); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// referencedAnalyses follows rollout/controller.go getReferencedRolloutAnalyses:
// blueGreen pre- then post-promotion; canary every analysis step in order,
// then the background analysis. Args are copied from the RolloutAnalysis as
// the controller does after getReferencedAnalysisTemplates.
func referencedAnalyses(s *specTree, r *v1alpha1.Rollout) ([]rolloutAnalysis, error) {
	var out []rolloutAnalysis
	add := func(label string, ra *v1alpha1.RolloutAnalysis, typ validation.AnalysisTemplateType, step int) error {
		fld := validation.GetAnalysisTemplateWithTypeFieldPath(typ, step)
		ts, cts, err := templatesFromRefs(s, r.Namespace, ra.Templates, fld)
		if err != nil {
			return err
		}
		out = append(out, rolloutAnalysis{
			label:  label,
			kind:   typ,
			source: ra,
			resolved: validation.AnalysisTemplatesWithType{
				AnalysisTemplates:        ts,
				ClusterAnalysisTemplates: cts,
				TemplateType:             typ,
				CanaryStepIndex:          step,
				Args:                     ra.Args,
			},
		})
		return nil
	}
	if bg := r.Spec.Strategy.BlueGreen; bg != nil {
		if bg.PrePromotionAnalysis != nil {
			if err := add("prePromotionAnalysis", bg.PrePromotionAnalysis, validation.PrePromotionAnalysis, 0); err != nil {
				return nil, err
			}
		}
		if bg.PostPromotionAnalysis != nil {
			if err := add("postPromotionAnalysis", bg.PostPromotionAnalysis, validation.PostPromotionAnalysis, 0); err != nil {
				return nil, err
			}
		}
	} else if c := r.Spec.Strategy.Canary; c != nil {
		for i, step := range c.Steps {
			if step.Analysis != nil {
				if err := add(fmt.Sprintf("steps[%d]", i), step.Analysis, validation.InlineAnalysis, i); err != nil {
					return nil, err
				}
			}
		}
		if c.Analysis != nil {
			if err := add("background", &c.Analysis.RolloutAnalysis, validation.BackgroundAnalysis, 0); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// templatesFromRefs follows rollout/controller.go
// getReferencedAnalysisTemplatesFromRef: namespaced templates from the
// Rollout's namespace, cluster templates by name, nested spec.templates
// followed, then analysisutil.FilterUniqueTemplates.
func templatesFromRefs(s *specTree, namespace string, refs []v1alpha1.AnalysisTemplateRef, fld *field.Path) ([]*v1alpha1.AnalysisTemplate, []*v1alpha1.ClusterAnalysisTemplate, error) {
	return templatesFromRefsDepth(s, namespace, refs, fld, 0)
}

func templatesFromRefsDepth(s *specTree, namespace string, refs []v1alpha1.AnalysisTemplateRef, fld *field.Path, depth int) ([]*v1alpha1.AnalysisTemplate, []*v1alpha1.ClusterAnalysisTemplate, error) {
	// The controller recurses without a bound; a cycle would hang it. Here a
	// cycle is reported instead of followed.
	if depth > 32 {
		return nil, nil, field.Invalid(fld, nil, "nested spec.templates deeper than 32 (a cycle?)")
	}
	templates := make([]*v1alpha1.AnalysisTemplate, 0)
	clusterTemplates := make([]*v1alpha1.ClusterAnalysisTemplate, 0)
	for _, ref := range refs {
		var nested []v1alpha1.AnalysisTemplateRef
		if ref.ClusterScope {
			t, ok := s.clusterTs[ref.TemplateName]
			if !ok {
				return nil, nil, field.Invalid(fld, ref.TemplateName, fmt.Sprintf("ClusterAnalysisTemplate '%s' not found", ref.TemplateName))
			}
			clusterTemplates = append(clusterTemplates, t)
			nested = t.Spec.Templates
		} else {
			t, ok := s.templates[nsKey(namespace, ref.TemplateName)]
			if !ok {
				return nil, nil, field.Invalid(fld, ref.TemplateName, fmt.Sprintf("AnalysisTemplate '%s' not found", ref.TemplateName))
			}
			templates = append(templates, t)
			nested = t.Spec.Templates
		}
		if nested != nil {
			inner, innerCluster, err := templatesFromRefsDepth(s, namespace, nested, field.NewPath("spec", "templates"), depth+1)
			if err != nil {
				return nil, nil, err
			}
			clusterTemplates = append(clusterTemplates, innerCluster...)
			templates = append(templates, inner...)
		}
	}
	t, ct := analysisutil.FilterUniqueTemplates(templates, clusterTemplates)
	return t, ct, nil
}

// referencedIngresses follows rollout/controller.go getReferencedIngresses:
// ALB ingress(es) or the nginx stable ingress(es).
func referencedIngresses(s *specTree, r *v1alpha1.Rollout) ([]ingressutil.Ingress, error) {
	c := r.Spec.Strategy.Canary
	if c == nil || c.TrafficRouting == nil {
		return nil, nil
	}
	var names []string
	var fld *field.Path
	base := field.NewPath("spec", "strategy", "canary", "trafficRouting")
	switch {
	case c.TrafficRouting.ALB != nil:
		if c.TrafficRouting.ALB.Ingresses != nil {
			names, fld = c.TrafficRouting.ALB.Ingresses, base.Child("alb", "ingresses")
		} else {
			names, fld = []string{c.TrafficRouting.ALB.Ingress}, base.Child("alb", "ingress")
		}
	case c.TrafficRouting.Nginx != nil:
		if c.TrafficRouting.Nginx.StableIngresses != nil {
			names, fld = c.TrafficRouting.Nginx.StableIngresses, base.Child("nginx", "StableIngresses")
		} else {
			names, fld = []string{c.TrafficRouting.Nginx.StableIngress}, base.Child("nginx", "stableIngress")
		}
	default:
		return nil, nil
	}
	var out []ingressutil.Ingress
	for _, n := range names {
		ing, ok := s.ingresses[nsKey(r.Namespace, n)]
		if !ok {
			// handleCacheError: NotFound becomes field.Invalid on the field.
			return nil, field.Invalid(fld, n, fmt.Sprintf("ingress %q not found", n))
		}
		out = append(out, *ingressutil.NewIngress(ing))
	}
	return out, nil
}
