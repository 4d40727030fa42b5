//! Fuzz target `pages`: see `opswiki::fuzzing::pages`, which the regression
//! test (`tests/fuzz_regressions.rs`) runs too.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| opswiki::fuzzing::pages(data));
