//! tokio baseline for cfuture's benchmarks (bench/run.mjs runs it beside
//! the C benches, in the same invocation).
//!
//!   cfuture-tokio-bench <workload> <n> <reps> [extra]
//!     w1       spawn+join n trivial tasks on a current_thread runtime:
//!              spawn all, then await each JoinHandle in order
//!              (ns/task; bytes/task = heap growth while the n tasks are
//!              spawned and not yet run, from glibc's mallinfo2, the same
//!              measure the C bench uses)
//!     w2       one task waking itself n times (wake_by_ref + Pending)
//!     w3pp     ping-pong of n round trips through two bounded(1) mpsc
//!              channels between two tasks (ns per round trip)
//!     w3rr     request/reply: n requests over a bounded(1) mpsc, each
//!              carrying a oneshot sender for its reply (ns per round trip)
//!     timers   n sleeps (1000+0..50 ms) registered by a first poll, then
//!              dropped in random order (ns/insert, ns/cancel); extra: churn
//!              pairs (drop one, register a new one) at n pending
//!
//! One warm-up run, then `reps` measured runs, each on a fresh
//! current_thread runtime; one JSON object per measurement on stdout, the
//! same shape as bench/native/cfb_native.c prints.
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

#[repr(C)]
#[derive(Default)]
struct MallInfo2 {
    arena: usize,
    ordblks: usize,
    smblks: usize,
    hblks: usize,
    hblkhd: usize,
    usmblks: usize,
    fsmblks: usize,
    uordblks: usize,
    fordblks: usize,
    keepcost: usize,
}
extern "C" {
    fn mallinfo2() -> MallInfo2;
}
fn heap_used() -> usize {
    let mi = unsafe { mallinfo2() };
    mi.uordblks + mi.hblkhd
}

fn emit(w: &str, n: u64, metric: &str, v: f64) {
    println!(
        "{{\"workload\":\"{}\",\"n\":{},\"metric\":\"{}\",\"value\":{:.4}}}",
        w, n, metric, v
    );
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("runtime")
}

struct Spin {
    n: u64,
    count: u64,
}
impl Future for Spin {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.count < self.n {
            self.count += 1;
            cx.waker().wake_by_ref();
            Poll::Pending
        } else {
            Poll::Ready(())
        }
    }
}

/// Polls `f` exactly once (registers a timer for a Sleep).
struct PollOnce<'a, F: Future + Unpin>(&'a mut F);
impl<'a, F: Future + Unpin> Future for PollOnce<'a, F> {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let _ = Pin::new(&mut *self.0).poll(cx);
        Poll::Ready(())
    }
}

fn xorshift(s: &mut u32) -> u32 {
    let mut x = *s;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *s = x;
    x
}

fn run(w: &str, n: u64, extra: u64, print: bool) {
    let rt = rt();
    match w {
        "w1" => rt.block_on(async {
            let mut hs = Vec::with_capacity(n as usize);
            let m0 = heap_used();
            let t0 = Instant::now();
            for i in 0..n {
                hs.push(tokio::spawn(async move { i }));
            }
            let t1 = Instant::now();
            let bytes = (heap_used() - m0) as f64 / n as f64;
            let t2 = Instant::now();
            let mut sum = 0u64;
            for h in hs {
                sum = sum.wrapping_add(h.await.unwrap());
            }
            let ns = ((t1 - t0) + t2.elapsed()).as_nanos() as f64 / n as f64;
            assert_eq!(sum, n * (n - 1) / 2);
            if print {
                emit(w, n, "ns_per_task", ns);
                emit(w, n, "bytes_per_task", bytes);
            }
        }),
        "w2" => rt.block_on(async {
            let t0 = Instant::now();
            tokio::spawn(Spin { n, count: 0 }).await.unwrap();
            if print {
                emit(w, n, "ns_per_wake", t0.elapsed().as_nanos() as f64 / n as f64);
            }
        }),
        "w3pp" => rt.block_on(async {
            let (to_b, mut b_rx) = tokio::sync::mpsc::channel::<u64>(1);
            let (to_a, mut a_rx) = tokio::sync::mpsc::channel::<u64>(1);
            let t0 = Instant::now();
            let pong = tokio::spawn(async move {
                while let Some(v) = b_rx.recv().await {
                    if to_a.send(v + 1).await.is_err() {
                        break;
                    }
                }
            });
            let mut v = 0u64;
            for _ in 0..n {
                to_b.send(v).await.unwrap();
                v = a_rx.recv().await.unwrap();
            }
            drop(to_b);
            pong.await.unwrap();
            assert_eq!(v, n);
            if print {
                emit(w, n, "ns_per_roundtrip", t0.elapsed().as_nanos() as f64 / n as f64);
            }
        }),
        "w3rr" => rt.block_on(async {
            let (tx, mut rx) =
                tokio::sync::mpsc::channel::<(u64, tokio::sync::oneshot::Sender<u64>)>(1);
            let t0 = Instant::now();
            let server = tokio::spawn(async move {
                while let Some((v, reply)) = rx.recv().await {
                    let _ = reply.send(v + 1);
                }
            });
            let mut v = 0u64;
            for _ in 0..n {
                let (otx, orx) = tokio::sync::oneshot::channel();
                tx.send((v, otx)).await.unwrap();
                v = orx.await.unwrap();
            }
            drop(tx);
            server.await.unwrap();
            assert_eq!(v, n);
            if print {
                emit(w, n, "ns_per_roundtrip", t0.elapsed().as_nanos() as f64 / n as f64);
            }
        }),
        "timers" => rt.block_on(async {
            let mut seed = 12345u32;
            let mut sleeps: Vec<Pin<Box<tokio::time::Sleep>>> = Vec::with_capacity(n as usize);
            let mut perm: Vec<usize> = (0..n as usize).collect();
            for i in (1..n as usize).rev() {
                let j = xorshift(&mut seed) as usize % (i + 1);
                perm.swap(i, j);
            }
            // Creating a Sleep reads the clock and allocates its box; the
            // timer entry is registered with the wheel on the first poll.
            let t0 = Instant::now();
            for _ in 0..n {
                let ms = 1001 + (xorshift(&mut seed) % 50) as u64;
                let mut s = Box::pin(tokio::time::sleep(Duration::from_millis(ms)));
                PollOnce(&mut s).await;
                sleeps.push(s);
            }
            let insert = t0.elapsed().as_nanos() as f64 / n as f64;
            let t0 = Instant::now();
            for i in 0..extra as usize {
                let k = perm[i % n as usize];
                let ms = 1001 + (xorshift(&mut seed) % 50) as u64;
                let mut s = Box::pin(tokio::time::sleep(Duration::from_millis(ms)));
                PollOnce(&mut s).await;
                sleeps[k] = s; // drops (cancels) the old one
            }
            let churn = if extra > 0 {
                t0.elapsed().as_nanos() as f64 / extra as f64
            } else {
                0.0
            };
            let mut slots: Vec<Option<Pin<Box<tokio::time::Sleep>>>> =
                sleeps.into_iter().map(Some).collect();
            let t0 = Instant::now();
            for &k in &perm {
                slots[k] = None;
            }
            let cancel = t0.elapsed().as_nanos() as f64 / n as f64;
            if print {
                emit(w, n, "ns_per_insert", insert);
                emit(w, n, "ns_per_cancel", cancel);
                emit(w, n, "ns_per_churn", churn);
            }
        }),
        _ => {
            eprintln!("unknown workload {}", w);
            std::process::exit(2);
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 4 {
        eprintln!("usage: {} w1|w2|w3pp|w3rr|timers n reps [extra]", args[0]);
        std::process::exit(2);
    }
    let n: u64 = args[2].parse().expect("n");
    let reps: u64 = args[3].parse().expect("reps");
    let extra: u64 = args.get(4).map(|s| s.parse().expect("extra")).unwrap_or(0);
    run(&args[1], n, extra, false);
    for _ in 0..reps {
        run(&args[1], n, extra, true);
    }
}
