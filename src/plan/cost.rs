//! What a plan does to the monthly bill: data the `cost` layer fills in, shown by the views.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::capacity::usd;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CostDelta {
    pub before_usd: f64,
    pub after_usd: f64,
    /// Components whose monthly cost moves: (component, before, after).
    pub components: Vec<(String, f64, f64)>,
    /// Resources the plan deletes, whose cost leaves the bill but that pipe cannot price (their
    /// properties are no longer in the blueprint).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub deleted_unpriced: Vec<String>,
    /// Components the blueprint no longer has, whose deleted resources are priced as deployed:
    /// their fixed costs only, since their flow is no longer declared.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub removed_components: Vec<String>,
    /// What the flow of each component that moves rests on that the blueprint does not declare.
    #[serde(skip_serializing_if = "BTreeMap::is_empty", default)]
    pub assumes: BTreeMap<String, Vec<String>>,
}

impl CostDelta {
    /// The lines both plan views show: the total, then each component that moves.
    pub fn lines(&self) -> Vec<String> {
        let change = self.after_usd - self.before_usd;
        let sign = if change < 0.0 { "-" } else { "+" };
        let mut lines = vec![format!(
            "Monthly cost at the declared throughput: {} → {} ({sign}{})",
            usd(self.before_usd),
            usd(self.after_usd),
            usd(change.abs())
        )];
        for (component, before, after) in &self.components {
            let removed = match self.removed_components.contains(component) {
                true => " (removed: its fixed costs; what its flow cost is not priced)",
                false => "",
            };
            lines.push(format!("  {component}: {} → {}{removed}", usd(*before), usd(*after)));
            for assumption in self.assumes.get(component).into_iter().flatten() {
                lines.push(format!("    assumes {assumption}"));
            }
        }
        for resource in &self.deleted_unpriced {
            lines.push(format!("  {resource}: deleted; what it cost leaves the bill (not priced)"));
        }
        lines
    }
}
