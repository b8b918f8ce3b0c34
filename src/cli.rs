//! The thin command-line layer: parse arguments, call the library, render
//! diagnostics, choose the exit code (0 ok, 1 spec errors or stale output,
//! 2 usage or I/O errors).

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::build::{self, BuildError, Change, Compiled};
use crate::diagnostics::{render_github, render_human, render_json, Code, Severity};
use crate::emit::{Target, Targets};

#[derive(Parser)]
#[command(name = "deployc", version, about = "A compiler for deployment plans")]
struct Cli {
    /// How to print diagnostics: for people, one JSON object a line, or
    /// GitHub Actions annotations.
    #[arg(long, global = true, value_enum, default_value_t = MessageFormat::Human)]
    message_format: MessageFormat,
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum MessageFormat {
    Human,
    Json,
    Github,
}

#[derive(Subcommand)]
enum Command {
    /// Parse and check specs, without writing anything.
    Check {
        /// Spec files or folders to search for .deploy files.
        #[arg(default_value = "specs")]
        paths: Vec<PathBuf>,
    },
    /// Compile specs into generated files.
    Build {
        /// Spec files or folders to search for .deploy files.
        #[arg(default_value = "specs")]
        specs: Vec<PathBuf>,
        /// Output folder; each spec gets a subfolder named after it.
        #[arg(short, long, default_value = "generated")]
        out: PathBuf,
        /// Write nothing; exit 1 and list the files that differ when the
        /// output folder is not what a build would write.
        #[arg(long, conflicts_with = "stdout")]
        check: bool,
        /// Write nothing to disk: print every Kubernetes object as one
        /// multi-document YAML stream, for `kubectl apply -f -`.
        #[arg(long)]
        stdout: bool,
        /// Specs compiled at once (default: one per core). The output is
        /// the same for every value.
        #[arg(short, long)]
        jobs: Option<usize>,
        /// Recompile every spec, ignoring what the manifest says is up to date.
        #[arg(long)]
        force: bool,
        /// Emit only these targets (comma-separated; default: all). Files of
        /// the others that an earlier build wrote are removed.
        #[arg(
            long,
            value_delimiter = ',',
            conflicts_with = "stdout",
            value_parser = target_parser(),
        )]
        emit: Vec<Target>,
    },
    /// Format specs in place, in the one canonical layout.
    Fmt {
        /// Spec files or folders to search for .deploy files.
        #[arg(default_value = "specs")]
        paths: Vec<PathBuf>,
        /// Write nothing; exit 1 and list the specs that are not formatted.
        #[arg(long)]
        check: bool,
    },
    /// Explain a diagnostic code, e.g. `deployc explain E0501`.
    Explain { code: String },
    /// What a change does to a release: `deployc diff OLD NEW`, or every
    /// spec at a git revision against the working tree with `--base REF`.
    Diff {
        /// OLD NEW (two spec files); with --base, spec files or folders
        /// (default specs/).
        paths: Vec<PathBuf>,
        /// Compare each spec at this git revision with the working tree.
        #[arg(long, value_name = "GIT_REF")]
        base: Option<String>,
        /// text for a terminal, markdown for a pull-request comment.
        #[arg(long, value_enum, default_value_t = crate::diff::Format::Text)]
        format: crate::diff::Format,
    },
    /// Run the language server on stdin/stdout (for editors).
    Lsp,
    /// Print the phase graph of a spec.
    Graph {
        spec: PathBuf,
        #[arg(long, value_enum, default_value_t = GraphFormat::Mermaid)]
        format: GraphFormat,
    },
    /// Print shell completions, e.g. `deployc completions bash > /etc/bash_completion.d/deployc`.
    Completions { shell: clap_complete::Shell },
    /// Print the man page (roff), e.g. `deployc man > deployc.1`.
    Man,
    /// Write a commented starter spec to `specs/NAME.deploy`.
    Init {
        /// The release and service name (lowercase letters, digits, `-`).
        #[arg(default_value = "my-service")]
        name: String,
        /// Folder to write the spec into.
        #[arg(long, default_value = "specs")]
        dir: PathBuf,
    },
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum GraphFormat {
    Mermaid,
    Dot,
}

pub const EXIT_OK: i32 = 0;
pub const EXIT_SPEC_ERRORS: i32 = 1;
pub const EXIT_USAGE: i32 = 2;

pub fn run() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { EXIT_USAGE } else { EXIT_OK };
        }
    };
    let format = cli.message_format;
    let result = match cli.command {
        Command::Check { paths } => check(&paths, format),
        Command::Build {
            specs,
            out,
            check,
            stdout,
            jobs,
            force,
            emit,
        } => {
            let opts = BuildOptions {
                check,
                stdout,
                jobs,
                force,
                targets: if emit.is_empty() {
                    Targets::ALL
                } else {
                    emit.into_iter().collect()
                },
            };
            build(&specs, &out, opts, format)
        }
        Command::Fmt { paths, check } => Ok(crate::fmt::run(&paths, check, use_color())),
        Command::Explain { code } => explain(&code),
        Command::Diff {
            paths,
            base,
            format,
        } => return crate::diff::run(&paths, base.as_deref(), format),
        Command::Lsp => Ok(crate::lsp::run_stdio()),
        Command::Graph {
            spec,
            format: graph_format,
        } => graph(&spec, graph_format, format),
        Command::Init { name, dir } => init(&name, &dir),
        Command::Completions { shell } => {
            clap_complete::generate(
                shell,
                &mut <Cli as clap::CommandFactory>::command(),
                "deployc",
                &mut std::io::stdout(),
            );
            Ok(EXIT_OK)
        }
        Command::Man => man(),
    };
    result.unwrap_or_else(|e| {
        eprintln!("error: {e}");
        EXIT_USAGE
    })
}

fn use_color() -> bool {
    std::env::var_os("NO_COLOR").is_none() && std::io::stderr().is_terminal()
}

/// Compiles every spec (in parallel) and prints their diagnostics; true if
/// any error.
fn check_all(
    paths: &[PathBuf],
    format: MessageFormat,
) -> Result<(Vec<Compiled>, bool), BuildError> {
    let specs = build::collect_specs(paths)?;
    let compiled = build::check_all(&specs, None)?;
    let failed = report(compiled.iter(), format);
    Ok((compiled, failed))
}

/// Prints the diagnostics of compiled specs; true if any error. Human
/// diagnostics go to stderr; machine formats to stdout, for tools.
fn report<'a>(compiled: impl Iterator<Item = &'a Compiled>, format: MessageFormat) -> bool {
    let color = use_color();
    let (mut errors, mut warnings, mut specs) = (0, 0, 0);
    let mut stderr = std::io::stderr().lock();
    let mut stdout = std::io::stdout().lock();
    for c in compiled {
        specs += 1;
        if !c.diagnostics.is_empty() {
            let _ = match format {
                MessageFormat::Human => {
                    write!(stderr, "{}", render_human(&c.diagnostics, &c.source, color))
                }
                MessageFormat::Json => write!(stdout, "{}", render_json(&c.diagnostics, &c.source)),
                MessageFormat::Github => {
                    write!(stdout, "{}", render_github(&c.diagnostics, &c.source))
                }
            };
        }
        for d in &c.diagnostics {
            match d.severity() {
                Severity::Error => errors += 1,
                Severity::Warning => warnings += 1,
            }
        }
    }
    if errors + warnings > 0 {
        let _ = writeln!(
            stderr,
            "deployc: {} across {specs} spec(s)",
            counts(errors, warnings)
        );
    }
    errors > 0
}

fn counts(errors: usize, warnings: usize) -> String {
    let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    format!(
        "{}, {}",
        plural(errors, "error"),
        plural(warnings, "warning")
    )
}

fn check(paths: &[PathBuf], format: MessageFormat) -> Result<i32, BuildError> {
    let (_, failed) = check_all(paths, format)?;
    Ok(if failed { EXIT_SPEC_ERRORS } else { EXIT_OK })
}

/// `--emit`'s values: the target names, with clap's list of them and its
/// "did you mean" for a typo.
fn target_parser() -> impl clap::builder::TypedValueParser<Value = Target> {
    use clap::builder::TypedValueParser;
    clap::builder::PossibleValuesParser::new(Target::ALL.map(Target::name))
        .map(|name: String| Target::parse(&name).expect("clap admits only target names"))
}

struct BuildOptions {
    check: bool,
    stdout: bool,
    jobs: Option<usize>,
    force: bool,
    targets: Targets,
}

fn build(
    specs: &[PathBuf],
    out: &std::path::Path,
    opts: BuildOptions,
    format: MessageFormat,
) -> Result<i32, BuildError> {
    let paths = build::collect_specs(specs)?;
    if opts.stdout {
        let (compiled, stream) = build::stream(&paths, opts.jobs)?;
        if report(compiled.iter(), format) {
            return Ok(EXIT_SPEC_ERRORS);
        }
        build::unique_stems(&compiled)?; // Two specs of one stem are an error here too.
        let _ = std::io::stdout().lock().write_all(stream.as_bytes());
        return Ok(EXIT_OK);
    }
    let plan = build::plan(&paths, out, opts.targets, opts.jobs, opts.force)?;
    let checked = plan.outcomes.iter().filter_map(|o| match o {
        build::Outcome::Checked { compiled, .. } => Some(compiled.as_ref()),
        build::Outcome::Reused { .. } => None,
    });
    if report(checked, format) {
        eprintln!("deployc: nothing written to {}", out.display());
        return Ok(EXIT_SPEC_ERRORS);
    }
    let specs = plan.outcomes.len();
    let recompiled = plan
        .outcomes
        .iter()
        .filter(|o| matches!(o, build::Outcome::Checked { .. }))
        .count();
    let write = !opts.check;
    let (manifest, changes) =
        build::emit_and_apply(plan, out, opts.targets, opts.jobs, write, opts.force)?;
    if opts.check {
        let manifest_stale = build::write::manifest_differs(out, &manifest);
        if changes.is_empty() && !manifest_stale {
            return Ok(EXIT_OK);
        }
        eprintln!(
            "deployc: {} is stale; run `deployc build` to update:",
            out.display()
        );
        for c in &changes {
            let what = match c {
                Change::Add(_) => "missing",
                Change::Update(_) => "differs",
                Change::Remove(_) => "no longer generated",
                Change::Foreign(_) => {
                    "not deployc's (a build refuses to overwrite it without --force)"
                }
            };
            eprintln!("  {what}: {}/{}", out.display(), c.path());
        }
        if manifest_stale {
            eprintln!(
                "  differs: {}/{} (input hashes: a spec or deployc itself changed)",
                out.display(),
                build::MANIFEST_NAME
            );
        }
        return Ok(EXIT_SPEC_ERRORS);
    }
    let files: usize = manifest.specs.values().map(|e| e.files.len()).sum();
    println!(
        "deployc: {specs} spec(s) ({recompiled} compiled), {files} file(s), {} changed",
        changes.len()
    );
    Ok(EXIT_OK)
}

fn explain(code: &str) -> Result<i32, BuildError> {
    match Code::parse(code) {
        Some(c) => {
            match crate::diagnostics::explanation(c) {
                Some(text) => println!("{text}"),
                None => {
                    let info = c.info();
                    println!("{}: {}\n\n{}", info.code, info.title, info.help);
                }
            }
            Ok(EXIT_OK)
        }
        None => {
            eprintln!("error: no diagnostic code `{code}`; codes look like E0501 or W1001");
            Ok(EXIT_USAGE)
        }
    }
}

fn graph(
    spec: &std::path::Path,
    graph_format: GraphFormat,
    format: MessageFormat,
) -> Result<i32, BuildError> {
    let (compiled, failed) = check_all(&[spec.to_path_buf()], format)?;
    let Some(spec) = compiled
        .first()
        .and_then(|c| c.spec.as_ref())
        .filter(|_| !failed)
    else {
        return Ok(EXIT_SPEC_ERRORS);
    };
    let text = match graph_format {
        GraphFormat::Mermaid => crate::emit::graph::mermaid(spec, crate::emit::graph::phase_label),
        GraphFormat::Dot => crate::emit::graph::dot(spec),
    };
    print!("{text}");
    Ok(EXIT_OK)
}

/// The starter spec, with `NAME` standing for the chosen name.
const STARTER: &str = include_str!("../templates/starter.deploy");

fn init(name: &str, dir: &std::path::Path) -> Result<i32, BuildError> {
    if !crate::check::is_object_name(name) {
        eprintln!("error: `{name}` cannot name a release: use lowercase letters, digits and `-`");
        return Ok(EXIT_USAGE);
    }
    let path = dir.join(format!("{name}.deploy"));
    if path.exists() {
        eprintln!(
            "error: {} exists; deployc init never overwrites a spec",
            path.display()
        );
        return Ok(EXIT_USAGE);
    }
    let write_err = |e| BuildError::Write {
        path: path.display().to_string(),
        source: e,
    };
    std::fs::create_dir_all(dir).map_err(write_err)?;
    std::fs::write(&path, STARTER.replace("NAME", name)).map_err(write_err)?;
    println!(
        "deployc: wrote {}; next: `deployc check {}` and `deployc build {}`",
        path.display(),
        path.display(),
        path.display()
    );
    Ok(EXIT_OK)
}

fn man() -> Result<i32, BuildError> {
    let page = clap_mangen::Man::new(<Cli as clap::CommandFactory>::command());
    let mut out = Vec::new();
    // Rendering into memory cannot fail.
    let _ = page.render(&mut out);
    let _ = std::io::stdout().write_all(&out);
    Ok(EXIT_OK)
}
