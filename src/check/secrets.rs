//! E0801: secrets written in the spec, found by the variable's name and by
//! the value itself, in every string of the spec (every string reaches an
//! artifact: a manifest, a ConfigMap, a Job's command, an AnalysisTemplate,
//! the Alertmanager config or the runbook).
//!
//! A statement ending with the word `not_secret` says that its strings (and
//! those of its block) are not secrets: [`strip_not_secret`] takes the word
//! away before the statement is lowered, so every statement accepts it, and
//! [`scan`] skips what it covers. `not_secret` where nothing looks secret is
//! W0804, so the word never outlives the value it excused.
//!
//! Every scan is linear in the length of the string: a fixed set of
//! substring searches and one pass over its tokens.

use std::borrow::Cow;

use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::source::Span;
use crate::syntax::{Arg, Block, Statement, SyntaxTree, Value};

/// The word that ends a statement whose strings are not secrets.
pub const NOT_SECRET: &str = "not_secret";

/// What was found in a string, and where (byte range in the string).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub what: &'static str,
    pub start: usize,
    pub end: usize,
    kind: Kind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Token,
    Webhook,
    UrlPassword,
    PrivateKey,
    KeyValue,
    Entropy,
}

/// Names that hold secrets by convention, anywhere in the name.
const SECRET_WORDS: &[&str] = &[
    "SECRET",
    "PASSWORD",
    "PASSWD",
    "TOKEN",
    "API_KEY",
    "APIKEY",
    "PRIVATE_KEY",
    "CREDENTIAL",
];

/// Words that hold secrets when they end the name (`DB_PASS`, `AUTH`,
/// `GITHUB_PAT`): anywhere else they mean something else (`PASS_THROUGH`,
/// `AUTH_MODE`, `PATH`).
const SECRET_LAST_WORDS: &[&str] = &["PASS", "PWD", "AUTH", "PAT", "DSN"];

/// `KEY` is a secret after these words (`ACCESS_KEY`, `SIGNING_KEY`), not
/// after others (`CACHE_KEY`, `PARTITION_KEY`).
const KEY_QUALIFIERS: &[&str] = &[
    "ACCESS",
    "API",
    "SECRET",
    "PRIVATE",
    "SIGNING",
    "ENCRYPTION",
    "MASTER",
    "CLIENT",
    "LICENSE",
];

/// The secret word a name carries, if any: `DB_PASS` → `PASS`.
pub fn secret_name(name: &str) -> Option<&'static str> {
    let upper = name.to_ascii_uppercase();
    if let Some(w) = SECRET_WORDS.iter().find(|w| upper.contains(*w)) {
        return Some(w);
    }
    let words: Vec<&str> = upper
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let last = *words.last()?;
    if let Some(w) = SECRET_LAST_WORDS.iter().find(|w| **w == last) {
        return Some(w);
    }
    if last == "KEY" && words.len() >= 2 && KEY_QUALIFIERS.contains(&words[words.len() - 2]) {
        return Some("KEY");
    }
    None
}

/// Keys of `key: value`, `key=value` and `--key value` pairs whose value is a
/// secret: the name must *end* with a secret word, so `password_file` and
/// `token_expiry` are not (their values are a path and a number).
fn secret_key(key: &str) -> bool {
    let upper = key.to_ascii_uppercase();
    let upper = upper.trim_start_matches('-');
    const ENDS: &[&str] = &[
        "PASSWORD",
        "PASSWD",
        "PASS",
        "PWD",
        "SECRET",
        "TOKEN",
        "APIKEY",
        "API_KEY",
        "API-KEY",
        "ACCESS_KEY",
        "SECRET_KEY",
        "PRIVATE_KEY",
        "CREDENTIALS",
    ];
    ENDS.iter().any(|e| {
        upper.strip_suffix(e).is_some_and(|head| {
            // A whole word: `PGPASSWORD` and `DB_PASS` yes, `BYPASS` no.
            head.is_empty()
                || head.ends_with(['_', '-', '.'])
                || matches!(*e, "PASSWORD" | "PASSWD" | "SECRET" | "TOKEN")
        })
    })
}

/// Known token formats: prefix, least number of characters after it, and
/// what it is. The characters after it are letters, digits, `_` and `-`.
const PREFIXES: &[(&str, usize, &str)] = &[
    ("xoxb-", 10, "a Slack bot token"),
    ("xoxp-", 10, "a Slack user token"),
    ("xoxa-", 10, "a Slack app token"),
    ("xoxr-", 10, "a Slack refresh token"),
    ("xoxs-", 10, "a Slack session token"),
    ("github_pat_", 20, "a GitHub personal access token"),
    ("ghp_", 20, "a GitHub personal access token"),
    ("gho_", 20, "a GitHub OAuth token"),
    ("ghu_", 20, "a GitHub user token"),
    ("ghs_", 20, "a GitHub server token"),
    ("ghr_", 20, "a GitHub refresh token"),
    ("glpat-", 20, "a GitLab personal access token"),
    ("sk_live_", 16, "a Stripe secret key"),
    ("rk_live_", 16, "a Stripe restricted key"),
    ("AIza", 35, "a Google API key"),
];

/// Webhook URLs: whoever has the URL can post.
const WEBHOOKS: &[(&str, &str)] = &[
    ("hooks.slack.com/services/", "a Slack webhook URL"),
    ("hooks.slack.com/workflows/", "a Slack webhook URL"),
    ("discord.com/api/webhooks/", "a Discord webhook URL"),
    ("discordapp.com/api/webhooks/", "a Discord webhook URL"),
];

fn token_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

/// The end of the run of token characters from `from`.
fn token_end(s: &[u8], from: usize) -> usize {
    from + s[from..].iter().take_while(|b| token_char(**b)).count()
}

fn known_token(value: &str) -> Option<Finding> {
    let s = value.as_bytes();
    for (prefix, least, what) in PREFIXES {
        // A run of token characters is measured once: a later match inside
        // it ends where it ends, with fewer characters (`xoxb-xoxb-...`
        // stays linear).
        let mut measured_until = 0;
        for (at, _) in value.match_indices(prefix) {
            if at < measured_until || (at > 0 && s[at - 1].is_ascii_alphanumeric()) {
                continue;
            }
            let end = token_end(s, at + prefix.len());
            measured_until = end;
            if end - at - prefix.len() >= *least {
                return Some(Finding {
                    what,
                    start: at,
                    end,
                    kind: Kind::Token,
                });
            }
        }
    }
    // AWS access key ids: `AKIA`/`ASIA` and 16 capitals or digits, alone.
    for prefix in ["AKIA", "ASIA"] {
        for (at, _) in value.match_indices(prefix) {
            let end = at + 20;
            let whole = s.get(at + 4..end).is_some_and(|t| {
                t.iter()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
            });
            let bounded = (at == 0 || !s[at - 1].is_ascii_alphanumeric())
                && s.get(end).is_none_or(|b| !b.is_ascii_alphanumeric());
            if whole && bounded {
                return Some(Finding {
                    what: "an AWS access key id",
                    start: at,
                    end,
                    kind: Kind::Token,
                });
            }
        }
    }
    None
}

fn webhook(value: &str) -> Option<Finding> {
    for (host, what) in WEBHOOKS {
        if let Some(at) = value.find(host) {
            let tail = at + host.len();
            let end = tail
                + value[tail..]
                    .bytes()
                    .take_while(|b| !b.is_ascii_whitespace() && !matches!(b, b'"' | b'\''))
                    .count();
            // The bare host with nothing after it names no hook.
            if end > tail {
                let start = value[..at].rfind("https://").unwrap_or(at);
                return Some(Finding {
                    what,
                    start,
                    end,
                    kind: Kind::Webhook,
                });
            }
        }
    }
    None
}

/// A value that stands for a secret rather than being one: `$DB_PASSWORD`,
/// `${TOKEN}`, `$(cat /run/secrets/x)`, `{{ .password }}`, `<password>`,
/// `****`, a file path.
fn is_reference(v: &str) -> bool {
    v.is_empty()
        || v.starts_with(['$', '{', '<', '/', '%'])
        || v.bytes().all(|b| b == b'*' || b == b'x' || b == b'X')
}

/// `scheme://user:password@host`: the password's range.
fn url_password(value: &str) -> Option<Finding> {
    for (at, _) in value.match_indices("://") {
        let auth_start = at + 3;
        let auth_end = auth_start
            + value[auth_start..]
                .bytes()
                .take_while(|b| {
                    !b.is_ascii_whitespace()
                        && !matches!(b, b'/' | b'?' | b'#' | b'"' | b'\'' | b'`' | b'>')
                })
                .count();
        let authority = &value[auth_start..auth_end];
        let Some(userinfo_end) = authority.rfind('@') else {
            continue;
        };
        let userinfo = &authority[..userinfo_end];
        let Some(colon) = userinfo.find(':') else {
            continue;
        };
        let password = &userinfo[colon + 1..];
        if !is_reference(password) {
            let start = auth_start + colon + 1;
            return Some(Finding {
                what: "a password in a URL",
                start,
                end: start + password.len(),
                kind: Kind::UrlPassword,
            });
        }
    }
    None
}

fn private_key(value: &str) -> Option<Finding> {
    // Line by line, each searched twice at most: linear however many
    // `-----BEGIN ` a line holds.
    let mut line_start = 0;
    for line in value.split_inclusive('\n') {
        if let Some(b) = line.find("-----BEGIN ") {
            if let Some(i) = line[b..].find("PRIVATE KEY-----") {
                return Some(Finding {
                    what: "a private key",
                    start: line_start + b,
                    end: line_start + b + i + "PRIVATE KEY-----".len(),
                    kind: Kind::PrivateKey,
                });
            }
        }
        line_start += line.len();
    }
    None
}

/// `password: hunter2`, `DB_PASSWORD=hunter2`, `--password hunter2`,
/// `"token": "abc"`: a secret-named key with a literal value.
fn key_value(value: &str) -> Option<Finding> {
    let s = value.as_bytes();
    let mut i = 0;
    while i < s.len() {
        if !(s[i].is_ascii_alphanumeric() || s[i] == b'-') || (i > 0 && token_char(s[i - 1])) {
            i += 1;
            continue;
        }
        let key_end = token_end(s, i).max(i + 1);
        let key = &value[i..key_end];
        let mut j = key_end;
        // `"key": value` in JSON.
        if s.get(j) == Some(&b'"') || s.get(j) == Some(&b'\'') {
            j += 1;
        }
        let sep = match s.get(j) {
            Some(b':') | Some(b'=') => {
                j += 1;
                true
            }
            // `--password VALUE`
            Some(b' ') if key.starts_with("--") => true,
            _ => false,
        };
        if sep && secret_key(key) {
            while s.get(j).is_some_and(|b| *b == b' ' || *b == b'\t') {
                j += 1;
            }
            let quote = s.get(j).copied().filter(|b| *b == b'"' || *b == b'\'');
            if quote.is_some() {
                j += 1;
            }
            let start = j;
            let end = start
                + s[start..]
                    .iter()
                    .take_while(|b| match quote {
                        Some(q) => **b != q && **b != b'\n',
                        None => {
                            !b.is_ascii_whitespace()
                                && !matches!(
                                    b,
                                    b',' | b';' | b'&' | b'|' | b')' | b'}' | b'"' | b'\''
                                )
                        }
                    })
                    .count();
            let v = &value[start..end];
            let literal_word = matches!(
                v.to_ascii_lowercase().as_str(),
                "null" | "none" | "true" | "false" | "~"
            );
            if !is_reference(v) && !literal_word {
                return Some(Finding {
                    what: "a password or token (the value of a secret-named key)",
                    start,
                    end,
                    kind: Kind::KeyValue,
                });
            }
            // Go on after the value, never inside it again: linear.
            i = end.max(key_end);
            continue;
        }
        i = key_end;
    }
    None
}

/// Shannon entropy in bits per character.
fn entropy(token: &[u8]) -> f64 {
    let mut counts = [0u32; 256];
    for b in token {
        counts[*b as usize] += 1;
    }
    let n = token.len() as f64;
    counts
        .iter()
        .filter(|c| **c > 0)
        .map(|c| {
            let p = f64::from(*c) / n;
            -p * p.log2()
        })
        .sum()
}

/// The least length of a random-looking token.
const ENTROPY_MIN_LEN: usize = 20;
/// Bits per character above which a token looks random. Base62 noise of 20
/// to 40 characters measures 4.0 to 5.0; English words and identifiers stay
/// below 3.8; hex (digests, hashes, UUIDs) cannot pass 4.0 and has no
/// capitals anyway.
const ENTROPY_MIN_BITS: f64 = 4.0;

/// A token of letters, digits, `+`, `=`, `_`, `-` that looks random: long,
/// with lowercase, uppercase and digits, and high entropy.
///
/// Public material is not looked at: the body of a PEM block that is not a
/// private key (certificates, public keys: a CA bundle in a config is
/// fine), and SSH public key blobs (`ssh-ed25519 AAAA...`; every such blob
/// starts with `AAAA`, the length of its key type).
fn high_entropy(value: &str) -> Option<Finding> {
    let mut in_public_pem = false;
    let mut line_start = 0;
    for line in value.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let at = line_start;
        line_start += line.len();
        if trimmed.starts_with("-----BEGIN ") {
            in_public_pem = true;
            continue;
        }
        if trimmed.starts_with("-----END ") {
            in_public_pem = false;
            continue;
        }
        if in_public_pem {
            continue;
        }
        if let Some(mut f) = high_entropy_in_line(line) {
            f.start += at;
            f.end += at;
            return Some(f);
        }
    }
    None
}

fn high_entropy_in_line(value: &str) -> Option<Finding> {
    let s = value.as_bytes();
    let is_tok = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'=' | b'_' | b'-');
    let mut i = 0;
    while i < s.len() {
        if !is_tok(s[i]) {
            i += 1;
            continue;
        }
        let end = i + s[i..].iter().take_while(|b| is_tok(**b)).count();
        let t = &s[i..end];
        if t.len() >= ENTROPY_MIN_LEN
            && !t.starts_with(b"AAAA")
            && t.iter().any(u8::is_ascii_lowercase)
            && t.iter().any(u8::is_ascii_uppercase)
            && t.iter().filter(|b| b.is_ascii_digit()).count() >= 2
            && entropy(t) > ENTROPY_MIN_BITS
        {
            return Some(Finding {
                what: "a random-looking string (an API key or token?)",
                start: i,
                end,
                kind: Kind::Entropy,
            });
        }
        i = end;
    }
    None
}

/// The first secret-looking part of `value`.
pub fn find(value: &str) -> Option<Finding> {
    private_key(value)
        .or_else(|| webhook(value))
        .or_else(|| known_token(value))
        .or_else(|| url_password(value))
        .or_else(|| key_value(value))
        .or_else(|| high_entropy(value))
}

fn is_not_secret(arg: &Arg) -> bool {
    matches!(&arg.value, Value::Ident(w) if w == NOT_SECRET)
}

/// The span of a trailing `not_secret`, if the statement ends with it (and
/// it is not the last item of a list, `a, not_secret`).
fn not_secret_marker(stmt: &Statement) -> Option<Span> {
    let n = stmt.args.len();
    let last = stmt.args.last().filter(|a| is_not_secret(a))?;
    let in_list = n >= 2 && matches!(stmt.args[n - 2].value, Value::Comma);
    (!in_list).then_some(last.span)
}

/// The tree without the trailing `not_secret` words, borrowed as it is when
/// there are none (the usual case costs one walk, no copy).
pub fn strip_not_secret(tree: &SyntaxTree) -> Cow<'_, SyntaxTree> {
    fn any(stmts: &[Statement]) -> bool {
        stmts.iter().any(|s| {
            not_secret_marker(s).is_some() || s.block.as_ref().is_some_and(|b| any(&b.statements))
        })
    }
    fn strip(stmts: &[Statement]) -> Vec<Statement> {
        stmts
            .iter()
            .map(|s| {
                let mut args = s.args.clone();
                if not_secret_marker(s).is_some() {
                    args.pop();
                }
                Statement {
                    keyword: s.keyword.clone(),
                    args,
                    block: s.block.as_ref().map(|b| Block {
                        statements: strip(&b.statements),
                        span: b.span,
                    }),
                    span: s.span,
                }
            })
            .collect()
    }
    if !any(&tree.statements) {
        return Cow::Borrowed(tree);
    }
    Cow::Owned(SyntaxTree {
        statements: strip(&tree.statements),
        comments: tree.comments.clone(),
    })
}

/// Reports E0801 for every string of the spec that holds a secret, and for
/// `env` variables named as secrets with a literal value; W0804 for a
/// `not_secret` that excuses nothing.
pub fn scan(tree: &SyntaxTree, text: &str, d: &mut Diagnostics) {
    for s in &tree.statements {
        scan_statement(s, text, false, d);
    }
}

/// Whether anything in `stmt` (or its block) looks secret; reports it
/// unless `excused`.
fn scan_statement(stmt: &Statement, text: &str, excused: bool, d: &mut Diagnostics) -> bool {
    let marker = not_secret_marker(stmt);
    let excused_here = excused || marker.is_some();
    let mut found = false;
    // An env variable named as a secret is reported once, by its name.
    let named = stmt.keyword.text == "env" && env_name(stmt, excused_here, d);
    found |= named;
    for arg in stmt.args.iter().skip(if named { 2 } else { 0 }) {
        if let Value::Str(v) | Value::Text(v) = &arg.value {
            if let Some(f) = find(v) {
                found = true;
                if !excused_here {
                    d.push(diagnostic(stmt, arg, v, &f, text));
                }
            }
        }
    }
    if let Some(b) = &stmt.block {
        for inner in &b.statements {
            found |= scan_statement(inner, text, excused_here, d);
        }
    }
    if let (Some(span), false, false) = (marker, found, excused) {
        d.push(
            Diagnostic::new(
                Code::NeedlessNotSecret,
                span,
                "nothing in this statement looks like a secret",
                "not needed",
            )
            .help("remove `not_secret`: it only excuses values that would otherwise be reported as E0801"),
        );
    }
    found
}

/// `env NAME "literal"` where NAME looks like a secret.
fn env_name(stmt: &Statement, excused: bool, d: &mut Diagnostics) -> bool {
    let [Arg {
        value: Value::Ident(name),
        span: name_span,
    }, value, ..] = stmt.args.as_slice()
    else {
        return false;
    };
    if !matches!(value.value, Value::Str(_) | Value::Text(_)) {
        return false;
    }
    let Some(word) = secret_name(name) else {
        return false;
    };
    if !excused {
        d.push(
            Diagnostic::new(
                Code::LiteralSecret,
                value.span,
                format!("`{name}` looks like a secret ({word}) but its value is written in the spec"),
                "secret value in plain text",
            )
            .related(*name_span, "named as a secret here")
            .help(format!(
                "store it in a Kubernetes Secret and write `env {name} secret SECRET_NAME KEY`; if it is not a secret, end the line with `not_secret`"
            )),
        );
    }
    true
}

fn diagnostic(stmt: &Statement, arg: &Arg, value: &str, f: &Finding, text: &str) -> Diagnostic {
    let part = &value[f.start..f.end];
    // Point at the part itself when it is written verbatim in the source
    // (no escape inside it); else at the whole string.
    let span = text
        .get(arg.span.start..arg.span.end)
        .and_then(|src| src.find(part))
        .filter(|_| !part.is_empty())
        .map_or(arg.span, |i| {
            Span::new(arg.span.start + i, arg.span.start + i + part.len())
        });
    let kw = stmt.keyword.text.as_str();
    let how = match (kw, f.kind) {
        ("chat", Kind::Webhook) => format!(
            "`chat` is the Slack channel (`#ops`) or handle (`@jane`); Alertmanager reads the webhook URL from {}, mount it there from a Secret",
            crate::emit::alertmanager::SLACK_API_URL_FILE
        ),
        ("env", _) => {
            "store it in a Kubernetes Secret and write `env NAME secret SECRET_NAME KEY`".into()
        }
        ("content", _) => "a config becomes a ConfigMap, readable by whoever reads the namespace: put the value in a Secret, pass it with `env NAME secret SECRET_NAME KEY` and read the variable from the config".into(),
        ("command" | "run" | "step" | "check" | "gate", _) => "read it at run time from the environment (`$DB_PASSWORD`) or from a mounted Secret file, never from the command line".into(),
        _ => "keep it in a Kubernetes Secret and refer to it; a spec is read by many and copied into every generated file".into(),
    };
    Diagnostic::new(
        Code::LiteralSecret,
        span,
        format!("this looks like {}, written in the spec", f.what),
        "secret in plain text",
    )
    .help(format!(
        "{how}; if it is not a secret, end the statement with `not_secret`"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn what(v: &str) -> Option<&'static str> {
        find(v).map(|f| f.what)
    }

    #[test]
    fn names_that_look_secret() {
        for n in [
            "JWT_SECRET",
            "DB_PASS",
            "AUTH",
            "BASIC_AUTH",
            "ACCESS_KEY",
            "AWS_SECRET_ACCESS_KEY",
            "GITHUB_PAT",
            "SENTRY_DSN",
            "db_password",
            "SIGNING_KEY",
        ] {
            assert!(secret_name(n).is_some(), "{n}");
        }
        for n in [
            "LOG_LEVEL",
            "AUTH_MODE",
            "PASS_THROUGH",
            "BYPASS",
            "PATH",
            "CACHE_KEY",
            "AWS_ACCESS_KEY_ID",
            "COMPASS_URL",
        ] {
            assert!(secret_name(n).is_none(), "{n}");
        }
    }

    #[test]
    fn values_that_are_secrets() {
        let cases = [
            ("xoxb-123456789012-abcdefghijkl", "a Slack bot token"),
            ("token=xoxp-1234567890-abcdef", "a Slack user token"),
            (
                "ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789",
                "a GitHub personal access token",
            ),
            (
                "github_pat_11ABCDEFG0123456789_abcdefghijkl",
                "a GitHub personal access token",
            ),
            (
                "glpat-abcdefghij0123456789",
                "a GitLab personal access token",
            ),
            ("AKIAIOSFODNN7EXAMPLE", "an AWS access key id"),
            ("sk_live_4eC39HqLyjWDarjtT1zdp7dc", "a Stripe secret key"),
            (
                "AIzaSyA-1234567890abcdefghijklmnopqrstu",
                "a Google API key",
            ),
            ("postgres://app:hunter2@db:5432/app", "a password in a URL"),
            (
                "https://hooks.slack.com/services/T000/B000/XXXXXXXX",
                "a Slack webhook URL",
            ),
            (
                "https://discord.com/api/webhooks/123/abc",
                "a Discord webhook URL",
            ),
            ("-----BEGIN RSA PRIVATE KEY-----\nMIIE...", "a private key"),
            ("-----BEGIN OPENSSH PRIVATE KEY-----", "a private key"),
            (
                "db:\n  password: hunter2\n",
                "a password or token (the value of a secret-named key)",
            ),
            (
                "PGPASSWORD=s3cret pg_dump -h db app",
                "a password or token (the value of a secret-named key)",
            ),
            (
                "backup --password hunter2 --to s3://b",
                "a password or token (the value of a secret-named key)",
            ),
            (
                "{\"api_key\": \"abc123\"}",
                "a password or token (the value of a secret-named key)",
            ),
            (
                "Authorization: Bearer 9fT2kLq8ZxV4mN7pR1sW6yB3cD5eG0hJ",
                "a random-looking string (an API key or token?)",
            ),
            (
                "-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\nkey 9fT2kLq8ZxV4mN7pR1sW6yB3cD5eG0hJ",
                "a random-looking string (an API key or token?)",
            ),
        ];
        for (v, w) in cases {
            assert_eq!(what(v), Some(w), "{v}");
        }
    }

    #[test]
    fn values_that_are_not_secrets() {
        for v in [
            "hivellm/vectorizer@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            "550e8400-e29b-41d4-a716-446655440000",
            "d41d8cd98f00b204e9800998ecf8427e",
            "postgres://app:${DB_PASSWORD}@db:5432/app",
            "postgres://app@db:5432/app",
            "https://user:$(cat /run/secrets/pw)@example.com",
            "password_file: /run/secrets/db",
            "token_expiry: 3600",
            "password: ${DB_PASSWORD}",
            "password: \"\"",
            "sum(rate(vectorizer_request_duration_seconds_bucket{job=\"vectorizer\"}[5m]))",
            "kubectl argo rollouts set image vectorizer vectorizer=hivellm/vectorizer:1.8.0",
            "HiveHubClusterModeEnabledForProduction",
            "https://hooks.slack.com/services/",
            "xoxb-",
            "curl -f http://vectorizer:15002/health",
            "api_key_auth: true",
            "BYPASS=1 make",
            "-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIEAgAAuTANBgkqhkiG9w0BAQUFADBaMQswCQYDVQQGEwJJ\n-----END CERTIFICATE-----\n",
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl ops@example",
        ] {
            assert_eq!(what(v), None, "{v}");
        }
    }

    #[test]
    fn entropy_of_hex_stays_below_the_threshold() {
        // 16 symbols at most: log2(16) = 4 bits, never above.
        assert!(entropy(b"0123456789abcdef0123456789abcdef") <= ENTROPY_MIN_BITS);
    }
}
