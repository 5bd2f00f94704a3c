//! The one integration-test binary (see Cargo.toml: each test binary re-links everything).

mod alarms;
mod billed;
mod capacity;
mod cli;
mod contract_deploys;
mod contracts;
mod data_loss;
mod deploy;
mod discovery;
mod engines;
mod facts;
mod faults;
mod handlers;
mod hostile;
mod invalid;
mod layers;
mod many;
mod needs;
mod recipes;
mod render;
mod replacement;
mod scenarios;
mod stack;
mod support;
mod vars;
mod views;
