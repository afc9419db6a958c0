//! The crate's one policy reader on any bytes: as the base64 `policy` field and as a decoded
//! text. It must never panic or hang; every condition of a text it accepts must write back.
#![no_main]

use libfuzzer_sys::fuzz_target;
use oss_post_policy::PolicyDocument;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = PolicyDocument::from_base64(text);
    if let Ok(doc) = PolicyDocument::parse(text) {
        for condition in doc.conditions() {
            let _ = condition.to_string();
        }
    }
});
