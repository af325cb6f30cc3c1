//! brine: any bytes load or fail; what loads dumps to a canonical form that
//! loads and dumps to itself (compared as bytes: NaN != NaN as a value).
#![no_main]
use libfuzzer_sys::fuzz_target;
use oxrpc_rpyc::brine::{dump, load};

fuzz_target!(|data: &[u8]| {
    if let Ok(value) = load(data) {
        let canonical = dump(&value);
        let again = load(&canonical).expect("a dump loads");
        assert_eq!(dump(&again), canonical);
    }
});
