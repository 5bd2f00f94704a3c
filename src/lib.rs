//! pipe: provision AWS streaming pipelines from YAML blueprints.
//!
//! Data flows one way, through layers. A module imports from its own layer and the ones below
//! it, never from one above (`tests/layers.rs` reads this list and checks every import):
//!
//! 1. `limits`, `diagnostic`, `style`: the AWS limits and facts pipe checks against, dated and
//!    sourced; problems with where they are and a hint, rendered for people; the one palette.
//! 2. `blueprint::yaml`, `blueprint::decode`, `blueprint::spec`, `blueprint::graph`,
//!    `blueprint::vars`, `blueprint::contract`, `blueprint::alarms`: a blueprint read into its
//!    typed form and its graph of connections; the contract table says what each connection is,
//!    the alarm table what watches each component.
//! 3. `capacity`: what the declared flow asks of each service (shards, workers, brokers), the
//!    flow each component carries, and how figures are written.
//! 4. `blueprint::rules`, `blueprint`: the validator's rules, and loading (parse, then check).
//! 5. `model`: a valid blueprint compiled into resources, IAM, steps and artifacts.
//! 6. `plan`: what converging will do, its risks and its views (text, markdown, JSON).
//! 7. `render`, `package`, `cost`, `diagram`, `scenarios`: what is made from the model (the
//!    template, code packages, the bill and a plan's share of it, the picture) and the shipped
//!    blueprints.
//! 8. `backend`: the run layer (`backend/mod.rs`) over the two targets, `sdk` and
//!    `cloudformation`.
//! 9. `ui`: progress and prompts for a terminal, behind the run layer's `Progress`.
//! 10. `cli`: arguments in, one call into the layers, output and exit code out.
//!
//! Where each concept lives: AWS limits and facts in `limits`; the blueprint's types in
//! `blueprint::spec`; what a connection needs (access, discovery, configuration keys) in
//! `blueprint::contract`; flow and sizing in `capacity`; resources, IAM and steps in `model`;
//! the plan, its steps and its words (verbs, headings, cautions) in `plan`; options, progress,
//! the apply error and the deployment over both targets in `backend/mod.rs`; colour in `style`;
//! a blueprint's problems rendered in `diagnostic`, a command's errors in `cli`.

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
pub mod style;
pub mod ui;
