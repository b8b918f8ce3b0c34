//! Emitter: alertmanager. (Not written yet.)

use super::OutputFile;
use crate::model::Spec;

pub fn emit(_spec: &Spec) -> Vec<OutputFile> {
    Vec::new()
}
