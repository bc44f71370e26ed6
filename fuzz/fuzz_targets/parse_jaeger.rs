//! Fuzz the jaeger reader alone: any bytes must parse or be refused, never panic or hang.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = tracagg::core::format::fuzzing::jaeger(data);
});
