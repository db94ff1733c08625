//! The unix socket the host dials: where it lives, who may open it, and cleaning up after
//! launches that were killed before they could remove theirs.

use std::ffi::{CString, OsStr};
use std::fs;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

/// Directory for the socket; the system temp directory when unset.
pub const SOCKET_DIR_KEY: &str = "PLUGIN_UNIX_SOCKET_DIR";
/// Group (name or numeric id) that may also open the socket.
pub const SOCKET_GROUP_KEY: &str = "PLUGIN_UNIX_SOCKET_GROUP";

const SUFFIX: &str = ".sock";

/// A bound listening socket and the file that represents it.
#[derive(Debug)]
pub struct BoundSocket {
    /// Non-blocking, ready for `tokio::net::UnixListener::from_std`.
    pub listener: UnixListener,
    /// Absolute path of the socket file.
    pub path: PathBuf,
}

/// Where to put the socket and who may use it.
#[derive(Debug, Clone)]
pub struct SocketOptions {
    /// Directory for the socket file.
    pub dir: PathBuf,
    /// File names start with this (the binary name), so stale files can be recognised.
    pub prefix: String,
    /// Group allowed to connect besides the owner.
    pub group: Option<String>,
}

impl SocketOptions {
    /// Reads [`SOCKET_DIR_KEY`] and [`SOCKET_GROUP_KEY`] through `lookup`.
    pub fn from_env(prefix: &str, lookup: impl Fn(&str) -> Option<String>) -> Self {
        let dir = lookup(SOCKET_DIR_KEY)
            .filter(|d| !d.is_empty())
            .map(PathBuf::from)
            .unwrap_or_else(std::env::temp_dir);
        Self {
            dir,
            prefix: prefix.to_owned(),
            group: lookup(SOCKET_GROUP_KEY).filter(|g| !g.is_empty()),
        }
    }
}

/// `<prefix>.<pid>.<nonce>.sock`: the pid lets a later launch tell whether the owner is gone.
pub fn socket_file_name(prefix: &str, pid: u32, nonce: u64) -> String {
    format!("{prefix}.{pid}.{nonce:x}{SUFFIX}")
}

/// The pid in a name made by [`socket_file_name`] with the same prefix.
pub fn parse_socket_file_name(prefix: &str, name: &str) -> Option<u32> {
    let rest = name.strip_prefix(prefix)?.strip_prefix('.')?;
    let rest = rest.strip_suffix(SUFFIX)?;
    let (pid, nonce) = rest.split_once('.')?;
    if nonce.is_empty() || !nonce.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    pid.parse().ok()
}

/// Binds a fresh socket readable and writable by the owner only (0600), or by the owner and
/// `group` (0660) when one is given.
pub fn bind(options: &SocketOptions) -> io::Result<BoundSocket> {
    bind_inner(options, false)
}

/// [`bind`], with the umask narrowed around `bind(2)` so the file never exists with wider
/// permissions, even for a moment. The umask is process-wide: only for start-up, before
/// other threads exist.
pub fn bind_at_startup(options: &SocketOptions) -> io::Result<BoundSocket> {
    bind_inner(options, true)
}

fn bind_inner(options: &SocketOptions, narrow_umask: bool) -> io::Result<BoundSocket> {
    let dir = absolute(&options.dir)?;
    let pid = std::process::id();
    let nonce = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or_default();
    let path = dir.join(socket_file_name(&options.prefix, pid, nonce));
    // Our pid is in the name, so an existing file can only be a leftover of a dead process
    // that had the same pid.
    match fs::remove_file(&path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    let listener = if narrow_umask {
        // SAFETY: umask only swaps the process file-mode mask.
        let previous = unsafe { libc::umask(0o177) };
        let listener = UnixListener::bind(&path);
        // SAFETY: as above, restoring the previous mask.
        unsafe { libc::umask(previous) };
        listener?
    } else {
        UnixListener::bind(&path)?
    };
    let finish = || -> io::Result<()> {
        let mode = match &options.group {
            Some(group) => {
                let gid = resolve_group(group)?;
                std::os::unix::fs::chown(&path, None, Some(gid))?;
                0o660
            }
            None => 0o600,
        };
        fs::set_permissions(&path, fs::Permissions::from_mode(mode))?;
        listener.set_nonblocking(true)
    };
    if let Err(e) = finish() {
        let _ = fs::remove_file(&path);
        return Err(e);
    }
    Ok(BoundSocket { listener, path })
}

/// Removes the socket file when dropped, unwinding included.
#[derive(Debug)]
pub struct RemoveOnDrop(pub PathBuf);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.0);
    }
}

fn absolute(dir: &Path) -> io::Result<PathBuf> {
    if dir.is_absolute() {
        Ok(dir.to_path_buf())
    } else {
        Ok(std::env::current_dir()?.join(dir))
    }
}

/// A numeric gid, or a group name looked up in the group database.
fn resolve_group(group: &str) -> io::Result<u32> {
    if let Ok(gid) = group.parse::<u32>() {
        return Ok(gid);
    }
    let name = CString::new(group)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "group name contains NUL"))?;
    let mut buf = vec![0u8; 1024];
    loop {
        // SAFETY: all-zero is a valid `group` value; getgrnam_r fills it in.
        let mut entry: libc::group = unsafe { std::mem::zeroed() };
        let mut result: *mut libc::group = std::ptr::null_mut();
        // SAFETY: every pointer is valid for the call and `buf` outlives it.
        let rc = unsafe {
            libc::getgrnam_r(
                name.as_ptr(),
                &mut entry,
                buf.as_mut_ptr().cast(),
                buf.len(),
                &mut result,
            )
        };
        if rc == libc::ERANGE && buf.len() < 1 << 20 {
            buf.resize(buf.len() * 2, 0);
            continue;
        }
        if rc != 0 {
            return Err(io::Error::from_raw_os_error(rc));
        }
        if result.is_null() {
            return Err(io::Error::new(
                io::ErrorKind::NotFound,
                format!("{SOCKET_GROUP_KEY}: no group named {group:?}"),
            ));
        }
        return Ok(entry.gr_gid);
    }
}

/// Whether a process with this pid is gone (EPERM means it exists under another user).
fn process_is_dead(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return false;
    };
    // SAFETY: signal 0 only checks for existence.
    let rc = unsafe { libc::kill(pid, 0) };
    rc != 0 && io::Error::last_os_error().raw_os_error() == Some(libc::ESRCH)
}

/// Removes sockets that earlier launches of this binary left behind when they were killed.
///
/// Only our own sockets (name prefix, socket type, our uid) whose pid is dead, and only when
/// nothing answers on them (the pid may be from another pid namespace sharing the
/// directory). Returns the paths removed.
pub fn sweep_stale(dir: &Path, prefix: &str) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    // SAFETY: geteuid cannot fail.
    let uid = unsafe { libc::geteuid() };
    let me = std::process::id();
    let mut removed = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name_pid(prefix, &name) else {
            continue;
        };
        if pid == me || !process_is_dead(pid) {
            continue;
        }
        let path = entry.path();
        let Ok(meta) = fs::symlink_metadata(&path) else {
            continue;
        };
        if !meta.file_type().is_socket() || meta.uid() != uid {
            continue;
        }
        let refused = matches!(
            UnixStream::connect(&path),
            Err(e) if e.kind() == io::ErrorKind::ConnectionRefused
        );
        if refused && fs::remove_file(&path).is_ok() {
            removed.push(path);
        }
    }
    removed
}

fn name_pid(prefix: &str, name: &OsStr) -> Option<u32> {
    parse_socket_file_name(prefix, std::str::from_utf8(name.as_bytes()).ok()?)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A fresh empty directory under the system temp directory, removed on drop.
    pub(crate) struct TempDir(pub(crate) PathBuf);

    impl TempDir {
        pub(crate) fn new() -> Self {
            static COUNTER: AtomicUsize = AtomicUsize::new(0);
            let n = COUNTER.fetch_add(1, Ordering::Relaxed);
            let dir = std::env::temp_dir().join(format!("ecs-plugin-{}-{n}", std::process::id()));
            let _ = fs::remove_dir_all(&dir);
            fs::create_dir_all(&dir).unwrap();
            Self(dir)
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    fn options(dir: &Path) -> SocketOptions {
        SocketOptions {
            dir: dir.to_path_buf(),
            prefix: "terraform-provider-ecs".into(),
            group: None,
        }
    }

    #[test]
    fn names_round_trip() {
        let name = socket_file_name("terraform-provider-ecs", 4242, 0xdead_beef);
        assert_eq!(name, "terraform-provider-ecs.4242.deadbeef.sock");
        assert_eq!(
            parse_socket_file_name("terraform-provider-ecs", &name),
            Some(4242)
        );
        assert_eq!(
            parse_socket_file_name("terraform-provider-aws", &name),
            None
        );
        assert_eq!(
            parse_socket_file_name("terraform-provider-ecs", "plugin123"),
            None
        );
        assert_eq!(
            parse_socket_file_name("terraform-provider-ecs", "terraform-provider-ecs.x.1.sock"),
            None
        );
        assert_eq!(
            parse_socket_file_name("terraform-provider-ecs", "terraform-provider-ecs.1.zz.sock"),
            None
        );
    }

    #[test]
    fn env_options() {
        let opts = SocketOptions::from_env("p", |k| match k {
            SOCKET_DIR_KEY => Some("/run/x".into()),
            SOCKET_GROUP_KEY => Some("".into()),
            _ => None,
        });
        assert_eq!(opts.dir, PathBuf::from("/run/x"));
        assert_eq!(opts.group, None);
        let opts = SocketOptions::from_env("p", |_| None);
        assert_eq!(opts.dir, std::env::temp_dir());
    }

    #[test]
    fn bound_socket_is_owner_only_and_absolute() {
        let dir = TempDir::new();
        let bound = bind(&options(&dir.0)).unwrap();
        assert!(bound.path.is_absolute());
        let meta = fs::symlink_metadata(&bound.path).unwrap();
        assert!(meta.file_type().is_socket());
        assert_eq!(meta.permissions().mode() & 0o777, 0o600);
        let name = bound.path.file_name().unwrap().to_str().unwrap();
        assert_eq!(
            parse_socket_file_name("terraform-provider-ecs", name),
            Some(std::process::id())
        );
        UnixStream::connect(&bound.path).unwrap();
    }

    #[test]
    fn group_socket_is_0660() {
        let dir = TempDir::new();
        // SAFETY: getegid cannot fail.
        let gid = unsafe { libc::getegid() };
        let mut opts = options(&dir.0);
        opts.group = Some(gid.to_string());
        let bound = bind(&opts).unwrap();
        let meta = fs::symlink_metadata(&bound.path).unwrap();
        assert_eq!(meta.permissions().mode() & 0o777, 0o660);
        assert_eq!(meta.gid(), gid);

        opts.group = Some("no-such-group-for-sure".into());
        assert!(bind(&opts).is_err());
    }

    #[test]
    fn sweep_removes_only_dead_owners_sockets() {
        let dir = TempDir::new();
        let prefix = "terraform-provider-ecs";
        // A pid that cannot be running: above the kernel's pid_max limit.
        let dead = 0x3fff_fff0u32;
        let stale = dir.0.join(socket_file_name(prefix, dead, 1));
        drop(UnixListener::bind(&stale).unwrap());
        // Live socket with a dead pid in its name: something still answers, keep it.
        let answering = dir.0.join(socket_file_name(prefix, dead, 2));
        let _live = UnixListener::bind(&answering).unwrap();
        // Our own pid: alive.
        let mine = dir.0.join(socket_file_name(prefix, std::process::id(), 3));
        drop(UnixListener::bind(&mine).unwrap());
        // Someone else's naming, and a regular file with our naming.
        let foreign = dir
            .0
            .join(socket_file_name("terraform-provider-aws", dead, 4));
        drop(UnixListener::bind(&foreign).unwrap());
        let regular = dir.0.join(socket_file_name(prefix, dead, 5));
        fs::write(&regular, b"").unwrap();

        let removed = sweep_stale(&dir.0, prefix);
        assert_eq!(removed, vec![stale.clone()]);
        assert!(!stale.exists());
        for kept in [&answering, &mine, &foreign, &regular] {
            assert!(kept.exists(), "{}", kept.display());
        }
    }
}
