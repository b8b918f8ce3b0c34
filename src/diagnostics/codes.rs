//! The one registry of diagnostic codes. A code never changes meaning once
//! released; `docs/diagnostics.md` and `deployc explain` read from here.

use super::Severity;

macro_rules! codes {
    ($( $variant:ident = $code:literal, $sev:ident, $title:literal, $help:literal; )*) => {
        /// A stable diagnostic code.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code { $( $variant, )* }

        /// Every code, in registry order.
        pub const CODES: &[Code] = &[ $( Code::$variant, )* ];

        impl Code {
            pub fn info(self) -> CodeInfo {
                match self {
                    $( Code::$variant => CodeInfo {
                        code: $code,
                        severity: Severity::$sev,
                        title: $title,
                        help: $help,
                    }, )*
                }
            }
        }
    };
}

#[derive(Debug, Clone, Copy)]
pub struct CodeInfo {
    /// `E0101` or `W0801`.
    pub code: &'static str,
    pub severity: Severity,
    /// One line: what kind of problem this is.
    pub title: &'static str,
    /// The default help line, used when the site has nothing more specific.
    pub help: &'static str,
}

impl Code {
    pub fn as_str(self) -> &'static str {
        self.info().code
    }

    pub fn severity(self) -> Severity {
        self.info().severity
    }

    pub fn parse(s: &str) -> Option<Code> {
        CODES
            .iter()
            .copied()
            .find(|c| c.as_str().eq_ignore_ascii_case(s))
    }
}

codes! {
    // Input and syntax.
    NotUtf8 = "E0100", Error, "the file is not UTF-8",
        "save the file as UTF-8; deployc reads specs as UTF-8 text only";
    Syntax = "E0101", Error, "syntax error",
        "a statement is a keyword, its arguments, and an optional { block }, one per line";
    UnterminatedString = "E0102", Error, "unterminated string",
        "close the string with `\"` on the same line, or use a \"\"\" text block for several lines";
    InvalidEscape = "E0103", Error, "invalid escape in a string",
        "strings take the escapes \\\" \\\\ \\n \\t; use a \"\"\" text block for verbatim text";
    TooLarge = "E0104", Error, "input exceeds a limit",
        "split the spec, or flatten its nesting; limits keep every build bounded in time and memory";
    ControlCharacter = "E0105", Error, "control character in a string",
        "write a tab as \\t and a line break as \\n; other control characters would reach the generated files and the terminal as is";
    BidiControl = "W0106", Warning, "bidirectional control character",
        "make sure the text reads as displayed: right-to-left overrides and isolates can make code look unlike what it is (Trojan Source); remove the character unless the text is right-to-left prose";

    // Structure: which statement goes where, with which arguments.
    UnknownItem = "E0201", Error, "unknown top-level statement",
        "a spec is made of release, service, metric, phase, trigger, contact, escalation, severity, rollback, checklist, template, success, failure, signoff, section and environment statements";
    UnknownStatement = "E0202", Error, "unknown statement in this block",
        "see docs/language.md for the statements each block takes";
    BadArgument = "E0203", Error, "wrong or missing argument",
        "see docs/language.md for the arguments this statement takes";
    ExtraArgument = "E0204", Error, "unexpected argument",
        "remove the extra argument, or start a new statement on its own line";
    MissingStatement = "E0205", Error, "a required statement is missing",
        "add the missing statement to the block";
    RepeatedStatement = "E0206", Error, "a statement that may appear once is given twice",
        "keep one of the two";
    BlockMismatch = "E0207", Error, "block given where none is taken, or missing where one is required",
        "see docs/language.md for which statements take a { block }";
    InvalidValue = "E0208", Error, "value out of range or malformed",
        "see docs/language.md for the values this statement accepts";
    BudgetBlocksEvictions = "W0209", Warning, "disruption budget that blocks every eviction",
        "keep `min_available` below the number of replicas (or `max_unavailable` above 0), so that a node can be drained";
    ZeroResource = "W0210", Warning, "memory of zero",
        "give the container a real amount of memory (e.g. `memory 128Mi`), or leave the statement out (CPU of zero is already E0208)";
    NameCollision = "E0210", Error, "generated names collide",
        "rename one of the two items: every object, file, alert and recording rule deployc generates needs a name of its own";
    InvalidGeneratedName = "E0211", Error, "a generated name breaks the rule of where it goes",
        "shorten or rename the item: Service names are DNS-1123 labels of at most 63 characters, suffixes such as `-canary` included";

    // Names.
    DuplicateName = "E0301", Error, "name defined twice",
        "rename one of the two definitions; names are unique per kind within a spec";
    UnknownMetric = "E0302", Error, "unknown metric",
        "declare the metric with `metric NAME { query ... unit ... }`";
    UnknownContact = "E0303", Error, "unknown contact",
        "declare the contact with `contact NAME { role ... }`";
    UnknownPhase = "E0304", Error, "unknown phase",
        "`after` names phases declared in the same spec";
    UnknownService = "E0305", Error, "unknown service",
        "declare the service with `service NAME { image ... }`";
    UnknownSeverity = "E0306", Error, "unknown severity",
        "use critical, major, minor, warning or info, or declare one: `severity NAME routes critical|warning|info`";
    UnknownRollbackLevel = "E0307", Error, "unknown rollback level",
        "declare the level with `rollback NAME { ... }`";

    // Units.
    UnitMismatch = "E0401", Error, "value of the wrong unit",
        "durations take ms, s, m, h, d, w; sizes take Ki, Mi, Gi, Ti (or K, M, G, T); CPU takes cores or m";
    UnknownUnit = "E0402", Error, "unknown unit",
        "use a unit deployc knows: %, ms, s, m, h, d, w, Ki, Mi, Gi, Ti, KB, MB, GB, TB, or none";
    ThresholdUnit = "E0403", Error, "threshold does not match the metric's unit",
        "compare a ratio or percent metric with %, a latency with ms or s, a count with a plain number, bytes with a size";

    // The phase graph.
    Cycle = "E0501", Error, "phases depend on each other in a cycle",
        "remove one `after` so that the phases form a sequence";
    AnchorContradiction = "E0502", Error, "time anchor contradicts a dependency",
        "a phase cannot be anchored earlier than a phase it comes after";
    WeightDecreases = "E0503", Error, "traffic weight goes down along the rollout",
        "each traffic step must send at least as much traffic as the one before it";
    ParallelTraffic = "E0504", Error, "two traffic phases may run at the same time",
        "order them with `after` so that only one phase shifts traffic at a time";
    StrategyMismatch = "E0505", Error, "traffic step does not fit the service's strategy",
        "canary and weight steps need `strategy canary`; preview and promote need `strategy blue_green`";
    BlueGreenCannot = "E0506", Error, "step that Argo's blue-green strategy cannot honour",
        "a blue-green rollout waits for a person once, between `preview` and `promote`, and aborts on metrics only in its pre- and post-promotion analysis";

    // Threshold bands.
    BandOverlap = "E0601", Error, "threshold bands overlap",
        "make each band start where the previous one ends";
    BandGap = "E0602", Error, "threshold bands leave a gap",
        "make each band start where the previous one ends, so every value falls in exactly one band";
    BandOrder = "E0603", Error, "threshold bands are out of order",
        "order bands normal, warning, critical from the good side to the bad side";

    // Queries.
    InvalidPromql = "E0701", Error, "invalid PromQL query",
        "fix the query; it is parsed as Prometheus would parse it";

    // Secrets and images.
    LiteralSecret = "E0801", Error, "secret written as a literal value",
        "reference a Kubernetes Secret (`env NAME secret SECRET_NAME KEY`) and read it at run time; end the statement with `not_secret` if the value is not a secret";
    ImageNotPinned = "W0802", Warning, "image without a pinned tag",
        "pin the image to a version tag or a digest (`name:1.2.3` or `name@sha256:...`), never `latest`";
    InvalidImage = "E0803", Error, "malformed image reference",
        "write the image as `registry/name:tag` or `registry/name@sha256:<64 hex digits>`";
    NeedlessNotSecret = "W0804", Warning, "`not_secret` where nothing looks secret",
        "remove `not_secret`; it only excuses values that would otherwise be reported as E0801";

    // Templates.
    UndeclaredPlaceholder = "E0901", Error, "template placeholder not declared",
        "list every {{placeholder}} of the body in the template's `fields`";
    UnusedField = "W0902", Warning, "template field never used",
        "remove the field from `fields`, or use it in the body as {{field}}";
    ArgoPlaceholder = "E0903", Error, "`{{` in a field Argo Rollouts substitutes",
        "Argo Rollouts reads every `{{...}}` of an AnalysisTemplate as an argument; write the braces another way (`{\\{` in a shell command, `\\x7b` in a PromQL string)";

    // Alerting.
    AlertReachesNobody = "E1101", Error, "alert that reaches nobody",
        "give every contact an alert is routed to an `email`, `chat` or `pager`";

    // Hygiene.
    UnusedMetric = "W1001", Warning, "metric never used",
        "use the metric in a gate, trigger or criterion, give it threshold bands, or remove it";
    UnusedContact = "W1002", Warning, "contact never referenced",
        "name the contact as an owner, approver, notified person or escalation target, or remove it";
}
