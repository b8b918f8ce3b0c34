//! The targets a build can emit, one per emitter: all of them by default,
//! or the ones named with `deployc build --emit`, for a pipeline that only
//! wants, say, the Kubernetes objects and the dashboards.

use super::{alertmanager, grafana, kubernetes, prometheus, rollouts, runbook, OutputFile};
use crate::model::Spec;

/// One emitter, named after the folder (or file) it writes. Declared in
/// [`Target::ALL`] order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    Prometheus,
    Rollouts,
    Kubernetes,
    Grafana,
    Alertmanager,
    Runbook,
}

impl Target {
    /// Every target, in the order a spec's emitters are started: the
    /// runbook last, so that its templates (compiling on another thread
    /// since the build began, `runbook::prepare`) are ready when it is
    /// reached.
    pub const ALL: [Target; 6] = [
        Target::Prometheus,
        Target::Rollouts,
        Target::Kubernetes,
        Target::Grafana,
        Target::Alertmanager,
        Target::Runbook,
    ];

    /// The name on the command line and in the manifest's input hash.
    pub fn name(self) -> &'static str {
        match self {
            Target::Prometheus => "prometheus",
            Target::Rollouts => "rollouts",
            Target::Kubernetes => "kubernetes",
            Target::Grafana => "grafana",
            Target::Alertmanager => "alertmanager",
            Target::Runbook => "runbook",
        }
    }

    pub fn parse(name: &str) -> Option<Target> {
        Target::ALL.into_iter().find(|t| t.name() == name)
    }

    pub fn emit(self, spec: &Spec) -> Vec<OutputFile> {
        match self {
            Target::Prometheus => prometheus::emit(spec),
            Target::Rollouts => rollouts::emit(spec),
            Target::Kubernetes => kubernetes::emit(spec),
            Target::Grafana => grafana::emit(spec),
            Target::Alertmanager => alertmanager::emit(spec),
            Target::Runbook => runbook::emit(spec),
        }
    }

    /// Whether the target writes Kubernetes objects, which the
    /// `kustomization.yaml` files list.
    pub fn has_objects(self) -> bool {
        matches!(
            self,
            Target::Prometheus | Target::Rollouts | Target::Kubernetes
        )
    }

    /// The variants are declared in [`Target::ALL`] order, so the
    /// discriminant is the index.
    fn bit(self) -> u8 {
        1 << self as u8
    }
}

/// A set of targets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Targets(u8);

impl Targets {
    pub const ALL: Targets = Targets((1 << Target::ALL.len()) - 1);

    pub fn contains(self, target: Target) -> bool {
        self.0 & target.bit() != 0
    }

    /// The selected targets, in [`Target::ALL`] order.
    pub fn iter(self) -> impl Iterator<Item = Target> {
        Target::ALL.into_iter().filter(move |t| self.contains(*t))
    }

    /// What the selection adds to a spec's input hash: nothing for every
    /// target, else the names, so that a build with another selection
    /// never reuses this one's files.
    pub fn hash_key(self) -> String {
        if self == Targets::ALL {
            return String::new();
        }
        self.iter().map(Target::name).collect::<Vec<_>>().join(",")
    }
}

impl FromIterator<Target> for Targets {
    fn from_iter<I: IntoIterator<Item = Target>>(targets: I) -> Self {
        Targets(targets.into_iter().fold(0, |bits, t| bits | t.bit()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_parses_back_to_its_target() {
        for t in Target::ALL {
            assert_eq!(Target::parse(t.name()), Some(t));
        }
        assert_eq!(Target::parse("helm"), None);
    }

    #[test]
    fn a_selection_holds_what_it_was_made_of_and_keys_its_hash() {
        let some: Targets = [Target::Grafana, Target::Kubernetes].into_iter().collect();
        assert!(some.contains(Target::Grafana) && some.contains(Target::Kubernetes));
        assert!(!some.contains(Target::Runbook));
        assert_eq!(some.hash_key(), "kubernetes,grafana");
        assert_eq!(Target::ALL.into_iter().collect::<Targets>(), Targets::ALL);
        assert_eq!(Targets::ALL.hash_key(), "");
        // One bit a target: every single target is in ALL and no other.
        for t in Target::ALL {
            let one: Targets = [t].into_iter().collect();
            assert_eq!(one.iter().collect::<Vec<_>>(), [t]);
        }
    }
}
