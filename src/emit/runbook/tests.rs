use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::*;
use crate::model::{sample, Criterion, PhaseId, Template};
use serde_json::json;

fn render_spec(spec: &Spec) -> String {
    let files = emit(spec);
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].path, "runbook.md");
    files[0].content.clone()
}

fn runbook() -> String {
    render_spec(&sample::spec())
}

/// Lines outside fenced code blocks, with their 1-based numbers.
fn prose_lines(md: &str) -> Vec<(usize, &str)> {
    let mut fence: Option<String> = None;
    let mut out = Vec::new();
    for (i, line) in md.lines().enumerate() {
        let t = line.trim_start();
        let ticks: String = t.chars().take_while(|&c| c == '`').collect();
        match &fence {
            Some(f) if t == f.as_str() => fence = None,
            Some(_) => {}
            None if ticks.len() >= 3 => fence = Some(ticks),
            None => out.push((i + 1, line)),
        }
    }
    out
}

/// Every ATX heading's text.
fn headings(md: &str) -> Vec<String> {
    prose_lines(md)
        .into_iter()
        .filter_map(|(_, l)| {
            let hashes = l.chars().take_while(|&c| c == '#').count();
            (1..=6)
                .contains(&hashes)
                .then(|| l[hashes..].trim().to_string())
        })
        .collect()
}

/// The heading text as rendered (backslash escapes removed), for slugs.
fn unescape(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            out.extend(chars.next());
        } else {
            out.push(c);
        }
    }
    out
}

fn h2s(md: &str) -> Vec<String> {
    prose_lines(md)
        .into_iter()
        .filter_map(|(_, l)| l.strip_prefix("## ").map(str::to_string))
        .collect()
}

#[test]
fn starts_with_the_header_then_the_title() {
    let spec = sample::spec();
    let md = render_spec(&spec);
    assert!(md.starts_with(&header_markdown(&spec)));
    assert!(md.contains("\n\n# Runbook: Shop 2.0\n\n## Summary\n"));
}

#[test]
fn sections_come_in_order() {
    assert_eq!(
        h2s(&runbook()),
        [
            "Summary",
            "Phase graph",
            "Phases",
            "Triggers",
            "Severity mapping",
            "Thresholds",
            "Rollback levels",
            "Checklists",
            "Contacts",
            "Escalation",
            "Communication templates",
            "Success and failure criteria",
            "Sign-off",
            "Risks",
            "Alerts",
        ]
    );
}

#[test]
fn empty_sections_are_skipped() {
    let mut spec = sample::spec();
    spec.phases.clear();
    spec.triggers.clear();
    spec.metrics.iter_mut().for_each(|m| m.bands = None);
    spec.rollback_levels.clear();
    spec.checklists.clear();
    spec.escalations.clear();
    spec.templates.clear();
    spec.criteria.clear();
    spec.signoff.clear();
    spec.sections.clear();
    spec.environments.clear();
    let md = render_spec(&spec);
    assert_eq!(h2s(&md), ["Summary", "Severity mapping", "Contacts"]);
    assert!(!md.contains("```mermaid"));
    assert!(!md.contains("### Environments"));
}

#[test]
fn summary_table() {
    let md = runbook();
    for row in [
        "| Release | Shop 2.0 (`shop`) |",
        "| Version | 2.0.0 |",
        "| Namespace | `shop` |",
        "| Owner | Deployment Lead (Ana) |",
        "| Date | 2025-01-11 |",
        "| Estimated duration | 2 hours to 4 hours |",
        "| Service `api` | Argo Rollout, canary strategy, image `example/api:2.0.0` |",
        "| Service `store` | StatefulSet (not managed by Argo Rollouts), image `qdrant/qdrant:v1.12.0` |",
        "| Deployment type | Canary |",
    ] {
        assert!(md.contains(&format!("{row}\n")), "missing summary row {row}");
    }
    let mut spec = sample::spec();
    spec.release.description = Some("Multi-tenant\ncluster mode".into());
    assert!(render_spec(&spec).contains("| Description | Multi-tenant cluster mode |\n"));
}

#[test]
fn service_facts() {
    let md = runbook();
    for fact in [
        "- Liveness probe: GET `/health` on port 8080, first after 30 seconds, every 10 seconds, timeout 1 second, failing after 3 consecutive failures",
        "- Storage: 1Ti mounted at `/data`, storage class `fast-ssd`",
        "- Backup: schedule `0 2 * * *`, kept for 4 weeks 2 days, image `example/backup:1.0.0`, command `backup --target s3://backups/store`",
        "- Allowed sources (all other traffic is denied): `192.168.10.0/24`",
        "rate limit 1000 requests per minute per client",
        "`API_KEY` from secret `api-secrets` key `api-key`",
        "  ```yaml\n  server:\n    port: 8080\n  ```",
        "| staging | `shop-staging` | api: replicas 1, ingress host api.staging.example.com |",
    ] {
        assert!(md.contains(fact), "missing service fact {fact}");
    }
}

#[test]
fn every_fact_of_the_sample_appears() {
    let spec = sample::spec();
    let md = render_spec(&spec);
    let has = |text: &str, what: &str| assert!(md.contains(text), "missing {what}: {text}");
    for p in &spec.phases {
        has(
            &format!("### {}", escape_inline(&phase_heading(p))),
            "phase heading",
        );
        has(&escape_inline(&p.title), "phase title");
        for c in p.checks() {
            has(&format!("- [ ] {}", escape_inline(&c.text)), "check item");
            if let Some(cmd) = &c.command {
                has(&indent_lines(cmd, 2), "check command");
            }
        }
    }
    for (_, g) in spec.metric_gates() {
        let m = spec.metric(g.condition.metric);
        has(
            &format!(
                "`{} {} {}`",
                m.name,
                g.condition.op.as_str(),
                g.condition.threshold.text
            ),
            "gate threshold",
        );
        has(
            &format!("(compared as {})", g.condition.threshold.value_text()),
            "gate compared value",
        );
    }
    for t in &spec.triggers {
        has(&format!("| {} |", escape_inline(&t.title)), "trigger row");
        if let TriggerCondition::Observed(text) = &t.condition {
            has(
                &format!("Observed: {}", escape_inline(text)),
                "observed condition",
            );
        }
    }
    for c in &spec.contacts {
        has(&format!("| {} |", escape_inline(&c.role)), "contact role");
        for v in [&c.phone, &c.chat, &c.email, &c.pager]
            .into_iter()
            .flatten()
        {
            has(&escape_inline(v), "contact detail");
        }
    }
    for Template {
        title,
        subject,
        body,
        fields,
        ..
    } in &spec.templates
    {
        has(
            &format!("### Template: {}", escape_inline(title)),
            "template title",
        );
        if let Some(s) = subject {
            has(
                &format!("- Subject: {}", escape_inline(s)),
                "template subject",
            );
        }
        for f in fields {
            has(&format!("`{f}`"), "template field");
        }
        for line in body.lines() {
            has(&format!("\n{line}\n"), "template body line");
        }
    }
    for Criterion { title, .. } in &spec.criteria {
        has(&format!("- {}", escape_inline(title)), "criterion");
    }
    for l in &spec.rollback_levels {
        has(&escape_inline(&l.title), "rollback level");
        has(&format!("within {}", l.within.human()), "rollback budget");
        for s in &l.steps {
            has(
                &format!("- [ ] {}", escape_inline(&s.text)),
                "rollback step",
            );
            has(
                &indent_lines(s.command.as_deref().unwrap_or_default(), 2),
                "rollback command",
            );
        }
    }
    for c in &spec.checklists {
        for i in &c.items {
            has(
                &format!("- [ ] {}", escape_inline(&i.text)),
                "checklist item",
            );
        }
    }
    for &id in &spec.signoff {
        has(
            &format!(
                "| {} | {} |  |  |",
                spec.contact(id).role,
                spec.contact(id).person.as_deref().unwrap_or("")
            ),
            "sign-off",
        );
    }
    for s in &spec.sections {
        has(
            &format!("\n## {}\n\n{}\n", s.title, s.body.trim_end()),
            "section",
        );
    }
    for a in alerts(&spec) {
        has(&format!("\n### {}\n", a.runbook_heading()), "alert heading");
        has(&format!("- Expression: `{}`", a.expr()), "alert expression");
    }
}

#[test]
fn metric_gates_in_words() {
    let md = runbook();
    assert!(md.contains(
        "- [ ] Metric gate: `error_rate < 1%` (compared as 0.01) held for 15 minutes: measured every 1m, 16 measurements, \
         no failed measurement tolerated (failureLimit 0); no data → inconclusive: the rollout pauses for a person\n"
    ));
    assert!(md.contains("6 measurements, no failed measurement tolerated (failureLimit 0); no data → fail: the measurement fails and the rollout is aborted\n"));
    assert!(md.contains(
        "- [ ] Approval by Deployment Lead (Ana): the rollout pauses until they resume it\n"
    ));
    assert!(md.contains("- [ ] Smoke test: the command below must exit 0; it runs as a Job with image `curlimages/curl:8.5.0` and a timeout of 5 minutes\n"));
    assert!(md.contains("  ```bash\n  curl -f http://api:8080/health\n  ```\n"));
    assert!(md.contains(
        "- [ ] HTTP check: GET `http://api:8080/ready` must answer 200 within 10 seconds\n"
    ));
}

#[test]
fn traffic_in_words() {
    let mut spec = sample::spec();
    spec.phases[2].steps = vec![
        Step::Traffic(Traffic::Weight("12.5".parse().unwrap())),
        Step::Traffic(Traffic::Pods(3)),
        Step::Traffic(Traffic::Pods(1)),
        Step::Traffic(Traffic::Hold(Duration::from_mins(90))),
        Step::Traffic(Traffic::Pause),
        Step::Traffic(Traffic::Preview),
        Step::Traffic(Traffic::Promote),
    ];
    let md = render_spec(&spec);
    for words in [
        "- [ ] Shift 12.5% of traffic to the new version\n",
        "- [ ] Run 3 canary pods\n",
        "- [ ] Run 1 canary pod\n",
        "- [ ] Hold for 1 hour 30 minutes\n",
        "- [ ] Wait for a person to resume\n",
        "- [ ] Bring up the preview stack\n",
        "- [ ] Promote: switch the active service to the new version\n",
    ] {
        assert!(md.contains(words), "missing {words}");
    }
}

#[test]
fn triggers_and_their_compilation() {
    let md = runbook();
    assert!(md.contains(
        "| High error rate | `error_rate > 10%` for 5 minutes | major → warning | rollback | Platform On-call | \
         [Level 1: Version rollback](#level-1-version-rollback) |\n"
    ));
    assert!(md.contains(
        "| Data corruption detected | Observed: Data corruption detected | critical → critical | rollback | \
         Deployment Lead (Ana), Platform On-call |  |\n"
    ));
    assert!(md.contains("with `for: 5m` (5 minutes) on `error_rate > 10%` (compared as 0.1); background analysis aborts the rollout when `min_over_time` of `error_rate` over the last 5m"));
    let mut spec = sample::spec();
    if let TriggerCondition::Metric { condition, .. } = &mut spec.triggers[0].condition {
        condition.op = CompareOp::Lt;
    }
    spec.triggers[0].action = crate::model::Action::Notify;
    let md = render_spec(&spec);
    assert!(!md.contains("background analysis aborts the rollout when"));
    assert_eq!(window_fns(CompareOp::Lt), ["max_over_time"]);
    assert_eq!(window_fns(CompareOp::Ge), ["min_over_time"]);
}

#[test]
fn severity_threshold_escalation_tables() {
    let md = runbook();
    for row in [
        "| Spec severity | Alerting severity | Description |\n| --- | --- | --- |\n| critical | critical |  |\n| major | warning |  |\n| minor | info |  |\n",
        "| Error rate (`error_rate`) | ratio | \\< 1% | 1%..5% (alert on `>= 0.01` for 5 minutes) | \\> 5% (alert on `> 0.05` for 5 minutes) |\n",
        "| critical → critical | down | Platform On-call | 1 minute | Slack, call | Deployment Lead (Ana) |\n",
        "first route to Platform On-call with `continue: true`, second route to Deployment Lead (Ana) with `group_wait: 1m`",
        "| Deployment Lead | Ana | \\+1 555 0100 | @ana | ana@example.com |  |\n",
        "| Severity | Time budget | Data impact |\n| --- | --- | --- |\n| major → warning | within 15 minutes | none |\n",
    ] {
        assert!(md.contains(row), "missing {row}");
    }
}

#[test]
fn alert_anchors_resolve_to_headings() {
    let spec = sample::spec();
    let md = render_spec(&spec);
    let slugs: BTreeSet<String> = headings(&md).iter().map(|h| slug(&unescape(h))).collect();
    let all = alerts(&spec);
    assert_eq!(all.len(), 3);
    for a in &all {
        assert_eq!(a.runbook_anchor(), slug(&a.runbook_heading()));
        assert!(
            slugs.contains(&a.runbook_anchor()),
            "no heading for #{}",
            a.runbook_anchor()
        );
        assert_eq!(
            md.matches(&format!("\n### {}\n", a.runbook_heading()))
                .count(),
            1
        );
    }
    // Every in-document link resolves, and no two headings share a slug.
    for (n, line) in prose_lines(&md) {
        for part in line.split("](#").skip(1) {
            let anchor = &part[..part.find(')').expect("link closes")];
            assert!(slugs.contains(anchor), "line {n}: dangling link #{anchor}");
        }
    }
    assert_eq!(slugs.len(), headings(&md).len(), "duplicate headings");
}

#[test]
fn mermaid_graph_has_an_edge_per_after() {
    let spec = sample::spec();
    let md = render_spec(&spec);
    let start = md.find("```mermaid\ngraph TD\n").expect("mermaid block");
    let block = &md[start..];
    let block = &block[..block[3..].find("```").unwrap() + 3];
    let edges: Vec<&str> = block.lines().filter(|l| l.contains("-->")).collect();
    assert_eq!(
        edges.len(),
        spec.phases.iter().map(|p| p.after.len()).sum::<usize>()
    );
    for (i, p) in spec.phases.iter().enumerate() {
        assert!(block.contains(&format!("  p{i}[\"{}\"]\n", phase_heading(p))));
        for a in &p.after {
            assert!(
                edges.contains(&format!("  p{} --> p{i}", a.0).as_str()),
                "missing edge {} -> {}",
                a.0,
                i
            );
        }
    }
    let mut spec = sample::spec();
    spec.phases[2].after.push(PhaseId(0));
    spec.phases[2].title = "Say \"go\"".into();
    let md = render_spec(&spec);
    assert!(md.contains("  p0 --> p2\n"));
    assert!(md.contains("  p2[\"Say #quot;go#quot; (T+15m)\"]\n"));
}

#[test]
fn whitespace_is_clean() {
    let md = runbook();
    assert!(md.ends_with('\n') && !md.ends_with("\n\n"));
    for (n, line) in md.lines().enumerate() {
        assert_eq!(
            line,
            line.trim_end(),
            "trailing whitespace on line {}",
            n + 1
        );
        assert!(!line.contains('\t'), "tab on line {}", n + 1);
    }
    let prose = prose_lines(&md);
    for w in prose.windows(2) {
        assert!(
            !(w[0].1.is_empty() && w[1].1.is_empty() && w[1].0 == w[0].0 + 1),
            "double blank at line {}",
            w[1].0
        );
    }
}

#[test]
fn deterministic() {
    assert_eq!(runbook(), runbook());
    assert_eq!(emit(&sample::spec()), emit(&sample::spec()));
}

#[test]
fn verbatim_commands_and_bodies() {
    let mut spec = sample::spec();
    spec.phases[0].steps = vec![Step::Check(CheckItem {
        text: "Final backup".into(),
        command: Some(
            "curl -X POST http://x/snapshots\n\n\naws s3 cp a \\\n  s3://b   \necho ```".into(),
        ),
        details: vec!["Upload to S3".into(), "Verify | size".into()],
    })];
    spec.templates[0].body = "Line one\n\n\n```\ncode\n```\n".into();
    spec.sections[0].body = "\n\nText with trailing   \n\n\n\nMore\n\n".into();
    let md = render_spec(&spec);
    assert!(md.contains(
        "- [ ] Final backup\n  - Upload to S3\n  - Verify \\| size\n\n  ````bash\n  curl -X POST http://x/snapshots\n\n\n  aws s3 cp a \\\n    s3://b\n  echo ```\n  ````\n"
    ));
    assert!(md.contains("\n````text\nLine one\n\n\n```\ncode\n```\n````\n"));
    assert!(md.contains("\n## Risks\n\nText with trailing\n\nMore\n\n## Alerts\n"));
}

#[test]
fn table_cells_and_headings_are_escaped() {
    let mut spec = sample::spec();
    spec.release
        .facts
        .push(("Rollback | time".into(), "< 15 *minutes*".into()));
    spec.triggers[1].condition = TriggerCondition::Observed("a | b".into());
    spec.phases[0].title = "Checks: _all_ of them.".into();
    let md = render_spec(&spec);
    assert!(md.contains("| Rollback \\| time | \\< 15 \\*minutes\\* |\n"));
    assert!(md.contains("| Observed: a \\| b |"));
    assert!(md.contains("### Checks: \\_all\\_ of them (T-60m)\n"));
    assert!(md.contains("[Checks: \\_all\\_ of them (T-60m)](#checks-_all_-of-them-t-60m)"));
}

#[test]
fn inline_escaping() {
    assert_eq!(
        escape_inline("error_rate < 1% | x"),
        "error\\_rate \\< 1% \\| x"
    );
    assert_eq!(escape_inline("# not a heading"), "\\# not a heading");
    assert_eq!(escape_inline("1. not a list"), "1\\. not a list");
    assert_eq!(escape_inline("12.5 stays"), "12.5 stays");
    assert_eq!(escape_inline("R&D &amp;"), "R&D \\&amp;");
    assert_eq!(escape_inline("two\nlines"), "two lines");
    assert_eq!(code_span("a`b", false), "``a`b``");
    assert_eq!(code_span("`x", false), "`` `x ``");
    assert_eq!(code_span("a|b", true), "`a\\|b`");
    assert_eq!(fence_for("no ticks"), "```");
    assert_eq!(fence_for("has ```` four"), "`````");
    assert_eq!(
        tidy("a  \n\n\n\nb\n```\n\n\n```\n\n\n"),
        "a\n\nb\n```\n\n\n```\n"
    );
}

#[test]
fn join_escapes_each_item_apart() {
    let items = [json!("error_rate"), json!("-c"), json!(3), json!(null)];
    // `-c` is escaped as the start of a value: each item is escaped on its
    // own, as `{{this}}` would be, not the joined text as a whole.
    assert_eq!(
        join_items(&items, ", ", escape_inline),
        "error\\_rate, \\-c, 3, "
    );
    assert_eq!(
        join_items(&items[..2], " and ", |s| code_span(s, false)),
        "`error_rate` and `-c`"
    );
    assert_eq!(join_items(&[], ", ", escape_inline), "");
}

#[test]
fn optional_fields_absent_still_render() {
    let mut spec = sample::spec();
    spec.release.owner = None;
    spec.release.date = None;
    spec.release.duration = None;
    spec.release.runbook_url = Some("https://example.com/runbook.md".into());
    for s in &mut spec.services {
        s.description = None;
        s.cpu = None;
        s.memory = None;
        s.autoscale = None;
        s.disruption = None;
        s.ingress = None;
        s.ports.clear();
        s.probes.clear();
        s.env.clear();
        s.configs.clear();
    }
    for p in &mut spec.phases {
        p.owner = None;
        p.anchor = None;
        p.description = Some("Why this phase".into());
    }
    spec.triggers[0].rollback_level = None;
    spec.triggers[0].description = Some("Users see errors".into());
    spec.rollback_levels[0].severity = None;
    spec.templates[0].when = None;
    spec.templates[0].subject = None;
    spec.escalations[0].then = None;
    spec.escalations[0].description = None;
    let md = render_spec(&spec);
    assert!(md.contains(
        "### Canary\n\nWhy this phase\n\nDepends on: [Pre-flight checks](#pre-flight-checks)\n"
    ));
    assert!(md.contains("| Published at | `https://example.com/runbook.md` |\n"));
    assert!(md.contains("High error rate: Users see errors\n"));
    assert!(!md.contains("| Owner | Deployment"));
    lint(&md, "optional");
}

// ------------------------------------------------------------------ linting

fn linter() -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let candidates = [
        std::env::var_os("PYMARKDOWN").map(PathBuf::from),
        Some(root.join(".tools/venv/bin/pymarkdown")),
        Some(PathBuf::from("/work/main/.tools/venv/bin/pymarkdown")),
    ];
    candidates.into_iter().flatten().find(|p| p.is_file())
}

/// Runs pymarkdownlnt with the repository's `.pymarkdown.json` on `md`.
/// Set DEPLOYC_SKIP_MARKDOWNLINT=1 where the linter is not installed.
fn lint(md: &str, name: &str) {
    let Some(bin) = linter() else {
        assert!(
            std::env::var_os("DEPLOYC_SKIP_MARKDOWNLINT").is_some(),
            "pymarkdown not found: set PYMARKDOWN to its path, or DEPLOYC_SKIP_MARKDOWNLINT=1"
        );
        return;
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let file =
        std::env::temp_dir().join(format!("deployc-runbook-{name}-{}.md", std::process::id()));
    std::fs::write(&file, md).unwrap();
    let out = Command::new(bin)
        .arg("--config")
        .arg(root.join(".pymarkdown.json"))
        .arg("scan")
        .arg(&file)
        .output()
        .expect("pymarkdown runs");
    let _ = std::fs::remove_file(&file);
    assert!(
        out.status.success(),
        "markdownlint failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn passes_markdownlint() {
    lint(&runbook(), "sample");
}

#[test]
fn linter_catches_broken_markdown() {
    // The lint helper must be able to fail: a dangling link and two blank lines.
    if linter().is_none() {
        return;
    }
    let bad = "# T\n\n\n[x](#nowhere)\n";
    assert!(std::panic::catch_unwind(|| lint(bad, "bad")).is_err());
}

#[test]
fn the_escape_shortcut_agrees_with_every_rule() {
    // Each text the shortcut passes must be one the full escape leaves as
    // it is; the texts are every value in the seed runbooks' views plus
    // the edge cases of each rule.
    let mut texts: Vec<String> = [
        "Roll back now",
        "1. first",
        "1) first",
        "2024 plan",
        "# heading",
        "- item",
        "+1",
        "=x",
        "a_b",
        "a*b",
        "see https://x.io",
        "ftp://x",
        " padded",
        "padded ",
        "two\nlines",
        "a & b",
        "&amp;",
        "a|b",
        "<b>",
        "[x]",
        "~x",
        "`x`",
        "back\\slash",
        "P99 > 1s",
        "h",
        "http",
        "Level 1: Version rollback",
        "ok. 2) then",
        "",
        "\u{b}vertical tab",
        "non-breaking\u{a0}",
        "\u{3000}ideographic space",
        "see docs://x",
        "a:/b",
        "ends with:",
        ":",
        "x:/",
    ]
    .map(String::from)
    .to_vec();
    for path in crate::build::collect_specs(&[PathBuf::from("specs")]).unwrap() {
        let text = std::fs::read_to_string(&path).unwrap();
        texts.extend(text.lines().flat_map(|l| l.split('"')).map(str::to_string));
    }
    let mut passed = 0;
    for t in &texts {
        if needs_no_escape(t) {
            passed += 1;
            assert_eq!(escape_every(t), *t, "the shortcut passed {t:?}");
        }
        assert_eq!(escape_inline(t), escape_every(t), "{t:?}");
    }
    assert!(
        passed > 100,
        "the shortcut should take most texts, took {passed}"
    );
}

#[test]
fn include_renders_a_template_in_the_current_context_and_refuses_an_unknown_one() {
    let mut hb = handlebars::Handlebars::new();
    hb.set_strict_mode(true);
    hb.register_helper("include", Box::new(Include));
    hb.register_template_string("row", "- {{name}}\n").unwrap();
    hb.register_template_string(
        "list",
        "{{#each items}}\n{{include \"row\"~}}\n{{/each}}\nend\n",
    )
    .unwrap();
    hb.register_template_string("broken", "{{include \"missing\"}}")
        .unwrap();
    let data = serde_json::json!({"items": [{"name": "a"}, {"name": "b"}]});
    // As `{{> row}}` on a line of its own would render it: no blank lines.
    assert_eq!(hb.render("list", &data).unwrap(), "- a\n- b\nend\n");
    assert!(hb.render("broken", &data).is_err());
}
