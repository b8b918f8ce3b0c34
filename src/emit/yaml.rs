//! YAML from typed values, through serde-saphyr: it quotes every string a
//! YAML 1.1 reader (Kubernetes, via go-yaml) would turn into something else
//! (`no`, `on`, `y`, `12:30`, `2024-01-01`, `1_000`, `0x1F`).

use serde::Serialize;

/// One YAML document, ending in a line break.
pub fn to_yaml<T: Serialize>(value: &T) -> String {
    let mut out =
        serde_saphyr::to_string(value).expect("emitters serialize plain data, which cannot fail");
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out
}

/// `head` (the header comment), then one YAML document, in one buffer:
/// the document is not serialized apart and then copied after the header.
pub fn yaml_file<T: Serialize>(head: String, value: &T) -> String {
    let mut out = head;
    serde_saphyr::to_fmt_writer(&mut out, value)
        .expect("emitters serialize plain data, which cannot fail");
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out
}

/// Several documents as one stream, separated by `---`.
pub fn to_yaml_documents<T: Serialize>(values: &[T]) -> String {
    values
        .iter()
        .map(|v| format!("---\n{}", to_yaml(v)))
        .collect()
}
