//! Backends converge a compiled pipeline with what is live. `sdk` calls the service APIs
//! directly; both build the same [`crate::plan::Plan`].

pub mod aws;
pub mod cloudformation;
pub mod sdk;
