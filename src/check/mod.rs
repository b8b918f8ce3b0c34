//! From syntax tree to checked model. (Being written.)

use crate::diagnostics::Diagnostics;
use crate::model::Spec;
use crate::syntax::SyntaxTree;

pub fn check(_tree: &SyntaxTree, _source_name: &str) -> (Option<Spec>, Diagnostics) {
    (None, Diagnostics::default())
}
