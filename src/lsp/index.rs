//! Where each name of a spec is declared and where it is referenced, for
//! go-to-definition and hover.
//!
//! Names are declared by the first argument of the top-level `service`,
//! `metric`, `phase`, `contact`, `severity` and `rollback` statements (the
//! first declaration wins, as in the checker). References are found by
//! position, mirroring what the checker resolves: `after` in a phase names
//! phases, `notify` in a trigger names contacts, and so on. An identifier in
//! any other place (`strategy canary`, `unit ratio`) is not a reference, even
//! when some item happens to share its name.

use crate::source::Span;
use crate::syntax::{Statement, SyntaxTree, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Service,
    Metric,
    Phase,
    Contact,
    Severity,
    Rollback,
}

impl Kind {
    /// How the kind is named to people.
    pub fn describe(self) -> &'static str {
        match self {
            Kind::Service => "service",
            Kind::Metric => "metric",
            Kind::Phase => "phase",
            Kind::Contact => "contact",
            Kind::Severity => "severity",
            Kind::Rollback => "rollback level",
        }
    }

    fn declared_by(keyword: &str) -> Option<Kind> {
        Some(match keyword {
            "service" => Kind::Service,
            "metric" => Kind::Metric,
            "phase" => Kind::Phase,
            "contact" => Kind::Contact,
            "severity" => Kind::Severity,
            "rollback" => Kind::Rollback,
            _ => return None,
        })
    }
}

/// A named item as declared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decl {
    pub kind: Kind,
    pub name: String,
    /// The name in `metric NAME {`.
    pub name_span: Span,
    /// The whole declaring statement, block included.
    pub stmt_span: Span,
}

/// A name written where an item of `kind` is expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ref {
    pub kind: Kind,
    pub name: String,
    pub span: Span,
}

/// What the identifier under the cursor is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target<'i> {
    /// A declared item, written at `span` (its declaration or a reference).
    Item { decl: &'i Decl, span: Span },
    /// A name in a place of `kind` that no declaration matches: a built-in
    /// severity, or a typo the diagnostics already report.
    Undeclared { r#ref: &'i Ref },
}

#[derive(Debug, Default)]
pub struct Index {
    pub decls: Vec<Decl>,
    pub refs: Vec<Ref>,
}

impl Index {
    pub fn build(tree: &SyntaxTree) -> Index {
        let mut ix = Index::default();
        for stmt in &tree.statements {
            ix.top_level(stmt);
        }
        ix
    }

    /// The declaration of `name` of `kind` (the first, when duplicated).
    pub fn decl(&self, kind: Kind, name: &str) -> Option<&Decl> {
        self.decls.iter().find(|d| d.kind == kind && d.name == name)
    }

    /// The name at byte `offset`, if it declares or references an item. The
    /// cursor may sit anywhere in the name or just after it.
    pub fn at(&self, offset: usize) -> Option<Target<'_>> {
        let hits = |s: Span| s.start <= offset && offset <= s.end;
        // Prefer a name the offset is strictly inside over one it just ends.
        let inside = |s: Span| s.start <= offset && offset < s.end;
        for matches in [&inside as &dyn Fn(Span) -> bool, &hits] {
            if let Some(d) = self.decls.iter().find(|d| matches(d.name_span)) {
                // A duplicate declaration points at the first one.
                let decl = self.decl(d.kind, &d.name).unwrap_or(d);
                return Some(Target::Item {
                    decl,
                    span: d.name_span,
                });
            }
            if let Some(r) = self.refs.iter().find(|r| matches(r.span)) {
                return Some(match self.decl(r.kind, &r.name) {
                    Some(decl) => Target::Item { decl, span: r.span },
                    None => Target::Undeclared { r#ref: r },
                });
            }
        }
        None
    }

    fn top_level(&mut self, stmt: &Statement) {
        let kw = stmt.keyword.text.as_str();
        if let Some(kind) = Kind::declared_by(kw) {
            if let Some((name, span)) = idents(stmt).next() {
                // Only a name written first declares; `severity 3` does not.
                if stmt.args.first().is_some_and(|a| a.span == span) {
                    self.decls.push(Decl {
                        kind,
                        name: name.to_string(),
                        name_span: span,
                        stmt_span: stmt.span,
                    });
                }
            }
        }
        match kw {
            // `escalation critical { ... }` handles a severity.
            "escalation" => self.first(stmt, Kind::Severity),
            "signoff" => self.all(stmt, Kind::Contact),
            "success" | "failure" => self.after_word(stmt, "when", Kind::Metric),
            _ => {}
        }
        for inner in stmt.block.iter().flat_map(|b| &b.statements) {
            self.inner(kw, inner);
        }
    }

    /// A statement inside the block of a top-level `parent`.
    fn inner(&mut self, parent: &str, stmt: &Statement) {
        match (parent, stmt.keyword.text.as_str()) {
            ("release", "owner") | ("phase", "owner") => self.first(stmt, Kind::Contact),
            ("escalation", "owner" | "then") => self.first(stmt, Kind::Contact),
            ("metric", "service") | ("environment", "service") => self.first(stmt, Kind::Service),
            ("phase", "after") => self.all(stmt, Kind::Phase),
            ("phase", "gate") => match stmt.args.first().map(|a| &a.value) {
                Some(Value::Ident(w)) if w == "approval" => self.all_after(stmt, 1, Kind::Contact),
                Some(Value::Ident(w)) if w == "smoke" || w == "http" => {}
                _ => self.first(stmt, Kind::Metric),
            },
            ("trigger", "when") => self.first(stmt, Kind::Metric),
            ("trigger", "severity") | ("rollback", "severity") => self.first(stmt, Kind::Severity),
            ("trigger", "notify") => self.all(stmt, Kind::Contact),
            ("trigger", "level") => self.first(stmt, Kind::Rollback),
            _ => {}
        }
    }

    /// The first argument, when it is a name.
    fn first(&mut self, stmt: &Statement, kind: Kind) {
        if let Some(arg) = stmt.args.first() {
            if let Value::Ident(name) = &arg.value {
                self.push(kind, name, arg.span);
            }
        }
    }

    /// Every name among the arguments (a comma-separated list).
    fn all(&mut self, stmt: &Statement, kind: Kind) {
        self.all_after(stmt, 0, kind);
    }

    fn all_after(&mut self, stmt: &Statement, skip: usize, kind: Kind) {
        for arg in stmt.args.iter().skip(skip) {
            if let Value::Ident(name) = &arg.value {
                self.push(kind, name, arg.span);
            }
        }
    }

    /// The name right after the word `word` among the arguments.
    fn after_word(&mut self, stmt: &Statement, word: &str, kind: Kind) {
        let mut args = stmt.args.iter();
        while let Some(arg) = args.next() {
            if matches!(&arg.value, Value::Ident(w) if w == word) {
                if let Some(next) = args.next() {
                    if let Value::Ident(name) = &next.value {
                        self.push(kind, name, next.span);
                    }
                }
                return;
            }
        }
    }

    fn push(&mut self, kind: Kind, name: &str, span: Span) {
        self.refs.push(Ref {
            kind,
            name: name.to_string(),
            span,
        });
    }
}

fn idents(stmt: &Statement) -> impl Iterator<Item = (&str, Span)> {
    stmt.args.iter().filter_map(|a| match &a.value {
        Value::Ident(n) => Some((n.as_str(), a.span)),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::parse;

    const SPEC: &str = r#"release shop {
  title "Shop"
  version "1"
  namespace "shop"
  owner lead
}
service api {
  image "example/api:1.0.0"
  port http 8080
  strategy canary
}
contact lead { role "Lead" }
contact oncall { role "On-call" }
metric errors {
  query "sum(rate(e[5m]))"
  unit ratio
  service api
  normal < 1%
}
rollback flag { severity minor; step "off" run "true" }
phase pre { at T-1h }
phase canary {
  at T+0
  after pre
  owner lead
  gate errors < 1% for 5m
  gate approval lead, oncall
  gate smoke "curl x"
}
trigger bad {
  when errors > 5% for 5m
  severity major
  notify oncall, lead
  level flag
  action rollback
}
escalation critical { owner oncall; then lead }
environment staging { service api { replicas 1 } }
success "fine" when errors < 1%
signoff lead
"#;

    fn index() -> Index {
        Index::build(&parse(SPEC).expect("the test spec parses"))
    }

    fn offset_of(needle: &str, nth: usize) -> usize {
        SPEC.match_indices(needle)
            .nth(nth)
            .unwrap_or_else(|| panic!("{needle:?} #{nth} not in the spec"))
            .0
    }

    fn refs(ix: &Index, kind: Kind, name: &str) -> usize {
        ix.refs
            .iter()
            .filter(|r| r.kind == kind && r.name == name)
            .count()
    }

    #[test]
    fn declarations_of_every_kind() {
        let ix = index();
        let names: Vec<(Kind, &str)> = ix.decls.iter().map(|d| (d.kind, d.name.as_str())).collect();
        assert_eq!(
            names,
            [
                (Kind::Service, "api"),
                (Kind::Contact, "lead"),
                (Kind::Contact, "oncall"),
                (Kind::Metric, "errors"),
                (Kind::Rollback, "flag"),
                (Kind::Phase, "pre"),
                (Kind::Phase, "canary"),
            ]
        );
        let errors = ix.decl(Kind::Metric, "errors").unwrap();
        assert_eq!(
            &SPEC[errors.name_span.start..errors.name_span.end],
            "errors"
        );
        assert!(SPEC[errors.stmt_span.start..errors.stmt_span.end].starts_with("metric errors {"));
        assert!(SPEC[errors.stmt_span.start..errors.stmt_span.end].ends_with('}'));
    }

    #[test]
    fn references_by_position() {
        let ix = index();
        // owner (release, phase), gate approval ×1, notify, then, signoff.
        assert_eq!(refs(&ix, Kind::Contact, "lead"), 6);
        // gate approval, notify, escalation owner.
        assert_eq!(refs(&ix, Kind::Contact, "oncall"), 3);
        // gate, when, success ... when.
        assert_eq!(refs(&ix, Kind::Metric, "errors"), 3);
        // metric's service, environment's service; not `port http`.
        assert_eq!(refs(&ix, Kind::Service, "api"), 2);
        assert_eq!(refs(&ix, Kind::Phase, "pre"), 1);
        // `strategy canary` is not a reference to the phase.
        assert_eq!(refs(&ix, Kind::Phase, "canary"), 0);
        assert_eq!(refs(&ix, Kind::Rollback, "flag"), 1);
        assert_eq!(refs(&ix, Kind::Severity, "minor"), 1);
        assert_eq!(refs(&ix, Kind::Severity, "major"), 1);
        assert_eq!(refs(&ix, Kind::Severity, "critical"), 1);
        // Nothing from `smoke`, `http`, `ratio`, `rollback` (the action).
        assert!(ix
            .refs
            .iter()
            .all(|r| !["smoke", "http", "ratio", "rollback"].contains(&r.name.as_str())));
    }

    #[test]
    fn at_resolves_a_reference_to_its_declaration() {
        let ix = index();
        let gate = offset_of("gate errors", 0) + "gate ".len();
        for cursor in [gate, gate + 3, gate + "errors".len()] {
            let Some(Target::Item { decl, span }) = ix.at(cursor) else {
                panic!("nothing at {cursor}");
            };
            assert_eq!((decl.kind, decl.name.as_str()), (Kind::Metric, "errors"));
            assert_eq!(span, Span::new(gate, gate + "errors".len()));
        }
        // The declaration's own name resolves to itself.
        let decl_at = offset_of("metric errors", 0) + "metric ".len();
        let Some(Target::Item { decl, .. }) = ix.at(decl_at + 1) else {
            panic!("nothing on the declaration");
        };
        assert_eq!(decl.name_span.start, decl_at);
    }

    #[test]
    fn at_finds_nothing_off_names() {
        let ix = index();
        assert_eq!(ix.at(offset_of("strategy canary", 0) + 10), None);
        assert_eq!(ix.at(offset_of("unit ratio", 0) + 6), None);
        assert_eq!(ix.at(offset_of("role", 0)), None);
    }

    #[test]
    fn builtin_severities_are_undeclared_references() {
        let ix = index();
        let at = offset_of("severity major", 0) + "severity ".len();
        assert!(matches!(
            ix.at(at),
            Some(Target::Undeclared { r#ref }) if r#ref.kind == Kind::Severity && r#ref.name == "major"
        ));
    }

    #[test]
    fn a_duplicate_points_at_the_first_declaration() {
        let text = "metric m { query \"up\"; unit count }\nmetric m { query \"up\"; unit count }\n";
        let ix = Index::build(&parse(text).unwrap());
        let second = text.rfind("m {").unwrap();
        let Some(Target::Item { decl, span }) = ix.at(second) else {
            panic!("nothing on the duplicate");
        };
        assert_eq!(decl.name_span.start, "metric ".len());
        assert_eq!(span.start, second);
    }
}
