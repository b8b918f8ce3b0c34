//! The phase graph as text: mermaid (for markdown: the runbook, PR
//! comments) and Graphviz DOT. One drawing, used by the runbook and by
//! `deployc graph`.

use crate::model::{Phase, Spec};

/// `title (anchor)`: how a phase is labelled in a drawing.
pub fn phase_label(p: &Phase) -> String {
    match &p.anchor {
        Some(a) => format!("{} ({})", p.title, a.text),
        None => p.title.clone(),
    }
}

/// A mermaid flowchart, top to bottom, one node per phase in graph order,
/// one edge per `after`. Ends with a line break.
pub fn mermaid(spec: &Spec, label: impl Fn(&Phase) -> String) -> String {
    let mut out = String::from("graph TD\n");
    for (i, p) in spec.phases.iter().enumerate() {
        let text = label(p).replace('"', "#quot;").replace(['\n', '\r'], " ");
        out.push_str(&format!("  p{i}[\"{text}\"]\n"));
    }
    for (i, p) in spec.phases.iter().enumerate() {
        for dep in &p.after {
            out.push_str(&format!("  p{} --> p{i}\n", dep.0));
        }
    }
    out
}

/// A Graphviz digraph with the same nodes and edges.
pub fn dot(spec: &Spec) -> String {
    let quote = |s: &str| format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""));
    let mut out = format!(
        "digraph {} {{\n  rankdir=TB;\n  node [shape=box];\n",
        quote(&spec.release.name)
    );
    for p in &spec.phases {
        out.push_str(&format!(
            "  {} [label={}];\n",
            quote(&p.name),
            quote(&phase_label(p))
        ));
    }
    for p in &spec.phases {
        for dep in &p.after {
            out.push_str(&format!(
                "  {} -> {};\n",
                quote(&spec.phase(*dep).name),
                quote(&p.name)
            ));
        }
    }
    out.push_str("}\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::sample;

    #[test]
    fn one_node_per_phase_one_edge_per_dependency() {
        let spec = sample::spec();
        let m = mermaid(&spec, phase_label);
        assert_eq!(
            m,
            "graph TD\n  p0[\"Pre-flight checks (T-60m)\"]\n  p1[\"Canary (T+0)\"]\n  p2[\"Gradual rollout (T+15m)\"]\n  p0 --> p1\n  p1 --> p2\n"
        );
        let d = dot(&spec);
        assert!(
            d.contains("  \"preflight\" -> \"canary\";\n  \"canary\" -> \"rollout\";\n"),
            "{d}"
        );
        assert!(d.contains("\"canary\" [label=\"Canary (T+0)\"];"), "{d}");
    }
}
