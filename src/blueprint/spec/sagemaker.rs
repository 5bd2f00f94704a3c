//! Amazon SageMaker real-time inference endpoints.

use schemars::JsonSchema;
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SagemakerEndpoint {
    pub id: String,
    /// The inference container image URI.
    pub image: String,
    /// S3 URI of the model artifacts (`s3://bucket/key/model.tar.gz`).
    pub model_data: Option<String>,
    #[serde(default = "default_instance")]
    pub instance_type: String,
    #[serde(default = "one")]
    pub instance_count: u32,
}

fn default_instance() -> String {
    "ml.m5.large".to_string()
}

fn one() -> u32 {
    1
}
