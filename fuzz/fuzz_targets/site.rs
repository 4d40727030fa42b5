//! Fuzz target `site`: see `opswiki::fuzzing::site`, which the regression
//! test (`tests/fuzz_regressions.rs`) runs too.
#![no_main]

libfuzzer_sys::fuzz_target!(init: opswiki::fuzzing::init(), |data: &[u8]| {
    opswiki::fuzzing::site(data)
});
