//! Fuzz target `runbook_templates`: see `opswiki::fuzzing::runbook_templates`, which the regression
//! test (`tests/fuzz_regressions.rs`) runs too.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| opswiki::fuzzing::runbook_templates(data));
