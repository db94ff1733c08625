//! hclog-compatible JSON lines on stderr, which go-plugin parses and re-logs inside Terraform
//! under the provider's name, and a panic hook that makes panics visible there.

use std::fmt::{self, Write as _};
use std::io::Write as _;
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::subscriber::Interest;
use tracing::{Event, Level, Metadata, Subscriber};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt as _};
use tracing_subscriber::registry::LookupSpan;

/// Terraform's provider-wide level variable.
pub const TF_LOG_PROVIDER: &str = "TF_LOG_PROVIDER";
/// Terraform's global level variable.
pub const TF_LOG: &str = "TF_LOG";

/// `TF_LOG_PROVIDER_<TYPE>` for a provider address such as `registry.terraform.io/ecsrs/ecs`
/// (the terraform-plugin-log convention): `TF_LOG_PROVIDER_ECS`.
pub fn provider_level_var(provider_address: &str) -> String {
    let kind = provider_address
        .rsplit('/')
        .next()
        .unwrap_or(provider_address);
    let kind: String = kind
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    format!("{TF_LOG_PROVIDER}_{kind}")
}

/// The `@module` value: go-plugin shows it next to each line.
pub fn module_name(binary_name: &str) -> String {
    format!("provider.{binary_name}")
}

/// The level to log at, `None` meaning off.
///
/// Looks at `provider_var`, then `TF_LOG_PROVIDER`, then `TF_LOG`; the first one set and
/// not empty wins. Values follow Terraform's own parsing (case-insensitive TRACE, DEBUG,
/// INFO, WARN, ERROR, OFF; JSON means TRACE; anything else means TRACE, as Terraform reads
/// it), so we never drop a line Terraform would show. Unset everywhere: off.
pub fn level_from_env(
    provider_var: &str,
    lookup: impl Fn(&str) -> Option<String>,
) -> Option<Level> {
    [provider_var, TF_LOG_PROVIDER, TF_LOG]
        .into_iter()
        .filter_map(lookup)
        .map(|v| v.trim().to_ascii_uppercase())
        .find(|v| !v.is_empty())
        .and_then(|v| match v.as_str() {
            "OFF" => None,
            "ERROR" => Some(Level::ERROR),
            "WARN" => Some(Level::WARN),
            "INFO" => Some(Level::INFO),
            "DEBUG" => Some(Level::DEBUG),
            _ => Some(Level::TRACE),
        })
}

/// hclog's level names; go-plugin drops lines whose level it does not know.
fn level_name(level: &Level) -> &'static str {
    match *level {
        Level::TRACE => "trace",
        Level::DEBUG => "debug",
        Level::INFO => "info",
        Level::WARN => "warn",
        Level::ERROR => "error",
    }
}

/// Formats `t` in UTC with Go's `2006-01-02T15:04:05.000000Z07:00` layout, which go-plugin
/// requires (a line whose timestamp does not parse is treated as plain text).
pub fn format_timestamp(t: SystemTime) -> String {
    let since = t.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = since.as_secs();
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let (year, month, day) = civil_from_days(days as i64);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:06}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        since.subsec_micros()
    )
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// One JSON line, newline included; `@`-keys first, then `fields` in order.
fn render(
    level: &str,
    message: &str,
    module: &str,
    now: SystemTime,
    fields: Map<String, Value>,
) -> String {
    let mut line = Map::new();
    line.insert("@level".into(), level.into());
    line.insert("@message".into(), message.into());
    line.insert("@module".into(), module.into());
    line.insert("@timestamp".into(), format_timestamp(now).into());
    for (k, v) in fields {
        if !line.contains_key(&k) {
            line.insert(k, v);
        }
    }
    let mut out = Value::Object(line).to_string();
    out.push('\n');
    out
}

/// An ERROR line that is written whatever the configured level.
///
/// Terraform lets error lines through even with logging off, to catch plugin crashes, so
/// fatal start-up errors and panics reach the user.
pub fn error_line(module: &str, message: &str, fields: Map<String, Value>) -> String {
    render("error", message, module, SystemTime::now(), fields)
}

/// Where lines go: stderr in the provider, a buffer in tests.
pub trait LineWriter: Send + Sync + 'static {
    /// Writes one complete line.
    fn write_line(&self, line: &str);
}

/// The process's real stderr.
#[derive(Debug, Clone, Copy, Default)]
pub struct Stderr;

impl LineWriter for Stderr {
    fn write_line(&self, line: &str) {
        // One write per line keeps concurrent lines from interleaving.
        let _ = std::io::stderr().lock().write_all(line.as_bytes());
    }
}

/// Transport crates that are too chatty below INFO to follow TF_LOG=TRACE.
const NOISY_TARGETS: &[&str] = &[
    "h2",
    "hyper",
    "hyper_util",
    "tower",
    "axum",
    "tonic",
    "rustls",
];

fn is_noisy(target: &str) -> bool {
    let krate = target.split("::").next().unwrap_or(target);
    NOISY_TARGETS.contains(&krate)
}

/// A `tracing` layer writing hclog JSON lines.
///
/// Every event field becomes a key, after the fields of the spans it happens in (so a
/// request span can carry `tf_rpc`, `tf_req_id`, ...).
#[derive(Debug)]
pub struct HclogLayer<W> {
    module: String,
    max: Level,
    writer: W,
}

impl<W: LineWriter> HclogLayer<W> {
    /// Logs at `max` and below, tagging lines with `module`.
    pub fn new(module: impl Into<String>, max: Level, writer: W) -> Self {
        Self {
            module: module.into(),
            max,
            writer,
        }
    }

    fn allows(&self, meta: &Metadata<'_>) -> bool {
        let max = if is_noisy(meta.target()) {
            self.max.min(Level::INFO)
        } else {
            self.max
        };
        *meta.level() <= max
    }
}

/// Field values of a span, kept in its extensions.
struct SpanFields(Map<String, Value>);

struct JsonVisitor<'a> {
    fields: &'a mut Map<String, Value>,
    message: Option<&'a mut String>,
}

impl JsonVisitor<'_> {
    fn put(&mut self, field: &Field, value: Value) {
        match self.message.as_deref_mut() {
            Some(message) if field.name() == "message" => {
                *message = match value {
                    Value::String(s) => s,
                    other => other.to_string(),
                };
            }
            _ => {
                self.fields.insert(field.name().to_owned(), value);
            }
        }
    }
}

impl Visit for JsonVisitor<'_> {
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.put(field, Value::from(value));
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.put(field, Value::from(value));
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.put(field, Value::from(value));
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.put(field, Value::from(value));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.put(field, Value::from(value));
    }
    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        // The whole source chain: the outermost message alone often says too little.
        let mut text = value.to_string();
        let mut source = value.source();
        while let Some(cause) = source {
            let _ = write!(text, ": {cause}");
            source = cause.source();
        }
        self.put(field, Value::from(text));
    }
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.put(field, Value::from(format!("{value:?}")));
    }
}

impl<S, W> Layer<S> for HclogLayer<W>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    W: LineWriter,
{
    fn register_callsite(&self, meta: &'static Metadata<'static>) -> Interest {
        if self.allows(meta) {
            Interest::always()
        } else {
            Interest::never()
        }
    }

    fn enabled(&self, meta: &Metadata<'_>, _ctx: Context<'_, S>) -> bool {
        self.allows(meta)
    }

    fn max_level_hint(&self) -> Option<tracing::level_filters::LevelFilter> {
        Some(tracing::level_filters::LevelFilter::from_level(self.max))
    }

    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(id) else { return };
        let mut fields = Map::new();
        attrs.record(&mut JsonVisitor {
            fields: &mut fields,
            message: None,
        });
        span.extensions_mut().insert(SpanFields(fields));
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(id) else { return };
        let mut extensions = span.extensions_mut();
        if let Some(SpanFields(fields)) = extensions.get_mut::<SpanFields>() {
            values.record(&mut JsonVisitor {
                fields,
                message: None,
            });
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let mut fields = Map::new();
        if let Some(scope) = ctx.event_scope(event) {
            for span in scope.from_root() {
                if let Some(SpanFields(span_fields)) = span.extensions().get::<SpanFields>() {
                    for (k, v) in span_fields {
                        fields.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        let mut message = String::new();
        event.record(&mut JsonVisitor {
            fields: &mut fields,
            message: Some(&mut message),
        });
        let meta = event.metadata();
        if let (Some(file), Some(line)) = (meta.file(), meta.line()) {
            fields.insert("@caller".into(), format!("{file}:{line}").into());
        }
        let line = render(
            level_name(meta.level()),
            &message,
            &self.module,
            SystemTime::now(),
            fields,
        );
        self.writer.write_line(&line);
    }
}

/// Installs the JSON logger as the global subscriber; with `None` installs nothing, so
/// disabled logging costs nothing.
pub fn init(module: &str, level: Option<Level>) {
    if let Some(level) = level {
        let subscriber =
            tracing_subscriber::registry().with(HclogLayer::new(module, level, Stderr));
        // Fails only if a subscriber is already set, which then keeps working.
        let _ = tracing::subscriber::set_global_default(subscriber);
    }
}

/// The line the panic hook writes. The message starts with `panic: ` because that is what
/// Terraform looks for to report a plugin crash to the user.
pub fn panic_line(
    module: &str,
    message: &str,
    location: Option<&str>,
    thread: Option<&str>,
    now: SystemTime,
) -> String {
    let mut fields = Map::new();
    if let Some(location) = location {
        fields.insert("location".into(), location.into());
    }
    if let Some(thread) = thread {
        fields.insert("thread".into(), thread.into());
    }
    render("error", &format!("panic: {message}"), module, now, fields)
}

/// Writes an ERROR JSON line for every panic, whatever the log level, then runs the
/// previous hook (Rust's default prints the usual message and backtrace).
pub fn install_panic_hook(module: &str) {
    let module = module.to_owned();
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<&str>()
            .copied()
            .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
            .unwrap_or("Box<dyn Any>");
        let location = info
            .location()
            .map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()));
        let thread = std::thread::current();
        let line = panic_line(
            &module,
            message,
            location.as_deref(),
            thread.name(),
            SystemTime::now(),
        );
        Stderr.write_line(&line);
        previous(info);
    }));
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    #[derive(Clone, Default)]
    struct Buffer(Arc<Mutex<Vec<String>>>);

    impl LineWriter for Buffer {
        fn write_line(&self, line: &str) {
            self.0.lock().unwrap().push(line.to_owned());
        }
    }

    impl Buffer {
        fn lines(&self) -> Vec<Value> {
            self.0
                .lock()
                .unwrap()
                .iter()
                .map(|l| {
                    assert!(l.ends_with('\n') && l.matches('\n').count() == 1, "{l:?}");
                    serde_json::from_str(l).unwrap()
                })
                .collect()
        }
    }

    fn with_layer(max: Level, f: impl FnOnce()) -> Vec<Value> {
        let buffer = Buffer::default();
        let layer = HclogLayer::new("provider.terraform-provider-ecs", max, buffer.clone());
        let subscriber = tracing_subscriber::registry().with(layer);
        tracing::subscriber::with_default(subscriber, f);
        buffer.lines()
    }

    /// `2006-01-02T15:04:05.000000Z07:00` for UTC, checked character by character.
    fn matches_go_layout(ts: &str) -> bool {
        let pattern = "dddd-dd-ddTdd:dd:dd.ddddddZ";
        ts.len() == pattern.len()
            && ts.chars().zip(pattern.chars()).all(|(c, p)| match p {
                'd' => c.is_ascii_digit(),
                other => c == other,
            })
    }

    #[test]
    fn timestamp_layout_is_exact() {
        let t = UNIX_EPOCH + Duration::new(1_767_366_245, 123_456_789);
        assert_eq!(format_timestamp(t), "2026-01-02T15:04:05.123456Z");
        assert_eq!(format_timestamp(UNIX_EPOCH), "1970-01-01T00:00:00.000000Z");
        // Leap day, end of year, microsecond truncation (Go does not round).
        let leap = UNIX_EPOCH + Duration::new(951_782_400, 999_999_999);
        assert_eq!(format_timestamp(leap), "2000-02-29T00:00:00.999999Z");
        let eoy = UNIX_EPOCH + Duration::new(1_704_067_199, 1_000);
        assert_eq!(format_timestamp(eoy), "2023-12-31T23:59:59.000001Z");
        assert!(matches_go_layout(&format_timestamp(SystemTime::now())));
    }

    #[test]
    fn civil_dates_agree_with_a_day_by_day_walk() {
        let (mut y, mut m, mut d) = (1970i64, 1u32, 1u32);
        let leap = |y: i64| (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        for days in 0..150_000 {
            assert_eq!(civil_from_days(days), (y, m, d), "day {days}");
            let len = match m {
                2 if leap(y) => 29,
                2 => 28,
                4 | 6 | 9 | 11 => 30,
                _ => 31,
            };
            d += 1;
            if d > len {
                d = 1;
                m += 1;
                if m > 12 {
                    m = 1;
                    y += 1;
                }
            }
        }
    }

    fn env<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |key| {
            pairs
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    #[test]
    fn level_precedence_and_parsing() {
        let var = "TF_LOG_PROVIDER_ECS";
        assert_eq!(level_from_env(var, env(&[])), None);
        assert_eq!(
            level_from_env(var, env(&[("TF_LOG", "debug")])),
            Some(Level::DEBUG)
        );
        assert_eq!(
            level_from_env(
                var,
                env(&[("TF_LOG", "DEBUG"), ("TF_LOG_PROVIDER", "WARN")])
            ),
            Some(Level::WARN)
        );
        assert_eq!(
            level_from_env(
                var,
                env(&[
                    ("TF_LOG", "TRACE"),
                    ("TF_LOG_PROVIDER", "WARN"),
                    (var, "error")
                ])
            ),
            Some(Level::ERROR)
        );
        // Empty means unset: fall through to the next variable.
        assert_eq!(
            level_from_env(
                var,
                env(&[(var, ""), ("TF_LOG_PROVIDER", " "), ("TF_LOG", "INFO")])
            ),
            Some(Level::INFO)
        );
        // OFF stops the search.
        assert_eq!(
            level_from_env(var, env(&[(var, "off"), ("TF_LOG", "TRACE")])),
            None
        );
        assert_eq!(
            level_from_env(var, env(&[("TF_LOG", "JSON")])),
            Some(Level::TRACE)
        );
        assert_eq!(
            level_from_env(var, env(&[("TF_LOG", "trace")])),
            Some(Level::TRACE)
        );
        // Terraform reads an unknown value as TRACE.
        assert_eq!(
            level_from_env(var, env(&[("TF_LOG", "loud")])),
            Some(Level::TRACE)
        );
    }

    #[test]
    fn provider_variable_name() {
        assert_eq!(
            provider_level_var("registry.terraform.io/ecsrs/ecs"),
            "TF_LOG_PROVIDER_ECS"
        );
        assert_eq!(
            provider_level_var("acme/my-thing"),
            "TF_LOG_PROVIDER_MY_THING"
        );
    }

    #[test]
    fn lines_are_hclog_json() {
        let lines = with_layer(Level::TRACE, || {
            let span = tracing::info_span!("rpc", tf_rpc = "ApplyResourceChange", tf_req_id = 7u64);
            let _guard = span.enter();
            tracing::debug!(count = 3, ok = true, ratio = 0.5, who = ?"x", "applied {}", "it");
        });
        assert_eq!(lines.len(), 1);
        let line = lines[0].as_object().unwrap();
        let keys: Vec<&str> = line.keys().map(String::as_str).collect();
        assert_eq!(&keys[..4], ["@level", "@message", "@module", "@timestamp"]);
        assert_eq!(line["@level"], "debug");
        assert_eq!(line["@message"], "applied it");
        assert_eq!(line["@module"], "provider.terraform-provider-ecs");
        assert!(matches_go_layout(line["@timestamp"].as_str().unwrap()));
        assert_eq!(line["tf_rpc"], "ApplyResourceChange");
        assert_eq!(line["tf_req_id"], 7);
        assert_eq!(line["count"], 3);
        assert_eq!(line["ok"], true);
        assert_eq!(line["ratio"], 0.5);
        assert_eq!(line["who"], "\"x\"");
        assert!(line["@caller"].as_str().unwrap().contains("logging.rs:"));
    }

    #[test]
    fn level_names_and_filtering() {
        let lines = with_layer(Level::INFO, || {
            tracing::trace!("t");
            tracing::debug!("d");
            tracing::info!("i");
            tracing::warn!("w");
            tracing::error!("e");
        });
        let levels: Vec<_> = lines
            .iter()
            .map(|l| l["@level"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(levels, ["info", "warn", "error"]);

        let lines = with_layer(Level::TRACE, || {
            tracing::trace!("t");
            tracing::debug!("d");
        });
        let levels: Vec<_> = lines
            .iter()
            .map(|l| l["@level"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(levels, ["trace", "debug"]);
    }

    #[test]
    fn transport_crates_are_capped_at_info() {
        let lines = with_layer(Level::TRACE, || {
            tracing::debug!(target: "h2::codec", "frame");
            tracing::info!(target: "hyper::proto", "kept");
            tracing::debug!(target: "h2o_but_ours", "ours");
        });
        let messages: Vec<_> = lines
            .iter()
            .map(|l| l["@message"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(messages, ["kept", "ours"]);
    }

    #[test]
    fn errors_include_their_sources() {
        #[derive(Debug)]
        struct Outer(std::io::Error);
        impl fmt::Display for Outer {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("outer")
            }
        }
        impl std::error::Error for Outer {
            fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
                Some(&self.0)
            }
        }
        let err = Outer(std::io::Error::other("inner"));
        let lines = with_layer(Level::INFO, || {
            tracing::error!(error = &err as &dyn std::error::Error, "failed");
        });
        assert_eq!(lines[0]["error"], "outer: inner");
    }

    #[test]
    fn panic_line_is_an_error_terraform_recognises() {
        let t = UNIX_EPOCH + Duration::new(1_767_366_245, 5_000);
        let line = panic_line("provider.x", "boom", Some("src/a.rs:1:2"), Some("main"), t);
        let v: Value = serde_json::from_str(&line).unwrap();
        assert_eq!(v["@level"], "error");
        assert_eq!(v["@message"], "panic: boom");
        assert_eq!(v["@timestamp"], "2026-01-02T15:04:05.000005Z");
        assert_eq!(v["location"], "src/a.rs:1:2");
        assert_eq!(v["thread"], "main");
        assert!(line.ends_with("}\n"));
    }

    #[test]
    fn multi_line_messages_stay_on_one_line() {
        let lines = with_layer(Level::INFO, || tracing::info!("a\nb"));
        assert_eq!(lines[0]["@message"], "a\nb");
    }
}
