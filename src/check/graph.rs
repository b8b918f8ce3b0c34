//! The phase graph: `after` edges must form a DAG; anchors must agree with
//! the order; phases that add rollout steps must run one after another, with
//! weights that never go down; traffic steps must fit the services'
//! strategies. Returns the phases in graph order (ties in source order).

use std::collections::{BTreeSet, HashMap};

use petgraph::algo::tarjan_scc;
use petgraph::graph::{DiGraph, NodeIndex};

use super::items::phase::Lowered;
use super::Ctx;
use crate::diagnostics::{Code, Diagnostic};
use crate::model::*;
use crate::source::Span;
use crate::syntax::Statement;

pub fn order_and_check(
    stmts: &[&Statement],
    lowered: Vec<Lowered>,
    services: &[Service],
    ctx: &mut Ctx,
) -> Vec<Phase> {
    let n = lowered.len();
    let name_span = |i: usize| {
        stmts[i]
            .args
            .first()
            .map_or(stmts[i].keyword.span, |a| a.span)
    };

    // Edge phase → dependency, labelled with the span of the `after` argument.
    let mut graph: DiGraph<usize, Span> = DiGraph::new();
    let nodes: Vec<NodeIndex> = (0..n).map(|i| graph.add_node(i)).collect();
    for (i, l) in lowered.iter().enumerate() {
        for &(dep, span) in &l.after {
            if dep < n {
                graph.add_edge(nodes[i], nodes[dep], span);
            }
        }
    }
    if report_cycles(&graph, &lowered, ctx) {
        return lowered.into_iter().map(|l| l.phase).collect();
    }

    let order = topological(&lowered);
    let position: Vec<usize> = {
        let mut p = vec![0; n];
        for (pos, &i) in order.iter().enumerate() {
            p[i] = pos;
        }
        p
    };

    check_anchors(&order, &lowered, ctx);
    check_traffic(&order, &lowered, &name_span, services, ctx);

    let mut slots: Vec<Option<Lowered>> = lowered.into_iter().map(Some).collect();
    order
        .iter()
        .map(|&i| {
            let l = slots[i].take().expect("each phase is placed once");
            let mut phase = l.phase;
            phase.after = l
                .after
                .iter()
                .map(|&(dep, _)| PhaseId(position[dep]))
                .collect();
            phase
        })
        .collect()
}

/// E0501 per strongly connected component that is a cycle; true if any.
fn report_cycles(graph: &DiGraph<usize, Span>, lowered: &[Lowered], ctx: &mut Ctx) -> bool {
    let mut found = false;
    let mut sccs = tarjan_scc(graph);
    sccs.sort_by_key(|c| c.iter().map(|n| graph[*n]).min());
    for scc in sccs {
        let members: BTreeSet<usize> = scc.iter().map(|n| graph[*n]).collect();
        let start = *members.iter().next().expect("components are never empty");
        let self_loop = lowered[start].after.iter().any(|&(d, _)| d == start);
        if members.len() < 2 && !self_loop {
            continue;
        }
        found = true;
        // Walk `after` edges inside the component until back at the start.
        let mut path = vec![start];
        let mut spans = Vec::new();
        let mut at = start;
        let mut visited = BTreeSet::new();
        loop {
            let next = lowered[at]
                .after
                .iter()
                .filter(|(d, _)| members.contains(d))
                .min_by_key(|(d, _)| if *d == start { 0 } else { 1 + *d });
            let Some(&(next, span)) = next else { break };
            spans.push(span);
            path.push(next);
            if next == start || !visited.insert(next) {
                break;
            }
            at = next;
        }
        let names: Vec<String> = path
            .iter()
            .map(|&i| format!("`{}`", lowered[i].phase.name))
            .collect();
        let mut d = Diagnostic::new(
            Code::Cycle,
            spans[0],
            format!(
                "phases depend on each other in a cycle: {}",
                names.join(" runs after ")
            ),
            format!(
                "`{}` waits for `{}` here",
                lowered[start].phase.name, lowered[path[1]].phase.name
            ),
        );
        for (k, span) in spans.iter().enumerate().skip(1) {
            d = d.related(
                *span,
                format!(
                    "`{}` waits for `{}` here",
                    lowered[path[k]].phase.name,
                    lowered[path[k + 1]].phase.name
                ),
            );
        }
        ctx.d.push(d);
    }
    found
}

/// Kahn's algorithm, always taking the earliest-declared ready phase, so
/// the order is deterministic and follows the source where it can.
fn topological(lowered: &[Lowered]) -> Vec<usize> {
    let n = lowered.len();
    let mut waiting: Vec<usize> = lowered
        .iter()
        .map(|l| l.after.iter().map(|a| a.0).collect::<BTreeSet<_>>().len())
        .collect();
    let mut dependents: HashMap<usize, Vec<usize>> = HashMap::new();
    for (i, l) in lowered.iter().enumerate() {
        for dep in l.after.iter().map(|a| a.0).collect::<BTreeSet<_>>() {
            dependents.entry(dep).or_default().push(i);
        }
    }
    let mut ready: BTreeSet<usize> = (0..n).filter(|&i| waiting[i] == 0).collect();
    let mut order = Vec::with_capacity(n);
    while let Some(i) = ready.pop_first() {
        order.push(i);
        for &j in dependents.get(&i).map_or(&[][..], Vec::as_slice) {
            waiting[j] -= 1;
            if waiting[j] == 0 {
                ready.insert(j);
            }
        }
    }
    order
}

/// E0502: a phase anchored before a phase it (transitively) comes after.
fn check_anchors(order: &[usize], lowered: &[Lowered], ctx: &mut Ctx) {
    // The latest anchor among each phase's ancestors, and whose it is.
    let mut latest: Vec<Option<(i64, usize)>> = vec![None; lowered.len()];
    for &i in order {
        let inherited = lowered[i]
            .after
            .iter()
            .filter_map(|&(dep, _)| {
                let own = lowered[dep]
                    .phase
                    .anchor
                    .as_ref()
                    .map(|a| (a.offset_millis, dep));
                own.max(latest[dep])
            })
            .max();
        if let (Some(anchor), Some((limit, from))) = (&lowered[i].phase.anchor, inherited) {
            if anchor.offset_millis < limit {
                let from_anchor = lowered[from]
                    .phase
                    .anchor
                    .as_ref()
                    .map_or(String::new(), |a| a.text.clone());
                let mut d = Diagnostic::new(
                    Code::AnchorContradiction,
                    lowered[i].anchor_span.unwrap_or_default(),
                    format!(
                        "`{}` is anchored at {} but comes after `{}`, anchored at {}",
                        lowered[i].phase.name, anchor.text, lowered[from].phase.name, from_anchor
                    ),
                    "earlier than a phase it depends on",
                );
                if let Some(span) = lowered[from].anchor_span {
                    d = d.related(
                        span,
                        format!("`{}` is anchored here", lowered[from].phase.name),
                    );
                }
                ctx.d
                    .push(d.help("move the anchor later, or remove the dependency"));
            }
        }
        latest[i] = inherited.max(
            lowered[i]
                .phase
                .anchor
                .as_ref()
                .map(|a| (a.offset_millis, i)),
        );
    }
}

fn check_traffic(
    order: &[usize],
    lowered: &[Lowered],
    name_span: &dyn Fn(usize) -> Span,
    services: &[Service],
    ctx: &mut Ctx,
) {
    let n = lowered.len();
    // ancestors[i][j]: phase j must finish before phase i starts.
    let mut ancestors = vec![vec![false; n]; n];
    for &i in order {
        for &(dep, _) in &lowered[i].after {
            ancestors[i][dep] = true;
            let inherited = ancestors[dep].clone();
            for (j, yes) in inherited.into_iter().enumerate() {
                ancestors[i][j] |= yes;
            }
        }
    }
    // Phases that add steps to the Rollout (traffic, holds, pauses, gates):
    // their order decides the order of the steps, so it must be defined.
    let rollout_phases: Vec<usize> = order
        .iter()
        .copied()
        .filter(|&i| {
            lowered[i]
                .phase
                .steps
                .iter()
                .any(|s| matches!(s, Step::Traffic(_) | Step::Gate(_)))
        })
        .collect();
    for (k, &b) in rollout_phases.iter().enumerate() {
        for &a in &rollout_phases[..k] {
            if !ancestors[b][a] && !ancestors[a][b] {
                ctx.d.push(
                    Diagnostic::new(
                        Code::ParallelTraffic,
                        name_span(b),
                        format!(
                            "`{}` and `{}` both add rollout steps (traffic, holds or gates) and may run at the same time",
                            lowered[b].phase.name, lowered[a].phase.name
                        ),
                        "adds rollout steps",
                    )
                    .related(name_span(a), "also adds rollout steps")
                    .help(format!(
                        "add `after {}` to `{}` (or the reverse)",
                        lowered[a].phase.name, lowered[b].phase.name
                    )),
                );
            }
        }
    }

    let rollouts: Vec<&Service> = services
        .iter()
        .filter(|s| s.workload() == WorkloadKind::Rollout)
        .collect();
    let blue_green = rollouts.iter().find(|s| s.strategy == Strategy::BlueGreen);
    let canary = rollouts.iter().find(|s| s.strategy == Strategy::Canary);
    let mut last_weight: Option<(Decimal, Span)> = None;
    if let (Some(bg), None) = (blue_green, canary) {
        blue_green_waits(bg, &rollout_phases, lowered, ctx);
    }
    for &i in &rollout_phases {
        for (step, &span) in lowered[i].phase.steps.iter().zip(&lowered[i].step_spans) {
            let Step::Traffic(t) = step else { continue };
            let needs = match t {
                Traffic::Weight(_) | Traffic::Pods(_) => {
                    Some(("canary", blue_green.map(|s| &s.name)))
                }
                Traffic::Preview | Traffic::Promote => {
                    Some(("blue_green", canary.map(|s| &s.name)))
                }
                _ => None,
            };
            if let Some((strategy, Some(conflict))) = needs {
                ctx.d.push(
                    Diagnostic::new(
                        Code::StrategyMismatch,
                        span,
                        format!("this step needs `strategy {strategy}`, but service `{conflict}` rolls out differently"),
                        "does not fit every service",
                    )
                    .help("phases apply to every service that runs as a Rollout; give them one strategy"),
                );
            }
            if needs.is_some() && rollouts.is_empty() {
                ctx.d.push(
                    Diagnostic::new(Code::StrategyMismatch, span, "a traffic step, but no service runs as a Rollout", "nothing to shift")
                        .help("services with `storage` run as StatefulSets; traffic steps need a service without storage"),
                );
            }
            // Without traffic routing, `canary N pods` is the weight that
            // gives N pods (one pod of one replica is 100%): the largest
            // over the canary services, since each runs every step.
            let weight = match t {
                Traffic::Weight(w) => Some(*w),
                Traffic::Pods(n) => rollouts
                    .iter()
                    .filter(|s| s.strategy == Strategy::Canary)
                    .filter_map(|s| s.pods_weight(*n))
                    .max()
                    .map(Decimal::from),
                _ => None,
            };
            if let Some(w) = &weight {
                if let Some((prev, prev_span)) = last_weight {
                    if *w < prev {
                        ctx.d.push(
                            Diagnostic::new(
                                Code::WeightDecreases,
                                span,
                                format!(
                                    "traffic goes down from {}% to {}%",
                                    decimal_text(prev),
                                    decimal_text(*w)
                                ),
                                "lower than the step before",
                            )
                            .related(prev_span, format!("{}% here", decimal_text(prev))),
                        );
                    }
                }
                last_weight = Some((*w, span));
            }
        }
    }
}

/// E0506: what Argo's blue-green strategy cannot honour. It brings the
/// preview up as soon as the Rollout changes, and can wait for a person
/// once, between preview and promotion (`autoPromotionEnabled: false`, one
/// `kubectl argo rollouts promote`): an approval or pause before `preview`,
/// after `promote`, or a second one, would be silently merged into that one
/// wait.
fn blue_green_waits(service: &Service, phases: &[usize], lowered: &[Lowered], ctx: &mut Ctx) {
    let (mut previewed, mut promoted) = (false, false);
    let mut first_wait: Option<Span> = None;
    for &i in phases {
        for (step, &span) in lowered[i].phase.steps.iter().zip(&lowered[i].step_spans) {
            let waits = match step {
                Step::Traffic(Traffic::Preview) => {
                    previewed = true;
                    false
                }
                Step::Traffic(Traffic::Promote) => {
                    promoted = true;
                    false
                }
                Step::Traffic(Traffic::Pause) | Step::Gate(Gate::Approval { .. }) => true,
                _ => false,
            };
            if !waits {
                continue;
            }
            let (message, label) = if !previewed {
                (
                    format!(
                        "blue-green service `{}` cannot wait before `preview`",
                        service.name
                    ),
                    "Argo brings the preview up at once",
                )
            } else if promoted {
                (
                    format!(
                        "blue-green service `{}` cannot wait after `promote`",
                        service.name
                    ),
                    "the new version already serves",
                )
            } else if first_wait.is_some() {
                (
                    format!(
                        "blue-green service `{}` waits for a person only once",
                        service.name
                    ),
                    "a second wait",
                )
            } else {
                first_wait = Some(span);
                continue;
            };
            let mut d = Diagnostic::new(Code::BlueGreenCannot, span, message, label).help(
                "put one approval or pause between `preview` and `promote`: Argo pauses there until `kubectl argo rollouts promote`",
            );
            if let Some(first) = first_wait {
                d = d.related(first, "the one wait Argo makes");
            }
            ctx.d.push(d);
        }
    }
}
