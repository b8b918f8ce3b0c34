//! The syntax tree: statements with arguments and blocks, every node with its
//! span, comments kept beside them for the formatter. It knows nothing of
//! what a `phase` or a `gate` means; that is the checker's job.

use rust_decimal::Decimal;

use crate::source::Span;

#[derive(Debug, Clone, PartialEq)]
pub struct SyntaxTree {
    pub statements: Vec<Statement>,
    /// Every comment of the file, in source order.
    pub comments: Vec<Comment>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    pub keyword: Word,
    pub args: Vec<Arg>,
    pub block: Option<Block>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    pub statements: Vec<Statement>,
    /// From `{` to `}` inclusive.
    pub span: Span,
}

/// A keyword or identifier, with where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    pub text: String,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Arg {
    pub value: Value,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Ident(String),
    /// A "..." string, escapes decoded.
    Str(String),
    /// A """...""" block, common indentation removed.
    Text(String),
    Quantity(Quantity),
    Range(Quantity, Quantity),
    /// `D-7`, `T+15m`, as written.
    Anchor(String),
    Compare(CompareOp),
    Comma,
}

/// A number with an optional unit suffix, as written: `15m`, `1%`, `16Gi`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quantity {
    pub number: Decimal,
    pub unit: Option<String>,
    /// The literal text, for messages and the formatter.
    pub text: String,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CompareOp {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
}

impl CompareOp {
    pub fn as_str(self) -> &'static str {
        match self {
            CompareOp::Lt => "<",
            CompareOp::Le => "<=",
            CompareOp::Gt => ">",
            CompareOp::Ge => ">=",
            CompareOp::Eq => "==",
            CompareOp::Ne => "!=",
        }
    }

    /// The comparison that holds exactly when this one does not.
    pub fn negate(self) -> CompareOp {
        match self {
            CompareOp::Lt => CompareOp::Ge,
            CompareOp::Le => CompareOp::Gt,
            CompareOp::Gt => CompareOp::Le,
            CompareOp::Ge => CompareOp::Lt,
            CompareOp::Eq => CompareOp::Ne,
            CompareOp::Ne => CompareOp::Eq,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    /// The text after `#`, as written.
    pub text: String,
    pub span: Span,
}

impl Value {
    /// How the value is named in messages: "identifier `foo`", "string".
    pub fn describe(&self) -> String {
        match self {
            Value::Ident(s) => format!("identifier `{s}`"),
            Value::Str(_) => "a string".into(),
            Value::Text(_) => "a text block".into(),
            Value::Quantity(q) => format!("`{}`", q.text),
            Value::Range(a, b) => format!("range `{}..{}`", a.text, b.text),
            Value::Anchor(a) => format!("time anchor `{a}`"),
            Value::Compare(op) => format!("`{}`", op.as_str()),
            Value::Comma => "`,`".into(),
        }
    }
}
