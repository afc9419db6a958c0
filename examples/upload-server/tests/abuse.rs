//! The load and abuse test: the real `upload_server` binary under the attacks of issue 11, with
//! the server's memory (`/proc/PID/status` `VmHWM`, reset between attacks through
//! `/proc/PID/clear_refs`), CPU time and staging folder watched. Loopback only, bounded, about
//! ten seconds. Linux only: where `/proc` (or writing its `clear_refs`) is missing it says so
//! and passes.
//!
//! Every attack is run and measured first and the table printed (`cargo test --test abuse --
//! --nocapture` shows it), then the limits are asserted, so a failure shows all the numbers.

mod common;

use std::fmt::Write as _;
use std::io::{Read as _, Write as _};
use std::net::{Shutdown, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use md5::{Digest as _, Md5};
use oss_post_policy::FormFields;

use common::{BUCKET, Server, signed_form};

const MIB: u64 = 1024 * 1024;
/// The most any one attack may grow the server's peak resident memory.
const MAX_RSS_GROWTH: u64 = 24 * MIB;
/// The read timeout the server runs with here (the default is 30 s).
const READ_TIMEOUT_SECS: u64 = 1;
/// The multipart boundary of the attacks' bodies.
const BOUNDARY: &str = "B0undary";

/// What one attack did to the server.
#[derive(Default)]
struct Outcome {
    name: &'static str,
    /// Peak resident memory above the resident memory at the start, bytes.
    rss_growth: u64,
    /// CPU time the server spent, milliseconds.
    cpu_ms: u64,
    /// The most bytes in the staging folder at once, as polled every millisecond or so.
    staged_peak: u64,
    /// Files left in the staging folder once the attack is over.
    staged_left: usize,
    /// The answers' `HTTP status code` (or "closed"), in order, deduplicated.
    answers: Vec<String>,
    elapsed: Duration,
    /// Anything else worth printing.
    note: String,
    /// What the attack itself found wrong (checked while it ran).
    faults: Vec<String>,
}

/// What an attack reports: the answers, a note, and the faults it found itself.
type Report = (Vec<String>, String, Vec<String>);

/// The server process as `/proc` shows it.
struct Proc(PathBuf);

impl Proc {
    fn status_kib(&self, field: &str) -> u64 {
        let status = std::fs::read_to_string(self.0.join("status")).expect("/proc/PID/status");
        let line = status.lines().find(|l| l.starts_with(field)).expect("the field is in /proc/PID/status");
        line.split_whitespace().nth(1).and_then(|n| n.parse().ok()).expect("a number of kB")
    }

    /// Resets the peak resident memory to the current one; returns the current one, bytes.
    fn reset_peak(&self) -> u64 {
        std::fs::write(self.0.join("clear_refs"), "5").expect("writing /proc/PID/clear_refs");
        self.status_kib("VmRSS:") * 1024
    }

    fn peak(&self) -> u64 {
        self.status_kib("VmHWM:") * 1024
    }

    /// User plus system CPU time, milliseconds (at the usual 100 clock ticks a second).
    fn cpu_ms(&self) -> u64 {
        let stat = std::fs::read_to_string(self.0.join("stat")).expect("/proc/PID/stat");
        let after_name = &stat[stat.rfind(')').expect("(comm)") + 2..];
        let fields: Vec<&str> = after_name.split(' ').collect();
        // Fields 14 and 15 of stat(5), counted from the state (field 3) here.
        (fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap()) * 10
    }
}

/// Polls the staging folder while an attack runs, keeping the largest total size seen.
struct StagingWatch {
    stop: Arc<AtomicBool>,
    peak: Arc<AtomicU64>,
    thread: std::thread::JoinHandle<()>,
}

fn staged(dir: &Path) -> (u64, usize) {
    let mut total = (0, 0);
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        if let Ok(meta) = entry.metadata() {
            total = (total.0 + meta.len(), total.1 + 1);
        }
    }
    total
}

impl StagingWatch {
    fn start(dir: PathBuf) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let peak = Arc::new(AtomicU64::new(0));
        let (s, p) = (Arc::clone(&stop), Arc::clone(&peak));
        let thread = std::thread::spawn(move || {
            while !s.load(Ordering::Relaxed) {
                p.fetch_max(staged(&dir).0, Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(1));
            }
        });
        Self { stop, peak, thread }
    }

    fn finish(self) -> u64 {
        self.stop.store(true, Ordering::Relaxed);
        self.thread.join().unwrap();
        self.peak.load(Ordering::Relaxed)
    }
}

/// Runs `attack` against the server and measures it.
fn measure(server: &Server, name: &'static str, attack: impl FnOnce() -> Report) -> Outcome {
    let proc = Proc(PathBuf::from(format!("/proc/{}", server.child.id())));
    let incoming = server.data_dir.join(".incoming");
    // Let the server settle (freed memory returned, earlier connections closed).
    std::thread::sleep(Duration::from_millis(200));
    let rss = proc.reset_peak();
    let cpu = proc.cpu_ms();
    let watch = StagingWatch::start(incoming.clone());
    let started = Instant::now();
    let (mut answers, note, faults) = attack();
    let elapsed = started.elapsed();
    let staged_peak = watch.finish();
    answers.dedup();
    // A refused upload's staging file goes when its request ends; give that a moment.
    let mut staged_left = staged(&incoming).1;
    for _ in 0..50 {
        if staged_left == 0 {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
        staged_left = staged(&incoming).1;
    }
    Outcome {
        name,
        rss_growth: proc.peak().saturating_sub(rss),
        cpu_ms: proc.cpu_ms() - cpu,
        staged_peak,
        staged_left,
        answers,
        elapsed,
        note,
        faults,
    }
}

/// A request on its own connection: the head is sent at once, the body from `body` chunk by
/// chunk on a thread (stopping quietly if the server closes the connection), while the answer
/// is read here. Returns `"<status> <Code>"`, or `"closed"` when no answer came.
fn request(
    addr: &str,
    content_type: &str,
    content_length: u64,
    body: impl Iterator<Item = Vec<u8>> + Send + 'static,
) -> String {
    let mut stream = TcpStream::connect(addr).expect("the server accepts");
    stream.set_write_timeout(Some(Duration::from_secs(60))).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    write!(
        stream,
        "POST /oss/{BUCKET} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: {content_type}\r\nContent-Length: {content_length}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut writer = stream.try_clone().unwrap();
    let sender = std::thread::spawn(move || {
        for chunk in body {
            if writer.write_all(&chunk).is_err() {
                return;
            }
        }
    });
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    let _ = stream.shutdown(Shutdown::Both);
    sender.join().unwrap();
    summarize(&String::from_utf8_lossy(&answer))
}

/// `"400 EntityTooLarge"` from an HTTP answer; `"closed"` for none.
fn summarize(answer: &str) -> String {
    let Some(status) = answer.strip_prefix("HTTP/1.1 ").and_then(|a| a.get(..3)) else {
        return "closed".to_owned();
    };
    let code = answer.split_once("<Code>").and_then(|(_, rest)| rest.split_once("</Code>")).map(|(code, _)| code);
    code.map_or_else(|| status.to_owned(), |code| format!("{status} {code}"))
}

fn multipart_type() -> String {
    format!("multipart/form-data; boundary={BOUNDARY}")
}

/// The multipart text of `fields`, then the head of the file part (its bytes follow).
fn form_head(fields: &[(&str, &str)]) -> Vec<u8> {
    let mut head = Vec::new();
    for (name, value) in fields {
        write!(head, "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").unwrap();
    }
    write!(
        head,
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"f.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n"
    )
    .unwrap();
    head
}

fn form_tail() -> Vec<u8> {
    format!("\r\n--{BOUNDARY}--\r\n").into_bytes()
}

/// `head`, `size` bytes of filler in 64 KiB chunks, then `tail`.
fn body(head: Vec<u8>, size: u64, tail: Vec<u8>) -> (u64, impl Iterator<Item = Vec<u8>> + Send + 'static) {
    const CHUNK: u64 = 64 * 1024;
    let len = head.len() as u64 + size + tail.len() as u64;
    let filler =
        (0..size.div_ceil(CHUNK)).map(move |i| vec![b'a'; usize::try_from(CHUNK.min(size - i * CHUNK)).unwrap()]);
    (len, std::iter::once(head).chain(filler).chain(std::iter::once(tail)))
}

/// `bytes` in MiB with one decimal.
fn mib(bytes: u64) -> String {
    format!("{}.{}", bytes / MIB, bytes % MIB * 10 / MIB)
}

fn signed_fields<'a>(form: &'a FormFields, key: &'a str) -> Vec<(&'a str, &'a str)> {
    std::iter::once(("key", key)).chain(form.iter()).collect()
}

fn addr(server: &Server) -> String {
    server.url.trim_start_matches("http://").to_owned()
}

#[test]
fn untrusted_uploads_cannot_exhaust_the_server() {
    // Resetting this process's own peak is harmless, and tells whether it can be done.
    if std::fs::write("/proc/self/clear_refs", "5").is_err() {
        eprintln!("skipped: this test reads and resets the server's peak memory in /proc (Linux only)");
        return;
    }
    let server = Server::start("abuse", &SERVER_ARGS);
    let addr = addr(&server);
    let form = signed_form(&server, 10 * MIB);
    let mut outcomes = Vec::new();

    outcomes.push(measure(&server, "64 MiB body with no boundary", || {
        let (len, chunks) = body(Vec::new(), 64 * MIB, Vec::new());
        (vec![request(&addr, &multipart_type(), len, chunks)], String::new(), Vec::new())
    }));

    outcomes.push(measure(&server, "64 MiB part header that never ends", || {
        let head = format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"x\"\r\nX-Long: ").into_bytes();
        let (len, chunks) = body(head, 64 * MIB, Vec::new());
        (vec![request(&addr, &multipart_type(), len, chunks)], String::new(), Vec::new())
    }));

    outcomes.push(measure(&server, "500k empty fields", || {
        let field = format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n\r\n").into_bytes();
        let count = 500_000u64;
        let tail = format!("--{BOUNDARY}--\r\n").into_bytes();
        let len = field.len() as u64 * count + tail.len() as u64;
        let chunk: Vec<u8> = field.repeat(1000);
        let chunks = std::iter::repeat_n(chunk, 500).chain(std::iter::once(tail));
        (vec![request(&addr, &multipart_type(), len, chunks)], format!("{len} bytes"), Vec::new())
    }));

    outcomes.push(measure(&server, "unsigned form, 64 MiB file", || {
        let (len, chunks) = body(form_head(&[("key", "user-dir/unsigned")]), 64 * MIB, form_tail());
        (vec![request(&addr, &multipart_type(), len, chunks)], String::new(), Vec::new())
    }));

    outcomes.push(measure(&server, "policy max 10 MiB, 40 MiB file", || {
        let (len, chunks) = body(form_head(&signed_fields(&form, "user-dir/big")), 40 * MIB, form_tail());
        (vec![request(&addr, &multipart_type(), len, chunks)], String::new(), Vec::new())
    }));

    outcomes.push(measure(&server, "20 clients send half a request and stall", || stall(&server, &form, 20, false)));

    outcomes
        .push(measure(&server, "20 clients send half a request head and stall", || stall(&server, &form, 20, true)));

    outcomes.push(measure(&server, "key with a 300-byte path segment", || {
        let key = format!("user-dir/{}", "s".repeat(300));
        let (len, chunks) = body(form_head(&signed_fields(&form, &key)), 1000, form_tail());
        (vec![request(&addr, &multipart_type(), len, chunks)], String::new(), Vec::new())
    }));

    outcomes.push(measure(&server, "a 6 GB Content-Length", || {
        let (_, chunks) = body(form_head(&signed_fields(&form, "user-dir/huge")), MIB, Vec::new());
        (vec![request(&addr, &multipart_type(), 6_000_000_000, chunks)], String::new(), Vec::new())
    }));

    outcomes.push(measure(&server, "40 concurrent valid uploads", || valid_uploads(&server, &form, 40)));

    let mut table = String::from("\nattack | RSS growth | CPU | staged peak | left | answers | time | note\n");
    for o in &outcomes {
        let _ = writeln!(
            table,
            "{} | {} MiB | {} ms | {} MiB | {} | {} | {:.1} s | {}",
            o.name,
            mib(o.rss_growth),
            o.cpu_ms,
            mib(o.staged_peak),
            o.staged_left,
            o.answers.join(", "),
            o.elapsed.as_secs_f64(),
            o.note
        );
    }
    eprintln!("{table}");
    assert_limits(&outcomes, &table);
}

/// The server under attack: the defaults, but a read timeout of a second.
const SERVER_ARGS: [&str; 2] = ["--read-timeout", "1"];

/// Every attack within the limits, with the answer expected (`None`: any, or the connection
/// closed while the attacker was still sending) and the most it may stage.
fn assert_limits(outcomes: &[Outcome], table: &str) {
    let expected: [(&str, &[&str], u64); 10] = [
        ("64 MiB body with no boundary", &["400 MalformedPOSTRequest"], 0),
        ("64 MiB part header that never ends", &["400 MalformedPOSTRequest"], 0),
        ("500k empty fields", &["400 MaxPOSTPreDataLengthExceededError"], 0),
        ("unsigned form, 64 MiB file", &["403 AccessDenied"], 0),
        ("policy max 10 MiB, 40 MiB file", &["400 EntityTooLarge"], 10 * MIB),
        ("20 clients send half a request and stall", &["400 RequestTimeout"], 20 * 100 * 1024),
        ("20 clients send half a request head and stall", &["closed"], 0),
        ("key with a 300-byte path segment", &["400 InvalidObjectName"], 0),
        ("a 6 GB Content-Length", &["400 EntityTooLarge"], 0),
        ("40 concurrent valid uploads", &["204"], 40 * MIB),
    ];
    let mut faults = Vec::new();
    for o in outcomes {
        let mut fault = |what: String| faults.push(format!("{}: {what}", o.name));
        // Valid uploads at once may each hold hyper's read buffer (~400 KiB) and a chunk.
        let max_rss = if o.name.contains("valid uploads") { 2 * MAX_RSS_GROWTH } else { MAX_RSS_GROWTH };
        if o.rss_growth > max_rss {
            fault(format!("peak memory grew by {} bytes", o.rss_growth));
        }
        if o.staged_left != 0 {
            fault(format!("{} staging files left", o.staged_left));
        }
        o.faults.iter().for_each(|f| fault(f.clone()));
        let Some((_, answers, staged)) = expected.iter().find(|(name, ..)| *name == o.name) else {
            continue;
        };
        // A refusal sent while the client is still sending may reach it as a reset instead.
        if o.answers.iter().any(|a| a != "closed" && !answers.contains(&a.as_str())) {
            fault(format!("answered {:?}, expected {answers:?}", o.answers));
        }
        if o.staged_peak > *staged {
            fault(format!("staged {} bytes, at most {staged} expected", o.staged_peak));
        }
    }
    assert!(faults.is_empty(), "{}\n{table}", faults.join("\n"));
}

/// `clients` connections each send a signed form and the first 100 KiB of a 1 MiB file (or,
/// with `head_only`, half a request head), then send nothing more. Waits until the server has
/// closed all of them or twice the read timeout plus 2 s have passed; a fault for each one
/// still open then, and for staging files left while the connections are still open.
fn stall(server: &Server, form: &FormFields, clients: usize, head_only: bool) -> Report {
    let addr = addr(server);
    let mut streams = Vec::new();
    for i in 0..clients {
        let key = format!("user-dir/stall-{i}");
        let head = form_head(&signed_fields(form, &key));
        let len = head.len() as u64 + MIB + form_tail().len() as u64;
        let mut stream = TcpStream::connect(&addr).expect("the server accepts");
        let request_head = format!(
            "POST /oss/{BUCKET} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: {}\r\nContent-Length: {len}\r\n\r\n",
            multipart_type()
        );
        if head_only {
            stream.write_all(&request_head.as_bytes()[..request_head.len() / 2]).unwrap();
        } else {
            stream.write_all(request_head.as_bytes()).unwrap();
            stream.write_all(&head).unwrap();
            stream.write_all(&vec![b'a'; 100 * 1024]).unwrap();
        }
        streams.push(stream);
    }
    let sent = Instant::now();
    std::thread::sleep(Duration::from_millis(300));
    let staging_during = staged(&server.data_dir.join(".incoming")).1;
    let deadline = sent + Duration::from_secs(2 * READ_TIMEOUT_SECS + 2);
    let answers = Arc::new(Mutex::new(Vec::new()));
    let mut last_closed = Duration::ZERO;
    for mut stream in streams {
        let left = deadline.saturating_duration_since(Instant::now()).max(Duration::from_millis(1));
        stream.set_read_timeout(Some(left)).unwrap();
        let mut answer = Vec::new();
        match stream.read_to_end(&mut answer) {
            Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {
                answers.lock().unwrap().push("held".to_owned());
            }
            _ => {
                last_closed = last_closed.max(sent.elapsed());
                answers.lock().unwrap().push(summarize(&String::from_utf8_lossy(&answer)));
            }
        }
    }
    // Still open on this side: the server must have removed the staging files itself.
    let staging_after = staged(&server.data_dir.join(".incoming")).1;
    let answers = std::mem::take(&mut *answers.lock().unwrap());
    let held = answers.iter().filter(|a| *a == "held").count();
    let note = format!(
        "{staging_during} staging files while stalled, {staging_after} after; {} of {clients} closed by the server, the last after {:.1} s",
        clients - held,
        last_closed.as_secs_f64()
    );
    let mut faults = Vec::new();
    if held > 0 {
        faults.push(format!("{held} connections still open after {:.1} s", sent.elapsed().as_secs_f64()));
    }
    if staging_after > 0 {
        faults.push(format!("{staging_after} staging files kept for connections the server gave up on"));
    }
    (answers, note, faults)
}

/// `clients` signed uploads of different 1 MiB files at once; checks each stored object's MD5.
fn valid_uploads(server: &Server, form: &FormFields, clients: usize) -> Report {
    let addr = addr(server);
    let threads: Vec<_> = (0..clients)
        .map(|i| {
            let key = format!("user-dir/load/{i}");
            let head = form_head(&signed_fields(form, &key));
            let bytes: Vec<u8> = (0..1usize << 20).map(|j| ((j * 31 + i * 7) ^ (j >> 10)).to_le_bytes()[0]).collect();
            let addr = addr.clone();
            std::thread::spawn(move || {
                let digest = Md5::digest(&bytes);
                let tail = form_tail();
                let len = (head.len() + bytes.len() + tail.len()) as u64;
                let chunks = [head, bytes, tail].into_iter();
                (key, digest, request(&addr, &multipart_type(), len, chunks))
            })
        })
        .collect();
    let mut answers = Vec::new();
    let mut intact = 0;
    for thread in threads {
        let (key, digest, answer) = thread.join().unwrap();
        if server.stored(&key).is_some_and(|stored| Md5::digest(&stored) == digest) {
            intact += 1;
        }
        answers.push(answer);
    }
    answers.sort();
    let faults = if intact == clients { Vec::new() } else { vec![format!("only {intact} of {clients} stored intact")] };
    (answers, format!("{intact} of {clients} stored intact"), faults)
}

/// `--max-uploads`: an upload over the limit is answered 503 at once, as OSS answers too many
/// requests in flight, and a permit comes back when an upload ends (here by timing out).
#[test]
fn uploads_over_max_uploads_are_refused_with_503() {
    let server = Server::start("abuse-max-uploads", &["--max-uploads", "2", "--read-timeout", "2"]);
    let addr = addr(&server);
    let form = signed_form(&server, MIB);
    let started = Instant::now();
    // Two uploads that stall after their first 100 KiB hold both permits.
    let stalled: Vec<TcpStream> = (0..2)
        .map(|i| {
            let key = format!("user-dir/held-{i}");
            let head = form_head(&signed_fields(&form, &key));
            let mut stream = TcpStream::connect(&addr).unwrap();
            write!(
                stream,
                "POST /oss/{BUCKET} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: {}\r\nContent-Length: {}\r\n\r\n",
                multipart_type(),
                head.len() as u64 + MIB
            )
            .unwrap();
            stream.write_all(&head).unwrap();
            stream.write_all(&vec![b'a'; 100 * 1024]).unwrap();
            stream
        })
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    let upload = |key: &str| {
        let (len, chunks) = body(form_head(&signed_fields(&form, key)), 1000, form_tail());
        request(&addr, &multipart_type(), len, chunks)
    };
    assert_eq!(upload("user-dir/third"), "503 ActiveRequestLimitExceeded");
    assert!(started.elapsed() < Duration::from_secs(2), "answered at once, not after the stalled uploads");
    // Once the stalled uploads time out, their permits are back.
    std::thread::sleep(Duration::from_secs(3).saturating_sub(started.elapsed()));
    assert_eq!(upload("user-dir/fourth"), "204");
    drop(stalled);
    assert_eq!(server.stored("user-dir/fourth").map(|b| b.len()), Some(1000));
}
