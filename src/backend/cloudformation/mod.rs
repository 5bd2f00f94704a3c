//! The CloudFormation target: one stack per pipeline, planned through change sets.

pub mod changes;
