//! pipe: provision AWS streaming pipelines from YAML blueprints.
//!
//! Data flows one way: a blueprint file is loaded and validated (`blueprint`), and its problems
//! are reported through `diagnostic`. Limits AWS imposes live, dated, in `limits`.

pub mod backend;
pub mod blueprint;
pub mod capacity;
pub mod cli;
pub mod cost;
pub mod diagnostic;
pub mod diagram;
pub mod limits;
pub mod model;
pub mod package;
pub mod plan;

pub mod render;
pub mod scenarios;
pub mod ui;
