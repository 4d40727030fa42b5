//! Fuzz target `alarms_terraform`: see `opswiki::fuzzing::alarms_terraform`, which the regression
//! test (`tests/fuzz_regressions.rs`) runs too.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| opswiki::fuzzing::alarms_terraform(data));
