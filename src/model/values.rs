//! Typed values shared by every stage: durations, decimals, sizes, CPU.
//! Each target formats them its own way from one value, so `1d` is `1d` for
//! Prometheus and `24h` for Argo Rollouts, and `0.1` is never `0.1000000001`.

use std::fmt;

use rust_decimal::Decimal;
use serde::Serialize;

/// A span of time, in whole milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
pub struct Duration {
    pub millis: u64,
}

const SECOND: u64 = 1000;
const MINUTE: u64 = 60 * SECOND;
const HOUR: u64 = 60 * MINUTE;
const DAY: u64 = 24 * HOUR;
const WEEK: u64 = 7 * DAY;

impl Duration {
    pub const ZERO: Duration = Duration { millis: 0 };

    pub const fn from_millis(millis: u64) -> Self {
        Duration { millis }
    }
    pub const fn from_secs(s: u64) -> Self {
        Duration { millis: s * SECOND }
    }
    pub const fn from_mins(m: u64) -> Self {
        Duration { millis: m * MINUTE }
    }

    pub fn as_secs(self) -> u64 {
        self.millis / SECOND
    }

    /// Prometheus and Alertmanager: units up to weeks, largest exact unit
    /// first, compound allowed (`1h30m`, `1d`, `500ms`, `0s`).
    pub fn prometheus(self) -> String {
        compound(
            self.millis,
            &[
                (WEEK, "w"),
                (DAY, "d"),
                (HOUR, "h"),
                (MINUTE, "m"),
                (SECOND, "s"),
                (1, "ms"),
            ],
        )
    }

    /// Go's time.ParseDuration (Argo metric interval, initialDelay, timeouts):
    /// no days or weeks, so `1d` becomes `24h`.
    pub fn go(self) -> String {
        compound(
            self.millis,
            &[(HOUR, "h"), (MINUTE, "m"), (SECOND, "s"), (1, "ms")],
        )
    }

    /// Argo Rollouts pause durations: one integer with `s`, `m` or `h`.
    /// Sub-second parts are rounded up to the next second.
    pub fn argo_pause(self) -> String {
        let secs = self.millis.div_ceil(SECOND);
        if secs > 0 && secs % 3600 == 0 {
            format!("{}h", secs / 3600)
        } else if secs > 0 && secs % 60 == 0 {
            format!("{}m", secs / 60)
        } else {
            format!("{secs}s")
        }
    }

    /// For people: `15 minutes`, `1 day`, `1 hour 30 minutes`, `500 ms`.
    pub fn human(self) -> String {
        if self.millis == 0 {
            return "0 seconds".into();
        }
        let units = [
            (WEEK, "week"),
            (DAY, "day"),
            (HOUR, "hour"),
            (MINUTE, "minute"),
            (SECOND, "second"),
        ];
        let mut rest = self.millis;
        let mut parts = Vec::new();
        for (size, name) in units {
            if rest >= size {
                let n = rest / size;
                rest %= size;
                parts.push(format!("{n} {name}{}", if n == 1 { "" } else { "s" }));
            }
        }
        if rest > 0 {
            parts.push(format!("{rest} ms"));
        }
        parts.join(" ")
    }
}

fn compound(millis: u64, units: &[(u64, &str)]) -> String {
    if millis == 0 {
        return "0s".into();
    }
    let mut rest = millis;
    let mut out = String::new();
    for (size, suffix) in units {
        if rest >= *size {
            out.push_str(&format!("{}{suffix}", rest / size));
            rest %= size;
        }
    }
    out
}

impl fmt::Display for Duration {
    /// The spec's own notation (the Prometheus one).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.prometheus())
    }
}

/// Canonical decimal text: no exponent, no trailing zeros (`0.3`, `5`, `0.015`).
pub fn decimal_text(d: Decimal) -> String {
    let n = d.normalize();
    if n.is_zero() {
        "0".into()
    } else {
        n.to_string()
    }
}

/// Memory and storage in bytes, written as Kubernetes quantities.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
pub struct Bytes(pub u64);

impl Bytes {
    /// The shortest exact form: the largest binary suffix that divides it
    /// (`16Gi`) or the largest decimal one (`10G`), binary on a tie; plain
    /// bytes when neither divides.
    pub fn k8s(self) -> String {
        let v = self.0;
        let largest = |units: &[(u64, &str)]| {
            units
                .iter()
                .find(|(size, _)| v >= *size && v % size == 0)
                .map(|(size, suffix)| format!("{}{suffix}", v / size))
        };
        let binary = largest(&[
            (1 << 50, "Pi"),
            (1 << 40, "Ti"),
            (1 << 30, "Gi"),
            (1 << 20, "Mi"),
            (1 << 10, "Ki"),
        ]);
        let decimal = largest(&[
            (1_000_000_000_000_000, "P"),
            (1_000_000_000_000, "T"),
            (1_000_000_000, "G"),
            (1_000_000, "M"),
            (1_000, "k"),
        ]);
        match (binary, decimal) {
            (Some(b), Some(d)) if d.len() < b.len() => d,
            (Some(b), _) => b,
            (None, Some(d)) => d,
            (None, None) => v.to_string(),
        }
    }
}

/// CPU in millicores, written as Kubernetes quantities (`2`, `500m`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
pub struct Millicores(pub u64);

impl Millicores {
    pub fn k8s(self) -> String {
        if self.0 % 1000 == 0 {
            (self.0 / 1000).to_string()
        } else {
            format!("{}m", self.0)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_per_target() {
        let day = Duration::from_millis(DAY);
        assert_eq!(day.prometheus(), "1d");
        assert_eq!(day.go(), "24h");
        assert_eq!(day.argo_pause(), "24h");
        let d = Duration::from_millis(90 * MINUTE);
        assert_eq!(d.prometheus(), "1h30m");
        assert_eq!(d.argo_pause(), "90m");
        assert_eq!(Duration::from_millis(1500).argo_pause(), "2s");
        assert_eq!(Duration::from_millis(500).go(), "500ms");
        assert_eq!(Duration::ZERO.prometheus(), "0s");
        assert_eq!(d.human(), "1 hour 30 minutes");
    }

    #[test]
    fn decimals_are_canonical() {
        let a: Decimal = "0.1".parse().unwrap();
        let b: Decimal = "0.2".parse().unwrap();
        assert_eq!(decimal_text(a + b), "0.3");
        assert_eq!(decimal_text("5.000".parse().unwrap()), "5");
        assert_eq!(
            decimal_text("1".parse::<Decimal>().unwrap() / Decimal::from(100)),
            "0.01"
        );
    }

    #[test]
    fn quantities() {
        assert_eq!(Bytes(16 << 30).k8s(), "16Gi");
        assert_eq!(Bytes(10_000_000_000).k8s(), "10G");
        assert_eq!(Millicores(500).k8s(), "500m");
        assert_eq!(Millicores(2000).k8s(), "2");
    }
}
