//! Fuzz target `trees`: see `opswiki::fuzzing::trees`, which the regression
//! test (`tests/fuzz_regressions.rs`) runs too.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| opswiki::fuzzing::trees(data));
