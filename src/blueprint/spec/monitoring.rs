//! `monitoring:`: the CloudWatch alarms and dashboard pipe renders for the pipeline.

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Monitoring {
    /// The `sns-topic` component (its id) every alarm notifies when it fires and when it clears.
    pub notify: Option<String>,
    /// `default`: the alarms pipe's table names for each component, thresholds set from the
    /// declared flow and the sized capacity; `none`: no alarms.
    #[serde(default)]
    pub alarms: AlarmSet,
    /// Thresholds that replace the derived ones: `{ <component id>: { <alarm>: <threshold> } }`,
    /// in the alarm's own unit (`pipe validate --explain` lists them).
    #[serde(default)]
    pub overrides: IndexMap<String, IndexMap<String, f64>>,
    /// One CloudWatch dashboard for the pipeline, a row per layer.
    #[serde(default = "yes")]
    pub dashboard: bool,
}

impl Default for Monitoring {
    fn default() -> Self {
        Monitoring { notify: None, alarms: AlarmSet::Default, overrides: IndexMap::new(), dashboard: true }
    }
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum AlarmSet {
    #[default]
    Default,
    None,
}
