//! opswiki: check and render a wiki of operations knowledge.
//!
//! The pipeline, one module per stage:
//! [`load`] (files from disk) → [`site::parse`] (the model) → [`check`]
//! (diagnostics) → [`render`] (HTML). [`diag`] renders diagnostics in every
//! output format; [`cmd`] holds the commands the binary calls.

pub mod adopt;
pub mod alarms;
pub mod chart;
pub mod check;
pub mod cli;
pub mod cmd;
pub mod config;
pub mod coverage;
pub mod deployments;
pub mod diag;
pub mod extensions;
pub mod flavor;
pub mod frontmatter;
pub mod fuzzing;
pub mod git;
pub mod glob;
pub mod highlight;
pub mod links;
pub mod live;
pub mod load;
pub mod markdown;
pub mod model;
pub mod number;
pub mod output;
pub mod owners;
pub mod pipeline;
pub mod postmortem;
pub mod render;
pub mod report;
pub mod scaffold;
pub mod search;
pub mod serve;
pub mod site;
pub mod source;
pub mod status;
pub mod timing;
pub mod trees;
pub mod yaml;
