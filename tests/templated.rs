//! `{{` in strings that reach a templating engine: escaped for
//! Alertmanager's Go text/template, refused (E0903) where Argo Rollouts
//! substitutes arguments.

use std::process::Command;

mod common;
use common::codes;

const RELEASE: &str = "release r { title \"R\"; version \"1.0.0\"; namespace \"r\" }\n";

/// argo-rollouts `utils/analysis` `ResolveMetricArgs` runs
/// `utils/template` `ResolveQuotedArgs` over the JSON of the whole metric:
/// a tag that is not a declared `args.NAME` fails the AnalysisRun ("failed
/// to resolve {{...}}"). These specs compiled before, into AnalysisTemplates
/// that declare no arguments.
#[test]
fn argo_placeholders_are_refused() {
    let service = "service api { image \"a/b:1.0.0\" }\n";
    let metric = |query: &str| {
        format!(
            "metric m {{\n  query \"{query}\"\n  unit ratio\n  normal < 1%\n  warning 1%..5%\n  critical > 5%\n}}\n"
        )
    };
    let phase = |gate: &str| format!("phase p {{\n  canary 10%\n  gate {gate}\n}}\n");
    let cases = [
        format!(
            "{RELEASE}{service}{}",
            phase("smoke \"curl -f http://api/{{args.path}}\"")
        ),
        format!(
            "{RELEASE}{service}{}",
            phase("http \"http://api/health?x={{inputs.x}}\"")
        ),
        format!(
            "{RELEASE}{service}{}{}",
            metric("sum(rate(errors_total{path=\\\"{{x}}\\\"}[5m]))"),
            phase("m < 1% for 5m")
        ),
        format!(
            "release r {{ title \"R\"; version \"1.0.0\"; namespace \"r\"; prometheus \"http://{{{{args.host}}}}:9090\" }}\n{service}"
        ),
    ];
    for spec in &cases {
        assert!(codes(spec).contains(&"E0903"), "no E0903 for:\n{spec}");
    }
    // A smoke gate's image is in the Job spec too: refused as an image.
    let image = format!(
        "{RELEASE}{service}{}",
        phase("smoke \"true\" image \"curlimages/curl:{{args.tag}}\"")
    );
    assert!(codes(&image).contains(&"E0803"), "{image}");
}

/// Alertmanager executes `to` (notify/email `Notify`: `tmpl(n.conf.To)`)
/// and a Slack `channel` (notify/slack `Notify`: `tmplText(n.conf.Channel)`)
/// as Go text/templates. Before, `{{` went in raw: `{{x}}` was an action
/// (and `{{` alone a parse error at notification time).
#[test]
fn contact_fields_are_escaped_for_alertmanager() {
    let email = "ops+{{team}}@example.com";
    let chat = "#ops-{{";
    let spec = format!(
        "{RELEASE}contact ops {{\n  role \"Ops\"\n  email \"{email}\"\n  chat \"{chat}\"\n}}\nsignoff ops\n"
    );
    let (_, checked) = deployc::check_bytes("t.deploy", spec.as_bytes());
    let model = checked.spec.expect("the spec checks");
    let files = deployc::emit::alertmanager::emit(&model);
    let config: serde_json::Value = serde_saphyr::from_str(&files[0].content).unwrap();
    let receiver = config["receivers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "ops")
        .unwrap();
    let to = receiver["email_configs"][0]["to"].as_str().unwrap();
    let channel = receiver["slack_configs"][0]["channel"].as_str().unwrap();
    assert_eq!(to, r#"ops+{{ "{{" }}team}}@example.com"#);
    assert_eq!(channel, r#"#ops-{{ "{{" }}"#);
    // With Go at hand, execute them as Alertmanager would.
    let go = ["/usr/local/go/bin/go", "go"]
        .into_iter()
        .find(|g| Command::new(g).arg("version").output().is_ok());
    let Some(go) = go else {
        eprintln!("go not found: escaping checked by value only");
        return;
    };
    let dir = std::env::temp_dir().join(format!("deployc-templated-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let program = format!(
        "package main\n\nimport (\n\t\"os\"\n\t\"text/template\"\n)\n\nfunc main() {{\n\tfor _, t := range []string{{{:?}, {:?}}} {{\n\t\ttemplate.Must(template.New(\"\").Parse(t)).Execute(os.Stdout, nil)\n\t\tos.Stdout.WriteString(\"\\n\")\n\t}}\n}}\n",
        to, channel
    );
    std::fs::write(dir.join("main.go"), program).unwrap();
    let out = Command::new(go)
        .arg("run")
        .arg("main.go")
        .current_dir(&dir)
        .env("GOFLAGS", "-mod=mod")
        .env("GO111MODULE", "off")
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("{email}\n{chat}\n")
    );
}
