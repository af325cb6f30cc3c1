//! Directory listings that stay right without touching the disk.
//!
//! The notebook's `list_contents` reads a directory on every call. Reading
//! one may block (a slow disk, a hung network mount), so it runs on the
//! blocking pool, and that hand-off costs more than the listing of a warm
//! directory. Here a listing is remembered together with inotify watches
//! on the directory and on every directory above it, and served again only
//! while no event has touched any of them: an entry created, deleted or
//! renamed, a permission changed, the directory itself moved or removed.
//! The kernel queues those events before the system call that caused them
//! returns, and every lookup first reads what is queued (a non-blocking
//! `poll` that never touches the disk, then a read when something is
//! queued), so a client that changed a directory and then lists it sees
//! its change, as it would from `os.listdir`.
//!
//! Only plain absolute paths are remembered: one with a symbolic link,
//! `.`/`..` or repeated slashes could resolve differently without an event
//! on the watched directories. Only directories on file systems whose every
//! change goes through this kernel are remembered (local disks, memory file
//! systems, overlays): `/proc`, `/sys` and cgroups grow entries no event
//! announces, and network and FUSE file systems change elsewhere. A change
//! to the mount table (a file system mounted over a remembered directory)
//! forgets everything: the kernel marks `/proc/self/mountinfo` for it, and
//! each lookup polls that mark in the same `poll`. Everything else (relative paths, huge
//! directories, a full watch table) is simply read every time, as before.

use inotify::{EventMask, Inotify, WatchDescriptor, WatchMask, Watches};
use rustix::event::{poll, PollFd, PollFlags, Timespec};
use std::collections::{HashMap, VecDeque};
use std::fs::File;
use std::io;
use std::path::Path;
use std::sync::Mutex;

/// What is remembered of one directory: its names, in the form its
/// callers serve them (cloned on every lookup, so cheaply).
pub(crate) trait Listing: Clone {
    /// The bytes it holds, counted against the cache's bound.
    fn bytes(&self) -> usize;
}

/// Most directories remembered at once.
const MAX_ENTRIES: usize = 256;

/// Most bytes of names remembered in all (larger listings are read anew).
const MAX_NAME_BYTES: usize = 8 << 20;

/// Most watches whose last event is remembered beyond those in use (each
/// watch removed leaves one, its IN_IGNORED).
const MAX_EVENT_MARKS: usize = 4096;

/// Bytes of queued events read at once (one event with a name is at most
/// 16 bytes plus NAME_MAX + 1).
const EVENT_BUFFER_BYTES: usize = 4096;

/// The `statfs` magic numbers of file systems whose every change passes
/// through this kernel's VFS, where inotify reports it: ext2/3/4, XFS,
/// Btrfs, F2FS, ZFS, bcachefs, JFS, tmpfs (and devtmpfs), ramfs, overlayfs,
/// and the read-only SquashFS, EROFS and ISO 9660.
const LOCAL_FILE_SYSTEMS: [i64; 14] = [
    0xEF53,
    0x5846_5342,
    0x9123_683E,
    0xF2F5_2010,
    0x2FC1_2FC1,
    0xCA45_1A4E,
    0x3153_464A,
    0x0102_1994,
    0x8584_58F6,
    0x794C_7630,
    0x7371_7368,
    0xE0F5_E1E2,
    0x9660,
    0x5265_4973,
];

/// Whether inotify reports every change to the directory at `path`.
#[allow(
    clippy::useless_conversion,
    reason = "f_type is an i64 on x86_64, narrower on other targets"
)]
fn reports_every_change(path: &str) -> bool {
    rustix::fs::statfs(path)
        .is_ok_and(|stats| LOCAL_FILE_SYSTEMS.contains(&i64::from(stats.f_type)))
}

/// What invalidates a remembered listing, on the directory and its parents.
fn watch_mask() -> WatchMask {
    WatchMask::CREATE
        | WatchMask::DELETE
        | WatchMask::MOVED_FROM
        | WatchMask::MOVED_TO
        | WatchMask::ATTRIB
        | WatchMask::DELETE_SELF
        | WatchMask::MOVE_SELF
}

struct Entry<T> {
    listing: T,
    bytes: usize,
    watches: Vec<WatchDescriptor>,
}

struct State<T> {
    inotify: Inotify,
    entries: HashMap<String, Entry<T>>,
    /// Insertion order, for eviction (may name entries already gone).
    order: VecDeque<String>,
    /// Remembered paths that depend on each watch.
    dependents: HashMap<WatchDescriptor, Vec<String>>,
    bytes: usize,
    /// Events read so far, and the count when each watch last had one.
    events: u64,
    last_event: HashMap<WatchDescriptor, u64>,
    /// The event count when `last_event` was last trimmed: a listing read
    /// across a trim cannot tell whether its watches saw an event.
    trimmed_at: u64,
    /// Where queued events are read: kept between lookups, as zeroing a
    /// fresh one cost more than the rest of a remembered lookup.
    event_buffer: Box<[u8]>,
    /// `/proc/self/mountinfo`, which polls with a priority event once
    /// after each change to the mount table.
    mounts: File,
}

/// What a lookup must deal with first (see `State::pending`).
struct Pending {
    /// The mount table changed: nothing remembered can be trusted.
    mounts_changed: bool,
    /// inotify has events queued (or an error to report): read them.
    events_queued: bool,
}

/// Remembered listings, each valid until an inotify event says otherwise.
pub(crate) struct Listings<T> {
    state: Mutex<State<T>>,
    watches: Watches,
}

impl<T: Listing> Listings<T> {
    /// A new, empty cache; `None` where inotify is unavailable.
    pub(crate) fn new() -> Option<Listings<T>> {
        let inotify = Inotify::init()
            .map_err(|e| tracing::warn!(error = %e, "directory listings will not be cached"))
            .ok()?;
        let watches = inotify.watches();
        let mounts = File::open("/proc/self/mountinfo")
            .map_err(|e| tracing::warn!(error = %e, "directory listings will not be cached"))
            .ok()?;
        Some(Listings {
            state: Mutex::new(State {
                inotify,
                entries: HashMap::new(),
                order: VecDeque::new(),
                dependents: HashMap::new(),
                bytes: 0,
                events: 0,
                last_event: HashMap::new(),
                trimmed_at: 0,
                event_buffer: vec![0; EVENT_BUFFER_BYTES].into_boxed_slice(),
                mounts,
            }),
            watches,
        })
    }

    /// The listing of `path` if it is remembered and nothing has changed it.
    /// Never blocks on the file system.
    pub(crate) fn get(&self, path: &str) -> Option<T> {
        let mut state = self.state.lock().ok()?;
        state.read_events();
        state.entries.get(path).map(|entry| entry.listing.clone())
    }

    /// Reads `path` with `read` (on a thread that may block) and remembers
    /// the result when it can be kept right.
    pub(crate) fn load(
        &self,
        path: &str,
        read: impl FnOnce(&str) -> io::Result<T>,
    ) -> io::Result<T> {
        if !is_plain_absolute(path) || !reports_every_change(path) {
            return read(path);
        }
        let before = match self.state.lock() {
            Ok(mut state) => {
                state.read_events();
                state.events
            }
            Err(_) => return read(path),
        };
        // Watches first, then the read: a change after the read started
        // is an event the check below sees.
        let watches = self.watch(path);
        let listing = read(path)?;
        let Some(watches) = watches else {
            return Ok(listing);
        };
        // Symbolic links resolve elsewhere: only exact paths are kept.
        if std::fs::canonicalize(path).ok().as_deref() != Some(Path::new(path)) {
            if let Ok(mut state) = self.state.lock() {
                state.release(watches);
            }
            return Ok(listing);
        }
        let bytes = listing.bytes();
        if let Ok(mut state) = self.state.lock() {
            state.read_events();
            let changed = state.trimmed_at > before
                || watches
                    .iter()
                    .any(|wd| state.last_event.get(wd).is_some_and(|at| *at > before));
            if changed || bytes > MAX_NAME_BYTES / 4 {
                state.release(watches);
            } else {
                state.insert(path.to_owned(), listing.clone(), bytes, watches);
            }
        }
        Ok(listing)
    }

    /// Watches `path` and every directory above it; `None` if any cannot
    /// be watched.
    fn watch(&self, path: &str) -> Option<Vec<WatchDescriptor>> {
        let mut watches = self.watches.clone();
        let mut added = Vec::new();
        let mut dir = Some(Path::new(path));
        while let Some(current) = dir {
            match watches.add(current, watch_mask()) {
                Ok(wd) => added.push(wd),
                Err(_) => {
                    if let Ok(mut state) = self.state.lock() {
                        state.release(added);
                    }
                    return None;
                }
            }
            dir = current.parent();
        }
        Some(added)
    }
}

impl<T> State<T> {
    /// Drops watches that no remembered listing uses (under the lock, so
    /// no listing starts depending on one between the check and removal).
    fn release(&mut self, watches: Vec<WatchDescriptor>) {
        let mut handle = self.inotify.watches();
        for wd in watches {
            if !self.dependents.contains_key(&wd) {
                let _ = handle.remove(wd);
            }
        }
    }

    /// Reads the queued events and forgets what they invalidate.
    fn read_events(&mut self) {
        let pending = self.pending();
        if pending.mounts_changed {
            // Like a lost event: nothing remembered, nor read meanwhile,
            // can be trusted.
            self.clear();
            self.events += 1;
            self.trimmed_at = self.events;
        }
        if !pending.events_queued {
            return;
        }
        loop {
            let touched: Vec<(WatchDescriptor, bool)> =
                match self.inotify.read_events(&mut self.event_buffer) {
                    Ok(events) => events
                        .map(|e| (e.wd, e.mask.contains(EventMask::Q_OVERFLOW)))
                        .collect(),
                    // WouldBlock: nothing more queued.
                    Err(_) => return,
                };
            if touched.is_empty() {
                return;
            }
            for (wd, overflow) in touched {
                self.events += 1;
                if overflow {
                    // Events were lost: nothing remembered can be trusted.
                    self.clear();
                    continue;
                }
                self.last_event.insert(wd.clone(), self.events);
                for path in self.dependents.remove(&wd).unwrap_or_default() {
                    self.forget(&path);
                }
            }
            if self.last_event.len() > MAX_EVENT_MARKS {
                let dependents = &self.dependents;
                self.last_event.retain(|wd, _| dependents.contains_key(wd));
                self.trimmed_at = self.events;
            }
        }
    }

    /// What the kernel has marked since the last look, asked of the mount
    /// table and the event queue in one `poll` (a lookup with nothing
    /// queued, nearly every one, makes this its only system call).
    fn pending(&self) -> Pending {
        let mut fds = [
            PollFd::new(&self.mounts, PollFlags::PRI),
            PollFd::new(&self.inotify, PollFlags::IN),
        ];
        let now = Timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        match poll(&mut fds, Some(&now)) {
            Ok(_) => Pending {
                mounts_changed: fds[0].revents().intersects(PollFlags::PRI | PollFlags::ERR),
                events_queued: !fds[1].revents().is_empty(),
            },
            // Unknown: as if everything had changed.
            Err(_) => Pending {
                mounts_changed: true,
                events_queued: true,
            },
        }
    }

    fn insert(&mut self, path: String, listing: T, bytes: usize, watches: Vec<WatchDescriptor>) {
        self.forget(&path);
        while (self.entries.len() >= MAX_ENTRIES || self.bytes + bytes > MAX_NAME_BYTES)
            && !self.entries.is_empty()
        {
            match self.order.pop_front() {
                Some(oldest) => self.forget(&oldest),
                None => break,
            }
        }
        for wd in &watches {
            self.dependents
                .entry(wd.clone())
                .or_default()
                .push(path.clone());
        }
        self.bytes += bytes;
        self.order.push_back(path.clone());
        self.entries.insert(
            path,
            Entry {
                listing,
                bytes,
                watches,
            },
        );
    }

    /// Forgets one listing, and the watches nothing else depends on.
    fn forget(&mut self, path: &str) {
        let Some(entry) = self.entries.remove(path) else {
            return;
        };
        self.bytes -= entry.bytes;
        let mut handle = self.inotify.watches();
        for wd in entry.watches {
            if let Some(paths) = self.dependents.get_mut(&wd) {
                paths.retain(|p| p != path);
                if paths.is_empty() {
                    self.dependents.remove(&wd);
                    self.last_event.remove(&wd);
                    let _ = handle.remove(wd);
                }
            }
        }
        if self.order.len() > 2 * MAX_ENTRIES {
            let entries = &self.entries;
            self.order.retain(|p| entries.contains_key(p));
        }
    }

    fn clear(&mut self) {
        let paths: Vec<String> = self.entries.keys().cloned().collect();
        for path in paths {
            self.forget(&path);
        }
    }
}

/// `/a/b`: absolute, no `.` or `..`, no empty component, no trailing slash
/// (other than `/` itself).
fn is_plain_absolute(path: &str) -> bool {
    if path == "/" {
        return true;
    }
    path.starts_with('/')
        && !path.ends_with('/')
        && path[1..]
            .split('/')
            .all(|part| !part.is_empty() && part != "." && part != "..")
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    use std::sync::Arc;

    type Names = Arc<Vec<String>>;

    /// The names themselves, as the tests keep them.
    impl Listing for Names {
        fn bytes(&self) -> usize {
            self.iter().map(|name| name.len() + 24).sum()
        }
    }

    fn read(path: &str) -> io::Result<Names> {
        let mut names: Vec<String> = std::fs::read_dir(path)?
            .map(|e| e.map(|e| e.file_name().to_string_lossy().into_owned()))
            .collect::<io::Result<_>>()?;
        names.sort();
        Ok(Arc::new(names))
    }

    /// Whether `path` is remembered once loaded. Other tests and processes
    /// change the shared directories above it (the temporary directory),
    /// which rightly invalidates it: a few tries tell that from a cache
    /// that never keeps anything.
    fn remembered(listings: &Listings<Names>, path: &str) -> bool {
        (0..20).any(|_| {
            listings.load(path, read).unwrap();
            listings.get(path).is_some()
        })
    }

    fn scratch(name: &str) -> std::path::PathBuf {
        let dir =
            std::env::temp_dir().join(format!("oxrpc-listings-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::canonicalize(dir).unwrap()
    }

    #[test]
    fn a_listing_is_served_until_its_directory_changes() {
        let listings = Listings::new().unwrap();
        let dir = scratch("changes");
        let path = dir.to_str().unwrap();
        std::fs::write(dir.join("a"), b"").unwrap();
        assert!(listings.get(path).is_none());
        assert_eq!(*listings.load(path, read).unwrap(), ["a"]);
        assert!(remembered(&listings, path));
        assert_eq!(*listings.get(path).unwrap_or_default(), ["a"]);

        std::fs::write(dir.join("b"), b"").unwrap();
        assert!(listings.get(path).is_none(), "a new entry invalidates");
        assert_eq!(*listings.load(path, read).unwrap(), ["a", "b"]);
        assert!(remembered(&listings, path));
        std::fs::rename(dir.join("b"), dir.join("c")).unwrap();
        assert!(listings.get(path).is_none(), "a rename invalidates");
        assert!(remembered(&listings, path));
        std::fs::set_permissions(&dir, std::os::unix::fs::PermissionsExt::from_mode(0o700))
            .unwrap();
        assert!(
            listings.get(path).is_none(),
            "a permission change invalidates"
        );
        assert!(remembered(&listings, path));
        std::fs::remove_file(dir.join("a")).unwrap();
        assert!(listings.get(path).is_none(), "a removal invalidates");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_change_above_the_directory_invalidates_it() {
        let listings = Listings::new().unwrap();
        let top = scratch("parents");
        let inner = top.join("x").join("y");
        std::fs::create_dir_all(&inner).unwrap();
        let path = inner.to_str().unwrap();
        assert!(remembered(&listings, path));
        // The same path now names another directory.
        std::fs::rename(top.join("x"), top.join("old")).unwrap();
        std::fs::create_dir_all(&inner).unwrap();
        std::fs::write(inner.join("new"), b"").unwrap();
        assert!(listings.get(path).is_none());
        assert_eq!(*listings.load(path, read).unwrap(), ["new"]);
        std::fs::remove_dir_all(&top).unwrap();
    }

    #[test]
    fn kernel_file_systems_are_read_every_time() {
        let listings = Listings::new().unwrap();
        // /proc grows an entry per process and /sys changes with the
        // hardware, and inotify reports neither.
        for path in ["/proc", "/sys", "/proc/self/fd"] {
            listings.load(path, read).unwrap();
            assert!(listings.get(path).is_none(), "{path}");
        }
    }

    #[test]
    fn a_mount_over_a_remembered_directory_is_seen() {
        let listings = Listings::new().unwrap();
        let dir = scratch("mounted");
        let path = dir.to_str().unwrap();
        std::fs::write(dir.join("under"), b"").unwrap();
        assert!(remembered(&listings, path));
        let mount = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "tmpfs", path])
            .status()
            .unwrap();
        assert!(mount.success(), "mounting a tmpfs needs root");
        let seen = listings.get(path);
        let after = read(path).unwrap();
        let unmount = std::process::Command::new("umount").arg(path).status();
        assert!(seen.is_none(), "still remembered: {seen:?}");
        assert!(after.is_empty(), "{after:?}");
        assert!(unmount.unwrap().success());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn links_and_unusual_paths_are_read_every_time() {
        let listings = Listings::new().unwrap();
        let dir = scratch("links");
        std::os::unix::fs::symlink(&dir, dir.with_extension("link")).unwrap();
        let link = dir.with_extension("link");
        for path in [
            link.to_str().unwrap().to_owned(),
            format!("{}/", dir.display()),
            format!("{}/.", dir.display()),
            format!("{}//", dir.display()),
        ] {
            listings.load(&path, read).unwrap();
            assert!(listings.get(&path).is_none(), "{path}");
        }
        std::fs::remove_file(link).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_cache_is_bounded() {
        let listings = Listings::new().unwrap();
        let top = scratch("bounded");
        for i in 0..MAX_ENTRIES + 10 {
            let dir = top.join(i.to_string());
            std::fs::create_dir(&dir).unwrap();
            listings.load(dir.to_str().unwrap(), read).unwrap();
        }
        let state = listings.state.lock().unwrap();
        assert!(state.entries.len() <= MAX_ENTRIES);
        drop(state);
        let first = top.join("0");
        assert!(
            listings.get(first.to_str().unwrap()).is_none(),
            "oldest evicted"
        );
        let last = top.join((MAX_ENTRIES + 9).to_string());
        assert!(remembered(&listings, last.to_str().unwrap()));
        std::fs::remove_dir_all(&top).unwrap();
    }
}
