//! Kafka topic settings as the MSK topic API and `AWS::MSK::Topic` carry them: base64 of
//! Java-properties lines (`retention.ms=604800000`), the format of `server.properties`. The MSK
//! developer guide's DescribeTopic example answers `Y29tcHJlc3Npb24udHlwZT1wcm9kdWNlcgpyZXRlbnRpb24ubXM9NjA0ODAwMDAw`,
//! which is `compression.type=producer` and `retention.ms=604800000` on two lines
//! (docs.aws.amazon.com/msk/latest/developerguide/describe-topic-cli.html, read 2026-12-05).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use indexmap::IndexMap;

/// `settings` in the order given, one `key=value` line each, base64-encoded.
pub fn encode<'a>(settings: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let lines: Vec<String> = settings.into_iter().map(|(key, value)| format!("{key}={value}")).collect();
    BASE64.encode(lines.join("\n"))
}

/// The settings in `text`, in its order; `None` when it is not base64 of UTF-8 text. Blank lines
/// and `#`/`!` comments are skipped; a key ends at the first `=` or `:`, as in Java properties.
/// A JSON object of strings is read too: terraform-provider-aws's `aws_msk_topic` writes that
/// form, so a topic it made reads back as what it holds.
pub fn decode(text: &str) -> Option<IndexMap<String, String>> {
    let bytes = BASE64.decode(text.trim()).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    if let Ok(serde_json::Value::Object(object)) = serde_json::from_str(&text) {
        let settings = object.into_iter().map(|(key, value)| match value {
            serde_json::Value::String(text) => (key, text),
            other => (key, other.to_string()),
        });
        return Some(settings.collect());
    }
    let settings = text
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with(['#', '!']))
        .map(|line| match line.split_once(['=', ':']) {
            Some((key, value)) => (key.trim().to_string(), value.trim().to_string()),
            None => (line.to_string(), String::new()),
        })
        .collect();
    Some(settings)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_developer_guide_example() {
        let settings = decode("Y29tcHJlc3Npb24udHlwZT1wcm9kdWNlcgpyZXRlbnRpb24ubXM9NjA0ODAwMDAw").expect("decodes");
        assert_eq!(settings.get("compression.type").map(String::as_str), Some("producer"));
        assert_eq!(settings.get("retention.ms").map(String::as_str), Some("604800000"));
    }

    #[test]
    fn writes_what_it_reads() {
        let text = encode([("retention.ms", "259200000"), ("cleanup.policy", "delete")]);
        assert_eq!(BASE64.decode(&text).unwrap(), b"retention.ms=259200000\ncleanup.policy=delete");
        let back = decode(&text).expect("decodes");
        assert_eq!(
            back.into_iter().collect::<Vec<_>>(),
            [
                ("retention.ms".to_string(), "259200000".to_string()),
                ("cleanup.policy".to_string(), "delete".to_string())
            ]
        );
    }

    #[test]
    fn reads_a_json_object_as_well() {
        let settings = decode(&BASE64.encode(r#"{"retention.ms":"259200000"}"#)).expect("decodes");
        assert_eq!(settings.get("retention.ms").map(String::as_str), Some("259200000"));
    }

    #[test]
    fn refuses_what_is_not_base64_text() {
        assert_eq!(decode("not base64!"), None);
        assert_eq!(decode(&BASE64.encode([0xff, 0xfe])), None);
    }
}
