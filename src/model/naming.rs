//! Names: logical ids in the template and physical names in AWS.
//!
//! Both derive from the blueprint name and component id, so the same blueprint always names the
//! same resources, which is what lets a later run find and adopt what an earlier one created.

/// `enrich` + `Function` → `EnrichFunction`; `fleet-alerts` + `Topic` → `FleetAlertsTopic`.
pub fn logical(id: &str, suffix: &str) -> String {
    let mut out = String::new();
    for part in id.split('-').filter(|p| !p.is_empty()) {
        let mut chars = part.chars();
        if let Some(first) = chars.next() {
            out.extend(first.to_uppercase());
            out.push_str(chars.as_str());
        }
    }
    out.push_str(suffix);
    out
}

/// `<pipeline>-<component>`, the physical name of most resources.
pub fn physical(pipeline: &str, id: &str) -> String {
    format!("{pipeline}-{id}")
}

/// The path the secrets pipe creates are named under: `pipe/<physical name>/<what it holds>`.
pub const SECRETS: &str = "pipe/";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logical_ids_are_pascal_case() {
        assert_eq!(logical("fleet-alerts", "Topic"), "FleetAlertsTopic");
        assert_eq!(logical("s3", "Bucket"), "S3Bucket");
    }
}
