//! Fuzz target `front_matter`: see `opswiki::fuzzing::front_matter`, which the regression
//! test (`tests/fuzz_regressions.rs`) runs too.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| opswiki::fuzzing::front_matter(data));
