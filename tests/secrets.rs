//! E0801 by value as well as by name, in every string that reaches an
//! artifact, and `not_secret` (W0804 when it excuses nothing).

mod common;
use common::codes;

const RELEASE: &str = "release r { title \"R\"; version \"1.0.0\"; namespace \"r\" }\n";

/// A spec with `body` inside a service.
fn in_service(body: &str) -> String {
    format!("{RELEASE}service api {{\n  image \"a/b:1.0.0\"\n{body}\n}}\n")
}

/// Each of these passed on the old checker, which looked at env names only.
#[test]
fn literal_secrets_anywhere_are_errors() {
    let cases = [
        // By name.
        in_service("  env DB_PASS \"hunter2\""),
        in_service("  env AUTH \"Basic dXNlcjpwYXNz\""),
        in_service("  env ACCESS_KEY \"abc\""),
        in_service("  env GITHUB_PAT \"abc\""),
        // By value, whatever the name.
        in_service("  env DATABASE_URL \"postgres://app:hunter2@db:5432/app\""),
        in_service("  env NOTIFY \"https://hooks.slack.com/services/T00/B00/XXXX\""),
        in_service("  env SLACK \"xoxb-123456789012-abcdefghijkl\""),
        in_service("  env GH \"ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789\""),
        in_service("  env TLS \"\"\"\n    -----BEGIN PRIVATE KEY-----\n    MIIE\n  \"\"\""),
        in_service(
            "  config \"app.yml\" {\n    mount \"/etc/app\"\n    content \"\"\"\n      db:\n        password: hunter2\n    \"\"\"\n  }",
        ),
        in_service(
            "  storage { size 1Gi; mount \"/data\" }\n  backup {\n    schedule \"0 2 * * *\"\n    retain 7d\n    image \"a/backup:1.0.0\"\n    command \"PGPASSWORD=hunter2 pg_dump -h db app\"\n  }",
        ),
        format!(
            "{RELEASE}service api {{ image \"a/b:1.0.0\" }}\nphase p {{\n  check \"Seed\" run \"curl -H 'Authorization: Bearer 9fT2kLq8ZxV4mN7pR1sW6yB3cD5eG0hJ' http://api\"\n}}\n"
        ),
        format!(
            "{RELEASE}service api {{ image \"a/b:1.0.0\" }}\nphase p {{\n  canary 10%\n  gate smoke \"curl -u admin:hunter2 http://admin:hunter2@api/health\"\n}}\n"
        ),
        format!(
            "{RELEASE}contact ops {{\n  role \"Ops\"\n  chat \"https://hooks.slack.com/services/T00/B00/XXXX\"\n}}\nsignoff ops\n"
        ),
        format!(
            "{RELEASE}service api {{ image \"a/b:1.0.0\" }}\nrollback r1 {{\n  within 5m\n  step \"Restore\" run \"mysql --password s3cr3t app < dump.sql\"\n}}\n"
        ),
    ];
    for spec in &cases {
        assert!(codes(spec).contains(&"E0801"), "no E0801 for:\n{spec}");
    }
}

/// A variable named as a secret whose value also looks like one is one
/// mistake, reported once.
#[test]
fn one_report_per_variable() {
    let spec = in_service("  env DB_PASSWORD \"postgres://app:hunter2@db/app\"");
    assert_eq!(codes(&spec), vec!["E0801"]);
}

#[test]
fn not_secret_excuses_a_statement_and_its_block() {
    let excused = in_service(
        "  env DOCS_EXAMPLE \"postgres://user:example@db/app\" not_secret\n  config \"app.yml\" not_secret {\n    mount \"/etc/app\"\n    content \"password: example\"\n  }",
    );
    assert_eq!(codes(&excused), Vec::<&str>::new());
    let needless = in_service("  env LOG_LEVEL \"warn\" not_secret");
    assert_eq!(codes(&needless), vec!["W0804"]);
}

/// The word is taken away before lowering: a statement that takes no
/// arguments after its value still accepts it, and a list may end with a
/// name `not_secret` without it being the marker.
#[test]
fn not_secret_is_accepted_by_any_statement() {
    let spec = format!(
        "{RELEASE}service api {{ image \"a/b:1.0.0\" }}\nphase p {{\n  check \"Rotate\" run \"export API_TOKEN=abc123 && rotate\" not_secret\n}}\n"
    );
    assert_eq!(codes(&spec), Vec::<&str>::new());
}

#[test]
fn digests_hashes_and_references_are_not_secrets() {
    let spec = in_service(
        "  env IMAGE \"a/b@sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\"\n  env BUILD \"d41d8cd98f00b204e9800998ecf8427e\"\n  env REQUEST_ID \"550e8400-e29b-41d4-a716-446655440000\"\n  env DATABASE_URL \"postgres://app:${DB_PASSWORD}@db:5432/app\"\n  env TOKEN_TTL_SECONDS secret \"api\" \"ttl\"",
    );
    assert_eq!(codes(&spec), Vec::<&str>::new());
}

/// `not_secret` is an argument like any other for the formatter: kept in
/// place, after a string or a text block, and the layout is stable.
#[test]
fn the_formatter_keeps_not_secret() {
    let spec = in_service(
        "  env EXAMPLE   \"postgres://user:example@db/app\"   not_secret  # docs\n  config \"a.yml\" not_secret {\n    mount \"/etc/a\"\n    content \"\"\"\n      password: example\n    \"\"\"\n  }",
    );
    let once = deployc::fmt::format(&spec).expect("formats");
    assert!(once.contains("  env EXAMPLE \"postgres://user:example@db/app\" not_secret  # docs\n"));
    assert!(once.contains("  config \"a.yml\" not_secret {\n"));
    assert_eq!(deployc::fmt::format(&once).unwrap(), once);
    assert_eq!(codes(&once), Vec::<&str>::new());
}

/// Every scan is linear: adversarial strings of 60 KB (repeated token
/// prefixes, key headers on one line, secret keys with references for
/// values) check in well under a second even unoptimised.
#[test]
fn scanning_hostile_strings_stays_linear() {
    for unit in [
        "xoxb-",
        "ghp_",
        "-----BEGIN ",
        "password='$x ",
        "a://b:",
        "AKIA",
        "aB3",
    ] {
        let value = unit.repeat(60_000 / unit.len());
        let spec = in_service(&format!(
            "  config \"a.yml\" {{\n    mount \"/etc/a\"\n    content \"{value}\"\n  }}"
        ));
        let start = std::time::Instant::now();
        let _ = codes(&spec);
        let took = start.elapsed();
        assert!(took.as_secs_f64() < 1.0, "{unit:?}: {took:?}");
    }
}
