//! The policy parser on any bytes: as the base64 `policy` field and as a decoded text.
//! It must never panic or hang; a text it accepts must render every condition.
#![no_main]

use libfuzzer_sys::fuzz_target;
use oss_post_policy::verify::PolicyDocument;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = PolicyDocument::from_base64(text);
    if let Ok(doc) = PolicyDocument::parse(text) {
        for condition in doc.conditions() {
            let _ = condition.render();
        }
    }
});
