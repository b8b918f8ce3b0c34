//! "Did you mean" for every kind of name, from one place.

/// The closest candidate to `wrong`, if it is close enough to be a typo.
pub fn did_you_mean<'a>(
    wrong: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let mut best: Option<(f64, &str)> = None;
    let wrong = wrong.to_lowercase();
    for c in candidates {
        let score = strsim::jaro_winkler(&wrong, &c.to_lowercase());
        if score > 0.8 && best.is_none_or(|(s, b)| score > s || (score == s && c < b)) {
            best = Some((score, c));
        }
    }
    best.map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        let names = ["error_rate", "p99_latency", "cpu_usage"];
        assert_eq!(did_you_mean("eror_rate", names), Some("error_rate"));
        assert_eq!(did_you_mean("p99_latncy", names), Some("p99_latency"));
        assert_eq!(did_you_mean("disk", names), None);
    }
}
