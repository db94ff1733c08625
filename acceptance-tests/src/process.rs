//! Child processes that must not outlive the test process.
//!
//! Three layers make sure an endpoint (and the moto server under it) is gone when a test binary
//! ends, however it ends:
//!
//! * every guarded child is forked by one long-lived thread and asks the kernel for `SIGTERM`
//!   when that thread dies (`PR_SET_PDEATHSIG`; the signal is tied to the forking *thread*, which
//!   is why test threads, which come and go, never fork these children themselves). This covers
//!   `SIGKILL`, aborts and timeouts of the test process;
//! * an `atexit` handler sends `SIGTERM` to every live guarded child when the process exits
//!   normally (libtest ends with `exit`, which runs it but no destructors of statics);
//! * [`Guarded`] terminates its child on drop (dedicated endpoints dropped by a test, also while
//!   unwinding from a panic).

use std::io;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command};
use std::sync::mpsc;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

type SpawnRequest = (Command, mpsc::Sender<io::Result<Child>>);

static LIVE: Mutex<Vec<u32>> = Mutex::new(Vec::new());
static REMOVE_AT_EXIT: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn spawner() -> &'static Mutex<mpsc::Sender<SpawnRequest>> {
    static SPAWNER: OnceLock<Mutex<mpsc::Sender<SpawnRequest>>> = OnceLock::new();
    SPAWNER.get_or_init(|| {
        let (tx, rx) = mpsc::channel::<SpawnRequest>();
        std::thread::Builder::new()
            .name("acc-spawner".into())
            .spawn(move || {
                // The sender lives in a static, so this loop (and the thread) lasts as long as
                // the process: the parent-death signal fires only when the process is gone.
                for (mut cmd, reply) in rx {
                    let _ = reply.send(cmd.spawn());
                }
            })
            .expect("spawn the acc-spawner thread");
        // SAFETY: registering a plain extern "C" function without captured state.
        unsafe {
            libc::atexit(terminate_live_children);
        }
        Mutex::new(tx)
    })
}

extern "C" fn terminate_live_children() {
    // try_lock: never block process exit on a lock held by a thread that was stopped mid-way.
    if let Ok(pids) = LIVE.try_lock() {
        for &pid in pids.iter() {
            // SAFETY: kill(2) on a pid we spawned and have not reaped.
            unsafe {
                libc::kill(pid as libc::pid_t, libc::SIGTERM);
            }
        }
    }
    if let Ok(paths) = REMOVE_AT_EXIT.try_lock() {
        for path in paths.iter() {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// Remove `path` when the process exits (after its guarded children were signalled).
pub fn remove_at_exit(path: PathBuf) {
    spawner();
    REMOVE_AT_EXIT
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(path);
}

/// Spawn `cmd` so that the child receives `SIGTERM` when this process ends.
pub fn spawn_guarded(mut cmd: Command) -> io::Result<Guarded> {
    // SAFETY: getpid() before the fork; only async-signal-safe calls in the child.
    let parent = unsafe { libc::getpid() };
    unsafe {
        cmd.pre_exec(move || {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM as libc::c_ulong) != 0 {
                return Err(io::Error::last_os_error());
            }
            // The parent may have died between fork and prctl.
            if libc::getppid() != parent {
                libc::_exit(1);
            }
            Ok(())
        });
    }
    let (reply_tx, reply_rx) = mpsc::channel();
    spawner()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .send((cmd, reply_tx))
        .map_err(|_| io::Error::other("spawner thread is gone"))?;
    let child = reply_rx
        .recv()
        .map_err(|_| io::Error::other("spawner thread is gone"))??;
    LIVE.lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(child.id());
    Ok(Guarded { child: Some(child) })
}

/// A child process terminated (SIGTERM, then SIGKILL after a grace period) when dropped.
#[derive(Debug)]
pub struct Guarded {
    child: Option<Child>,
}

impl Guarded {
    /// The child's process id.
    pub fn id(&self) -> u32 {
        self.child.as_ref().map(Child::id).unwrap_or(0)
    }

    /// The underlying child, e.g. to take its pipes.
    pub fn child_mut(&mut self) -> &mut Child {
        self.child.as_mut().expect("child present until drop")
    }

    /// Whether the child has exited (and its status if so).
    pub fn try_wait(&mut self) -> Option<std::process::ExitStatus> {
        self.child_mut().try_wait().ok().flatten()
    }

    /// Send SIGTERM and reap the child in the background, escalating to SIGKILL after `grace`.
    pub fn terminate(mut self, grace: Duration) {
        if let Some(child) = self.child.take() {
            terminate_child(child, grace);
        }
    }
}

impl Drop for Guarded {
    fn drop(&mut self) {
        if let Some(child) = self.child.take() {
            terminate_child(child, Duration::from_secs(10));
        }
    }
}

fn terminate_child(mut child: Child, grace: Duration) {
    let pid = child.id();
    // SAFETY: kill(2) on our own unreaped child.
    unsafe {
        libc::kill(pid as libc::pid_t, libc::SIGTERM);
    }
    // Reap in the background so dropping an endpoint does not stall the test for the
    // seconds moto needs to shut down.
    let _ = std::thread::Builder::new()
        .name("acc-reaper".into())
        .spawn(move || {
            let deadline = Instant::now() + grace;
            loop {
                match child.try_wait() {
                    Ok(Some(_)) | Err(_) => break,
                    Ok(None) if Instant::now() >= deadline => {
                        let _ = child.kill();
                        let _ = child.wait();
                        break;
                    }
                    Ok(None) => std::thread::sleep(Duration::from_millis(50)),
                }
            }
            LIVE.lock()
                .unwrap_or_else(|e| e.into_inner())
                .retain(|&p| p != pid);
        });
}
